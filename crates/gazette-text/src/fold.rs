//! Case and accent folding: the form words are compared in.
//!
//! [`fold`] lowercases, applies compatibility decomposition (so `ﬁ` becomes `fi`
//! and full-width digits become ASCII), drops the diacritics of the Latin, Greek
//! and Cyrillic scripts, and spells out the letters Unicode does not decompose
//! (`œ` → `oe`, `ß` → `ss`, `ø` → `o`, …). Marks that carry meaning in other
//! scripts (Devanagari vowel signs, Arabic harakat) are kept.
//!
//! ```
//! assert_eq!(gazette_text::fold("Œuvre Médiévale à Straße"), "oeuvre medievale a strasse");
//! ```

use unicode_normalization::UnicodeNormalization;

/// Lowercases `s` and removes accents, for matching (see the [module docs](self)).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().nfkd().filter(|&c| !is_diacritic(c)) {
        match spelled_out(c) {
            Some(spelling) => out.push_str(spelling),
            None => out.push(c),
        }
    }
    // Recompose what the decomposition split and the filter kept (Hangul, Indic).
    out.nfc().collect()
}

/// Combining marks that only decorate a base letter: the Combining Diacritical
/// Marks blocks (with their extensions and supplements).
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Letters without a canonical decomposition, and apostrophe variants.
fn spelled_out(c: char) -> Option<&'static str> {
    Some(match c {
        'œ' => "oe",
        'æ' => "ae",
        'ß' => "ss",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        '\u{2019}' | '\u{02BC}' => "'",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_accents_and_ligatures_fold_to_ascii() {
        assert_eq!(fold("Sergueï Lavrov"), "serguei lavrov");
        assert_eq!(fold("désidéologisée"), "desideologisee");
        assert_eq!(fold("Ça c’est l’Œil"), "ca c'est l'oeil");
        assert_eq!(fold("ÉTAT ISLAMIQUE"), "etat islamique");
    }

    #[test]
    fn letters_without_decomposition_are_spelled_out() {
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Søren Łódź"), "soren lodz");
    }

    #[test]
    fn decomposed_input_folds_like_precomposed_input() {
        assert_eq!(fold("e\u{301}te\u{301}"), fold("été"));
    }

    #[test]
    fn compatibility_forms_are_normalised() {
        assert_eq!(fold("ﬁnance １２"), "finance 12");
    }

    #[test]
    fn marks_of_other_scripts_are_kept() {
        // Devanagari vowel signs are combining marks but not decorations.
        assert_eq!(fold("हिन्दी"), "हिन्दी");
        // Hangul syllables survive decomposition.
        assert_eq!(fold("한국"), "한국");
    }
}
