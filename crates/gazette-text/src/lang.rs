//! A cheap language guess for articles that do not declare one.
//!
//! [`guess_lang`] counts stop-word hits among the languages of
//! [`STOP_WORD_LANGUAGES`] and answers only when one
//! language clearly wins. It is a stopgap until real language identification.
//!
//! ```
//! use gazette_text::guess_lang;
//! assert_eq!(guess_lang("Le ministre a déclaré que les négociations se poursuivront à Moscou."), Some("fr"));
//! assert_eq!(guess_lang("The minister said that the talks would go on in Moscow."), Some("en"));
//! assert_eq!(guess_lang("Lavrov Moscou"), None);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::stopwords::{STOP_WORD_LANGUAGES, written_stop_words};
use crate::words::words;

/// Words looked at: enough to decide, bounded for long articles.
const SAMPLE_WORDS: usize = 200;
/// Fewest stop-word hits for an answer.
const MIN_HITS: usize = 2;
/// Smallest share of the sampled words that must be stop words of the winner.
const MIN_SHARE: f64 = 0.1;

/// For each stop word as written, the indexes (in [`STOP_WORD_LANGUAGES`]) of
/// the languages it belongs to.
static LANGUAGES_OF: LazyLock<HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (index, (_, list)) in written_stop_words().enumerate() {
        for word in list {
            map.entry(word).or_default().push(index);
        }
    }
    map
});

/// The language of `text` among fr, en, es, de, it, pt and nl, or `None` when
/// no language clearly wins (too short, a tie, another language).
///
/// Each stop word found votes for its languages, shared among them, so that
/// words proper to one language (`les`, `the`) count more than shared ones (`a`).
pub fn guess_lang(text: &str) -> Option<&'static str> {
    let mut hits = [0usize; STOP_WORD_LANGUAGES.len()];
    let mut votes = [0f64; STOP_WORD_LANGUAGES.len()];
    let mut sampled = 0usize;
    for word in words(text).take(SAMPLE_WORDS) {
        sampled += 1;
        let Some(langs) = LANGUAGES_OF.get(word.to_lowercase().as_str()) else {
            continue;
        };
        for &lang in langs {
            hits[lang] += 1;
            votes[lang] += 1.0 / langs.len() as f64;
        }
    }
    let best = (0..votes.len()).max_by(|&a, &b| votes[a].total_cmp(&votes[b]))?;
    let clear_winner = (0..votes.len()).all(|i| i == best || votes[i] < votes[best]);
    let enough = hits[best] >= MIN_HITS && hits[best] as f64 >= MIN_SHARE * sampled as f64;
    (clear_winner && enough).then_some(STOP_WORD_LANGUAGES[best])
}

/// The primary subtag of a language tag: `fr` for `fr-CA` or `fr_CA`.
pub(crate) fn primary_subtag(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "La Russie ne doute pas de la possibilité d'un dialogue professionnel entre \
        les militaires russes et américains sur la mise au point de mesures concrètes de lutte contre \
        le groupe terroriste État islamique (Daech), a déclaré lundi le chef de la diplomatie russe \
        Sergueï Lavrov.";

    #[test]
    fn french_press_text_is_french() {
        assert_eq!(guess_lang(FIXTURE), Some("fr"));
    }

    #[test]
    fn each_supported_language_is_recognised() {
        let samples = [
            (
                "es",
                "El presidente del gobierno dijo que las elecciones se celebrarán en mayo.",
            ),
            (
                "de",
                "Der Minister sagte, dass die Verhandlungen mit den Nachbarn weitergehen.",
            ),
            (
                "it",
                "Il ministro ha detto che le trattative con i vicini continueranno.",
            ),
            (
                "pt",
                "O ministro disse que as negociações com os vizinhos vão continuar.",
            ),
            (
                "nl",
                "De minister zei dat de onderhandelingen met de buren zullen doorgaan.",
            ),
        ];
        for (lang, text) in samples {
            assert_eq!(guess_lang(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn accented_stop_words_keep_french_apart_from_spanish() {
        // Folded, `à` would be the Spanish and Portuguese `a` and tie French with Spanish.
        assert_eq!(
            guess_lang("Le ministre a déclaré que les négociations se poursuivront à Moscou."),
            Some("fr")
        );
    }

    #[test]
    fn texts_without_evidence_get_no_guess() {
        assert_eq!(guess_lang(""), None);
        assert_eq!(guess_lang("Sergueï Lavrov, Daech, Astana"), None);
        assert_eq!(guess_lang("安倍晋三前首相が銃撃され死亡した"), None);
    }

    #[test]
    fn primary_subtag_drops_regions() {
        assert_eq!(primary_subtag("fr-CA"), "fr");
        assert_eq!(primary_subtag("pt_BR"), "pt");
        assert_eq!(primary_subtag("en"), "en");
    }
}
