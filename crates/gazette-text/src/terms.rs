//! Index terms: the words of a text as compared by clustering and search.
//!
//! A term is a [word](mod@crate::words) that is not a stop word, stemmed with the
//! Snowball stemmer of its language (`rust-stemmers`) and then
//! [folded](mod@crate::fold). Stemming runs before folding because Snowball's rules
//! expect accented input (`sécurité` and `sécuritaire` share the stem `sécur`).
//! Single letters and digits carry no meaning and are dropped; an ideograph is
//! kept.
//!
//! ```
//! use gazette_text::terms;
//! assert_eq!(
//!     terms("Les négociations de l'Ukraine", Some("fr")),
//!     ["negoci", "ukrain"]
//! );
//! ```

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;

use crate::fold::fold;
use crate::lang::{detect_lang, primary_subtag};
use crate::stopwords::stop_words;
use crate::words::{is_unspaced_script, words};

/// The index terms of `text` in order, repeated as often as they occur.
///
/// `lang` is the text's language tag (`fr`, `en-GB`, …). When it is `None` the
/// language is [guessed](crate::detect_lang); when it stays unknown, or has no
/// list or stemmer, terms are the folded words without stop-word removal or
/// stemming respectively.
pub fn terms(text: &str, lang: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, lang, |term| out.push(term.to_string()));
    out
}

/// Calls `f` with each of [`terms`]' terms in order, without allocating them.
pub fn for_each_term(text: &str, lang: Option<&str>, mut f: impl FnMut(&str)) {
    for_each_word_term(text, lang, |_, term| {
        if let Some(term) = term {
            f(term);
        }
    });
}

/// Calls `f` with each [word](crate::words()) of `text` and its term, when it
/// has one (see [`terms`]): one pass for callers that read the words too.
pub fn for_each_word_term(text: &str, lang: Option<&str>, mut f: impl FnMut(&str, Option<&str>)) {
    let lang = lang.or_else(|| detect_lang(text));
    let stops = lang.and_then(stop_words);
    let stemmer = lang.and_then(algorithm).map(Stemmer::create);
    let term = |word: &str| {
        let folded = fold(word);
        if !is_meaningful(&folded) || stops.is_some_and(|s| s.contains(&folded)) {
            return None;
        }
        Some(match &stemmer {
            Some(stemmer) => fold(&stemmer.stem(&word.to_lowercase())),
            None => folded,
        })
    };
    TERM_CACHE.with_borrow_mut(|cache| {
        if cache.entries >= TERM_CACHE_ENTRIES {
            cache.by_language.clear();
            cache.entries = 0;
        }
        let lang = lang.unwrap_or("");
        if !cache.by_language.contains_key(lang) {
            cache.by_language.insert(lang.into(), HashMap::default());
        }
        let terms = cache.by_language.get_mut(lang).expect("inserted above");
        for word in words(text) {
            if let Some(found) = terms.get(word) {
                f(word, found.as_deref());
                continue;
            }
            let found = term(word);
            f(word, found.as_deref());
            terms.insert(word.into(), found.map(String::into_boxed_str));
            cache.entries += 1;
        }
    })
}

/// Words seen with their term, by language: news repeats its words, and a
/// word's term (fold, stop-word check, Snowball stem) costs far more than a
/// lookup. Cleared when full, so memory stays bounded.
struct TermCache {
    /// Language tag → word → the word's term, or `None` when it is not one.
    by_language: HashMap<Box<str>, WordTerms>,
    /// Words held, over all languages.
    entries: usize,
}

/// Word → its term, or `None` when it is not one.
type WordTerms = HashMap<Box<str>, Option<Box<str>>>;

/// Words the [`TermCache`] holds before it starts afresh (a few MB; the
/// limit is checked once per text, so a text may overshoot it).
const TERM_CACHE_ENTRIES: usize = 50_000;

thread_local! {
    static TERM_CACHE: RefCell<TermCache> = RefCell::new(TermCache {
        by_language: HashMap::default(),
        entries: 0,
    });
}

/// Whether a folded word can be a term: more than one character, or an ideograph.
fn is_meaningful(folded: &str) -> bool {
    let mut chars = folded.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => is_unspaced_script(c),
        (Some(_), Some(_)) => true,
        (None, _) => false,
    }
}

/// The Snowball stemmer for a language tag, when `rust-stemmers` has one.
fn algorithm(lang: &str) -> Option<Algorithm> {
    let primary = primary_subtag(lang).to_ascii_lowercase();
    Some(match primary.as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "en" => Algorithm::English,
        "es" => Algorithm::Spanish,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "nl" => Algorithm::Dutch,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_terms_are_folded_stems_without_stop_words() {
        let t = terms(
            "« Je ne sais pas s'il est possible aujourd'hui de réanimer le Centre exécutif conjoint »",
            Some("fr"),
        );
        assert_eq!(
            t,
            [
                "sais",
                "possibl",
                "aujourd'hui",
                "reanim",
                "centr",
                "execut",
                "conjoint"
            ]
        );
    }

    #[test]
    fn the_cache_keeps_languages_apart() {
        for _ in 0..2 {
            assert_eq!(terms("négociations", Some("fr")), ["negoci"]);
            assert_eq!(terms("négociations", Some("xx")), ["negociations"]);
            assert_eq!(
                terms("les négociations", Some("xx")),
                ["les", "negociations"]
            );
            assert_eq!(terms("les négociations", Some("fr")), ["negoci"]);
        }
    }

    #[test]
    fn inflections_share_a_stem() {
        let t = terms("militaires militaire terroristes terroriste", Some("fr"));
        assert_eq!(t[0], t[1]);
        assert_eq!(t[2], t[3]);
        let t = terms("talks talk negotiated negotiating", Some("en"));
        assert_eq!(t[0], t[1]);
        assert_eq!(t[2], t[3]);
    }

    #[test]
    fn accents_do_not_change_terms() {
        assert_eq!(
            terms("ÉTAT État", Some("fr")),
            terms("Etat etat", Some("fr"))
        );
    }

    #[test]
    fn unknown_language_is_guessed() {
        let text = "Le ministre a déclaré que les militaires russes et américains négocient.";
        assert_eq!(terms(text, None), terms(text, Some("fr")));
    }

    #[test]
    fn language_without_list_or_stemmer_keeps_folded_words() {
        assert_eq!(terms("Ėjo į Vilnių", Some("lt")), ["ejo", "vilniu"]);
    }

    #[test]
    fn single_letters_are_dropped_but_ideographs_kept() {
        assert_eq!(terms("a B 7 安倍", Some("xx")), ["安", "倍"]);
    }

    #[test]
    fn stemmers_exist_for_the_stop_word_languages() {
        for lang in crate::STOP_WORD_LANGUAGES {
            assert!(algorithm(lang).is_some(), "{lang}");
        }
        assert_eq!(algorithm("sw"), None);
    }
}
