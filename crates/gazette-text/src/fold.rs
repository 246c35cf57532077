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
    fold_into(&mut out, s);
    out
}

/// [`fold`], appended to `out` (no allocation of its own on the fast paths).
pub fn fold_into(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    // Fast path: text made only of Latin and Cyrillic letters (no combining
    // marks, no Greek with its context-dependent final sigma) folds one
    // character at a time, from a table built once by the general path.
    let table = fold_table();
    let start = out.len();
    for c in s.chars() {
        match table.get(c) {
            Some(folded) => out.push_str(folded),
            None => {
                out.truncate(start);
                out.push_str(&fold_general(s));
                return;
            }
        }
    }
}

/// The general path of [`fold`]: Unicode lowercasing, NFKD, diacritics
/// dropped, letters spelled out, NFC.
fn fold_general(s: &str) -> String {
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

/// Each character of the fast path's ranges, folded on its own.
struct FoldTable {
    /// U+0000–U+024F: Basic Latin to Latin Extended-B.
    latin: Vec<Box<str>>,
    /// U+0400–U+0482: the Cyrillic letters (the block's combining marks follow).
    cyrillic: Vec<Box<str>>,
}

const LATIN_END: u32 = 0x250;
const CYRILLIC: std::ops::Range<u32> = 0x400..0x483;

impl FoldTable {
    fn get(&self, c: char) -> Option<&str> {
        let code = u32::from(c);
        if code < LATIN_END {
            return Some(&self.latin[code as usize]);
        }
        if CYRILLIC.contains(&code) {
            return Some(&self.cyrillic[(code - CYRILLIC.start) as usize]);
        }
        match c {
            '\u{2019}' | '\u{02BC}' => Some("'"),
            _ => None,
        }
    }
}

fn fold_table() -> &'static FoldTable {
    static TABLE: std::sync::OnceLock<FoldTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let fold_range = |range: std::ops::Range<u32>| {
            range
                .map(|code| {
                    char::from_u32(code)
                        .map_or_else(String::new, |c| fold_general(c.encode_utf8(&mut [0; 4])))
                        .into_boxed_str()
                })
                .collect()
        };
        FoldTable {
            latin: fold_range(0..LATIN_END),
            cyrillic: fold_range(CYRILLIC),
        }
    })
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

    /// The fast path folds like the general one: every character of its
    /// ranges alone, and pairs of them (a composition across the boundary
    /// would show here).
    #[test]
    fn fast_path_agrees_with_the_general_path() {
        let chars: Vec<char> = (0..LATIN_END)
            .chain(CYRILLIC)
            .filter_map(char::from_u32)
            .chain(['\u{2019}', '\u{02BC}'])
            .collect();
        for &a in &chars {
            let s = a.to_string();
            assert_eq!(fold(&s), fold_general(&s), "{a:?}");
        }
        for (i, &a) in chars.iter().enumerate() {
            for &b in chars.iter().skip(i % 7).step_by(7) {
                let s: String = [a, b, 'é', a].iter().collect();
                assert_eq!(fold(&s), fold_general(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn greek_final_sigma_takes_the_general_path() {
        assert_eq!(fold("ΟΔΟΣ"), "οδος");
    }

    #[test]
    fn marks_of_other_scripts_are_kept() {
        // Devanagari vowel signs are combining marks but not decorations.
        assert_eq!(fold("हिन्दी"), "हिन्दी");
        // Hangul syllables survive decomposition.
        assert_eq!(fold("한국"), "한국");
    }
}
