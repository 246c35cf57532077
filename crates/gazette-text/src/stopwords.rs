//! Stop words: function words left out of index terms.
//!
//! The lists are Snowball's (BSD licence), shipped in the crate's `stopwords/`
//! folder with their source and licence, plus a few marked additions. They are
//! folded when loaded, so lookups take a [folded](mod@crate::fold) word.
//!
//! ```
//! use gazette_text::{fold, is_stop_word};
//! assert!(is_stop_word("fr", &fold("Même")));
//! assert!(is_stop_word("en-GB", "the"));
//! assert!(!is_stop_word("fr", "russie"));
//! assert!(!is_stop_word("xx", "the"));
//! ```

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::fold::fold;
use crate::lang::primary_subtag;

/// The languages with a stop-word list, as ISO 639-1 codes.
pub const STOP_WORD_LANGUAGES: [&str; 7] = ["fr", "en", "es", "de", "it", "pt", "nl"];

const SOURCES: [&str; 7] = [
    include_str!("../stopwords/fr.txt"),
    include_str!("../stopwords/en.txt"),
    include_str!("../stopwords/es.txt"),
    include_str!("../stopwords/de.txt"),
    include_str!("../stopwords/it.txt"),
    include_str!("../stopwords/pt.txt"),
    include_str!("../stopwords/nl.txt"),
];

/// The folded lists, in the order of [`STOP_WORD_LANGUAGES`].
static LISTS: LazyLock<Vec<HashSet<String>>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|source| entries(source).map(fold).collect())
        .collect()
});

/// The words of a list in Snowball's format: a word at the start of a line, `|` starts a comment.
fn entries(source: &'static str) -> impl Iterator<Item = &'static str> {
    source.lines().filter_map(|line| {
        let word = line.split('|').next().unwrap_or_default().trim();
        (!word.is_empty()).then_some(word)
    })
}

/// The folded stop words of `lang` (a language tag such as `fr` or `fr-CA`), if it has a list.
pub(crate) fn stop_words(lang: &str) -> Option<&'static HashSet<String>> {
    let primary = primary_subtag(lang);
    let index = STOP_WORD_LANGUAGES
        .iter()
        .position(|l| l.eq_ignore_ascii_case(primary))?;
    Some(&LISTS[index])
}

/// Whether `folded_word` (see [`fold`](mod@crate::fold)) is a stop word of `lang`.
/// Languages without a list have no stop words.
pub fn is_stop_word(lang: &str, folded_word: &str) -> bool {
    stop_words(lang).is_some_and(|list| list.contains(folded_word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_loaded_list() {
        for lang in STOP_WORD_LANGUAGES {
            let list = stop_words(lang).expect("listed language has a list");
            assert!(list.len() > 90, "{lang}: only {} words", list.len());
        }
    }

    #[test]
    fn comments_and_headers_are_not_words() {
        let fr = stop_words("fr").unwrap();
        assert!(
            !fr.iter()
                .any(|w| w.contains('|') || w.contains(' ') || w.is_empty())
        );
        assert!(!fr.contains("french"));
    }

    #[test]
    fn lists_are_folded_when_loaded() {
        assert!(is_stop_word("fr", "etaient"));
        assert!(!is_stop_word("fr", "étaient"));
        assert!(is_stop_word("es", "mas"));
    }

    #[test]
    fn french_elided_forms_are_stop_words() {
        for w in ["l", "d", "qu", "jusqu", "lorsqu"] {
            assert!(is_stop_word("fr", w), "{w}");
        }
    }

    #[test]
    fn region_subtags_and_case_are_ignored() {
        assert!(is_stop_word("FR-ca", "les"));
        assert!(is_stop_word("pt_BR", "nao"));
    }
}
