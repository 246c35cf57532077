//! Writes gazette-text's language-identification tables (`langid/<code>.txt`)
//! from lingua's n-gram models (Apache-2.0, by Peter M. Stahl).
//!
//! lingua stores, per language, ln P(unigram) and the conditional ln P(c | ab)
//! of bigrams and trigrams (and longer) in an FST. The table kept for gazette
//! is the joint probability ln P(abc) = ln P(a) + ln P(b|a) + ln P(c|ab) of
//! the `TRIGRAMS` most likely trigrams, plus the joint probability of the
//! `BIGRAMS` most likely bigrams and `UNIGRAMS` most likely letters, written as
//! `ngram<TAB>round(-10 · ln p)` lines, most likely first.

use std::collections::HashMap;
use std::fmt::Write as _;

use include_dir::Dir;

const TRIGRAMS: usize = 8000;
const BIGRAMS: usize = 600;
const UNIGRAMS: usize = 150;

fn languages() -> Vec<(&'static str, Dir<'static>)> {
    vec![
        ("af", lingua_afrikaans_language_model::AFRIKAANS_MODELS_DIRECTORY),
        ("sq", lingua_albanian_language_model::ALBANIAN_MODELS_DIRECTORY),
        ("ar", lingua_arabic_language_model::ARABIC_MODELS_DIRECTORY),
        ("az", lingua_azerbaijani_language_model::AZERBAIJANI_MODELS_DIRECTORY),
        ("eu", lingua_basque_language_model::BASQUE_MODELS_DIRECTORY),
        ("be", lingua_belarusian_language_model::BELARUSIAN_MODELS_DIRECTORY),
        ("nb", lingua_bokmal_language_model::BOKMAL_MODELS_DIRECTORY),
        ("bg", lingua_bulgarian_language_model::BULGARIAN_MODELS_DIRECTORY),
        ("ca", lingua_catalan_language_model::CATALAN_MODELS_DIRECTORY),
        ("hr", lingua_croatian_language_model::CROATIAN_MODELS_DIRECTORY),
        ("cs", lingua_czech_language_model::CZECH_MODELS_DIRECTORY),
        ("da", lingua_danish_language_model::DANISH_MODELS_DIRECTORY),
        ("nl", lingua_dutch_language_model::DUTCH_MODELS_DIRECTORY),
        ("en", lingua_english_language_model::ENGLISH_MODELS_DIRECTORY),
        ("et", lingua_estonian_language_model::ESTONIAN_MODELS_DIRECTORY),
        ("fi", lingua_finnish_language_model::FINNISH_MODELS_DIRECTORY),
        ("fr", lingua_french_language_model::FRENCH_MODELS_DIRECTORY),
        ("de", lingua_german_language_model::GERMAN_MODELS_DIRECTORY),
        ("hu", lingua_hungarian_language_model::HUNGARIAN_MODELS_DIRECTORY),
        ("id", lingua_indonesian_language_model::INDONESIAN_MODELS_DIRECTORY),
        ("it", lingua_italian_language_model::ITALIAN_MODELS_DIRECTORY),
        ("kk", lingua_kazakh_language_model::KAZAKH_MODELS_DIRECTORY),
        ("la", lingua_latin_language_model::LATIN_MODELS_DIRECTORY),
        ("lv", lingua_latvian_language_model::LATVIAN_MODELS_DIRECTORY),
        ("lt", lingua_lithuanian_language_model::LITHUANIAN_MODELS_DIRECTORY),
        ("mk", lingua_macedonian_language_model::MACEDONIAN_MODELS_DIRECTORY),
        ("ms", lingua_malay_language_model::MALAY_MODELS_DIRECTORY),
        ("pl", lingua_polish_language_model::POLISH_MODELS_DIRECTORY),
        ("pt", lingua_portuguese_language_model::PORTUGUESE_MODELS_DIRECTORY),
        ("ro", lingua_romanian_language_model::ROMANIAN_MODELS_DIRECTORY),
        ("ru", lingua_russian_language_model::RUSSIAN_MODELS_DIRECTORY),
        ("sr", lingua_serbian_language_model::SERBIAN_MODELS_DIRECTORY),
        ("sk", lingua_slovak_language_model::SLOVAK_MODELS_DIRECTORY),
        ("sl", lingua_slovene_language_model::SLOVENE_MODELS_DIRECTORY),
        ("es", lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY),
        ("sv", lingua_swedish_language_model::SWEDISH_MODELS_DIRECTORY),
        ("tl", lingua_tagalog_language_model::TAGALOG_MODELS_DIRECTORY),
        ("tr", lingua_turkish_language_model::TURKISH_MODELS_DIRECTORY),
        ("uk", lingua_ukrainian_language_model::UKRAINIAN_MODELS_DIRECTORY),
        ("vi", lingua_vietnamese_language_model::VIETNAMESE_MODELS_DIRECTORY),
    ]
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: langid-model OUT_DIR [TRIGRAMS]");
    let trigrams: usize = std::env::args().nth(2).map_or(TRIGRAMS, |n| n.parse().expect("a number"));
    std::fs::create_dir_all(&out).unwrap();
    for (code, dir) in languages() {
        if code == "ar" {
            continue; // Arabic is told by its script; the crate is listed for completeness of the licence note.
        }
        let bytes = dir.get_file("ngrams.fst").expect("ngrams.fst").contents();
        let map = fst::Map::new(bytes.to_vec()).expect("valid fst");
        let mut logp: HashMap<String, f64> = HashMap::new();
        let mut stream = map.stream();
        use fst::Streamer;
        while let Some((k, v)) = stream.next() {
            let k = String::from_utf8(k.to_vec()).unwrap();
            if k.chars().count() <= 3 {
                logp.insert(k, f64::from_bits(v));
            }
        }
        let joint = |g: &str| -> Option<f64> {
            let chars: Vec<char> = g.chars().collect();
            let mut sum = 0.0;
            for n in 1..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                sum += logp.get(&prefix)?;
            }
            Some(sum)
        };
        let mut by_len: [Vec<(String, f64)>; 3] = Default::default();
        for g in logp.keys() {
            if let Some(j) = joint(g) {
                by_len[g.chars().count() - 1].push((g.clone(), j));
            }
        }
        let mut text = String::new();
        for (n, keep) in [(0, UNIGRAMS), (1, BIGRAMS), (2, trigrams)] {
            let list = &mut by_len[n];
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (g, j) in list.iter().take(keep) {
                writeln!(text, "{g}\t{}", (-10.0 * j).round() as i64).unwrap();
            }
        }
        std::fs::write(format!("{out}/{code}.txt"), text).unwrap();
        eprintln!("{code}: {} unigrams, {} bigrams, {} trigrams", by_len[0].len(), by_len[1].len(), by_len[2].len());
    }
}
