//! The whole analysis of an article in one call: [`analyze`] → [`Analysis`].
//!
//! Language (given or [detected](crate::detect_lang)), [sentences](crate::sentences()),
//! index [terms](crate::terms()) with their counts, [entities],
//! [direct quotes with their speakers](crate::attribution) and a near-duplicate
//! [`fingerprint`].
//!
//! ```
//! use gazette_text::{analyze, AnalyzeConfig};
//! let a = analyze("« Nous saluerons cette décision », a déclaré Sergueï Lavrov à Moscou.", &AnalyzeConfig::default());
//! assert_eq!(a.lang.as_deref(), Some("fr"));
//! assert_eq!(a.quotes[0].speaker.as_deref(), Some("Sergueï Lavrov"));
//! assert!(a.entities.iter().any(|e| e.key == "moscow"));
//! ```

use std::collections::HashMap;

use gazette_core::Analysis;

use crate::attribution::direct_quotes;
use crate::entities;
use crate::fold::fold_into;
use crate::lang::detect_lang;
use crate::sentences::sentences;
use crate::terms::terms;
use crate::words::words;

/// How to analyse a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyzeConfig {
    /// The text's language when it is known (a language tag such as `fr` or
    /// `en-GB`); `None` detects it.
    pub lang: Option<String>,
}

/// Analyses `text` (plain text, paragraphs separated by line breaks).
pub fn analyze(text: &str, config: &AnalyzeConfig) -> Analysis {
    let lang = config
        .lang
        .clone()
        .or_else(|| detect_lang(text).map(str::to_string));
    let found = entities::find(text);
    let quotes = direct_quotes(text, &found);
    Analysis {
        sentences: sentences(text).into_iter().map(str::to_string).collect(),
        terms: counted(terms(text, Some(lang.as_deref().unwrap_or("und")))),
        entities: found.entities,
        quotes,
        fingerprint: fingerprint(text),
        lang,
    }
}

/// Terms with their counts, most frequent first (then alphabetical).
fn counted(terms: Vec<String>) -> Vec<(String, u32)> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    for term in terms {
        *counts.entry(term).or_default() += 1;
    }
    let mut counted: Vec<(String, u32)> = counts.into_iter().collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}

/// Words per shingle of the fingerprint.
const SHINGLE_WORDS: usize = 3;

/// A 64-bit SimHash of the text's shingles (three consecutive folded words):
/// texts that share most shingles differ in few bits, so near-duplicates are
/// found by Hamming distance (`(a ^ b).count_ones()`). Texts shorter than a
/// shingle hash their words. 0 for a text without words.
///
/// ```
/// use gazette_text::fingerprint;
/// let a = fingerprint("Le ministre russe a déclaré lundi que les négociations reprendraient à Astana la semaine prochaine.");
/// let b = fingerprint("Le ministre russe a déclaré mardi que les négociations reprendraient à Astana la semaine prochaine.");
/// let c = fingerprint("The storm left thousands of homes without power across the region overnight.");
/// assert!((a ^ b).count_ones() < (a ^ c).count_ones());
/// ```
pub fn fingerprint(text: &str) -> u64 {
    // The folded words one after the other in one string, and where each ends.
    let mut folded = String::with_capacity(text.len());
    let mut ends: Vec<usize> = Vec::new();
    for word in words(text) {
        fold_into(&mut folded, word);
        ends.push(folded.len());
    }
    if ends.is_empty() {
        return 0;
    }
    let size = SHINGLE_WORDS.min(ends.len());
    // For each bit, how many shingle hashes have it set: a bit of the
    // fingerprint is set when more than half of them do.
    let mut ones = [0u32; 64];
    let mut shingles = 0u32;
    for last in size - 1..ends.len() {
        let first = last + 1 - size;
        let mut hash = FNV_OFFSET;
        for i in first..=last {
            if i > first {
                hash = (hash ^ u64::from(b' ')).wrapping_mul(FNV_PRIME);
            }
            let start = if i == 0 { 0 } else { ends[i - 1] };
            hash = fnv1a(hash, &folded.as_bytes()[start..ends[i]]);
        }
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += (hash >> bit & 1) as u32;
        }
        shingles += 1;
    }
    ones.iter()
        .enumerate()
        .filter(|&(_, &count)| 2 * count > shingles)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

// FNV-1a over the words of a shingle, separated by a space. Written here
// because the fingerprint must stay the same across Rust versions and
// platforms (std's hashers promise neither).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// `hash` carried on over `bytes` by FNV-1a.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprints are compared with those of earlier versions: they must not change.
    #[test]
    fn fingerprints_are_stable() {
        let cases = [
            (
                "Le ministre russe a déclaré lundi que les négociations reprendraient à Astana la semaine prochaine.",
                0x617d_9557_5241_e4ad,
            ),
            (
                "Straße ΟΔΟΣ 安倍 l'État 1 200 euros, soit 3,5 %.",
                0xac96_f600_0122_9114,
            ),
            ("Two words", 0xccb5_0027_2beb_feac),
            ("", 0),
        ];
        for (text, expected) in cases {
            assert_eq!(fingerprint(text), expected, "{text}");
        }
    }

    #[test]
    fn a_given_language_is_kept() {
        let config = AnalyzeConfig {
            lang: Some("fr-CA".into()),
        };
        assert_eq!(
            analyze("Hello there", &config).lang.as_deref(),
            Some("fr-CA")
        );
    }

    #[test]
    fn terms_are_counted() {
        let a = analyze(
            "Les négociations reprennent. Les négociateurs arrivent.",
            &AnalyzeConfig::default(),
        );
        assert_eq!(a.terms[0], ("negoci".to_string(), 2));
    }

    #[test]
    fn identical_texts_have_identical_fingerprints_and_different_texts_differ() {
        let a = "Un séisme de magnitude 6 a frappé le nord du Japon ce matin.";
        assert_eq!(fingerprint(a), fingerprint(a));
        assert_ne!(
            fingerprint(a),
            fingerprint("Le parlement a voté la loi de finances hier soir.")
        );
        assert_eq!(fingerprint(""), 0);
        // Case and accents do not change the fingerprint.
        assert_eq!(
            fingerprint("Séisme au Japon"),
            fingerprint("seisme au japon")
        );
    }
}
