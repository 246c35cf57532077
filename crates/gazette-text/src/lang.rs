//! Language identification for the 13 languages gazette analyses, on
//! headlines as well as article bodies.
//!
//! [`detect_lang`] first looks at the script of the letters: Han without kana
//! is Chinese (`zh`), Arabic script is Arabic (`ar`) unless it carries letters
//! of Persian, Urdu or Kurdish; other scripts (Greek, Hebrew, Devanagari, Thai,
//! kana, Hangul, …) are not supported and give `None`. Latin and Cyrillic text
//! is scored with a naive Bayes model of character n-grams: for each language
//! the sum of `ln P(n-gram)` over the letter unigrams, bigrams and trigrams of
//! each word (the longest n-gram of a word: trigrams for words of three letters
//! or more), with a floor for n-grams the language's table does not hold.
//!
//! The tables (`langid/<code>.txt`, joint probabilities of each language's
//! most likely n-grams) are derived from the models of the `lingua` crate
//! (Apache-2.0) by `tools/langid-model`; see `langid/README.md`. `lingua`
//! itself is more accurate on very short texts but costs 45 to 68 MB of
//! binary and milliseconds per article, hence this compact model. Besides the
//! supported languages the tables hold 27 others (Swedish, Indonesian,
//! Romanian, Belarusian, …) so that a text in one of them is recognised as
//! *not* supported (`None`, "und") instead of being forced into the nearest
//! supported language.
//!
//! ```
//! use gazette_text::detect_lang;
//! assert_eq!(detect_lang("Le ministre a déclaré que les négociations se poursuivront à Moscou."), Some("fr"));
//! assert_eq!(detect_lang("Police arrest two suspects after the shooting"), Some("en"));
//! assert_eq!(detect_lang("Путин провёл переговоры"), Some("ru"));
//! assert_eq!(detect_lang("Presiden Indonesia meresmikan jalan tol baru"), None);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

/// The languages [`detect_lang`] can answer, as ISO 639-1 codes.
pub const LANGUAGES: [&str; 13] = [
    "fr", "en", "es", "de", "it", "pt", "nl", "pl", "ru", "uk", "ar", "zh", "tr",
];

/// Bytes of text looked at: enough for a reliable answer, bounded for long articles.
const SAMPLE_BYTES: usize = 3000;
/// Extra cost (tenths of a nat) of an n-gram missing from a language's table,
/// beyond the cost of the least likely n-gram kept.
const MISSING_PENALTY: u32 = 10;
/// Extra cost per n-gram (tenths of a nat) of the unsupported languages.
const UNSUPPORTED_HANDICAP: u32 = 3;

/// The n-gram tables, one per language, with the languages' scripts.
const TABLES: [(&str, Script, &str); 39] = [
    ("fr", Script::Latin, include_str!("../langid/fr.txt")),
    ("en", Script::Latin, include_str!("../langid/en.txt")),
    ("es", Script::Latin, include_str!("../langid/es.txt")),
    ("de", Script::Latin, include_str!("../langid/de.txt")),
    ("it", Script::Latin, include_str!("../langid/it.txt")),
    ("pt", Script::Latin, include_str!("../langid/pt.txt")),
    ("nl", Script::Latin, include_str!("../langid/nl.txt")),
    ("pl", Script::Latin, include_str!("../langid/pl.txt")),
    ("tr", Script::Latin, include_str!("../langid/tr.txt")),
    ("ru", Script::Cyrillic, include_str!("../langid/ru.txt")),
    ("uk", Script::Cyrillic, include_str!("../langid/uk.txt")),
    // Not supported: recognised so that they are not mistaken for a supported language.
    ("af", Script::Latin, include_str!("../langid/af.txt")),
    ("az", Script::Latin, include_str!("../langid/az.txt")),
    ("ca", Script::Latin, include_str!("../langid/ca.txt")),
    ("cs", Script::Latin, include_str!("../langid/cs.txt")),
    ("da", Script::Latin, include_str!("../langid/da.txt")),
    ("et", Script::Latin, include_str!("../langid/et.txt")),
    ("eu", Script::Latin, include_str!("../langid/eu.txt")),
    ("fi", Script::Latin, include_str!("../langid/fi.txt")),
    ("hr", Script::Latin, include_str!("../langid/hr.txt")),
    ("hu", Script::Latin, include_str!("../langid/hu.txt")),
    ("id", Script::Latin, include_str!("../langid/id.txt")),
    ("la", Script::Latin, include_str!("../langid/la.txt")),
    ("lt", Script::Latin, include_str!("../langid/lt.txt")),
    ("lv", Script::Latin, include_str!("../langid/lv.txt")),
    ("ms", Script::Latin, include_str!("../langid/ms.txt")),
    ("nb", Script::Latin, include_str!("../langid/nb.txt")),
    ("ro", Script::Latin, include_str!("../langid/ro.txt")),
    ("sk", Script::Latin, include_str!("../langid/sk.txt")),
    ("sl", Script::Latin, include_str!("../langid/sl.txt")),
    ("sq", Script::Latin, include_str!("../langid/sq.txt")),
    ("sv", Script::Latin, include_str!("../langid/sv.txt")),
    ("tl", Script::Latin, include_str!("../langid/tl.txt")),
    ("vi", Script::Latin, include_str!("../langid/vi.txt")),
    ("be", Script::Cyrillic, include_str!("../langid/be.txt")),
    ("bg", Script::Cyrillic, include_str!("../langid/bg.txt")),
    ("kk", Script::Cyrillic, include_str!("../langid/kk.txt")),
    ("mk", Script::Cyrillic, include_str!("../langid/mk.txt")),
    ("sr", Script::Cyrillic, include_str!("../langid/sr.txt")),
];

/// Writing systems told apart before any model is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    Kana,
    Hangul,
    Other,
}

/// The language of `text` among [`LANGUAGES`], or `None` when it is another
/// language or there is no evidence (no letters).
pub fn detect_lang(text: &str) -> Option<&'static str> {
    let sample = head(text, SAMPLE_BYTES);
    match script(sample)? {
        Script::Han => Some("zh"),
        Script::Arabic => (!sample.chars().any(is_non_arabic_letter)).then_some("ar"),
        script @ (Script::Latin | Script::Cyrillic) => MODEL.detect(sample, script),
        Script::Kana | Script::Hangul | Script::Other => None,
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// The script most letters of `text` are written in; kana anywhere (beside
/// Han) means Japanese. `None` without letters.
fn script(text: &str) -> Option<Script> {
    let mut counts = [0usize; 7];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let script = match u32::from(c) {
            0x41..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
            0x400..=0x52F => Script::Cyrillic,
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Han,
            0x3040..=0x30FF => Script::Kana,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
            _ => Script::Other,
        };
        counts[script as usize] += 1;
    }
    if counts[Script::Kana as usize] > 0 {
        return Some(Script::Kana);
    }
    let (index, &most) = counts.iter().enumerate().max_by_key(|&(_, n)| *n)?;
    (most > 0).then(|| {
        [
            Script::Latin,
            Script::Cyrillic,
            Script::Arabic,
            Script::Han,
            Script::Kana,
            Script::Hangul,
            Script::Other,
        ][index]
    })
}

/// Letters of the Arabic script that Arabic does not use: Persian (`پ چ ژ گ`
/// and the Persian `ک ی`), Urdu (`ٹ ڈ ڑ ں ے ھ`) and Sorani Kurdish (`ە ۆ ێ ڵ ڕ`).
fn is_non_arabic_letter(c: char) -> bool {
    "پچژگکیٹڈڑںےھەۆێڵڕ".contains(c)
}

/// The n-gram model of the languages written in Latin or Cyrillic script.
struct Model {
    /// Each language's code, script, and whether [`detect_lang`] may answer it.
    languages: Vec<(&'static str, Script, bool)>,
    /// Packed n-gram → (language index, cost in tenths of a nat) for the
    /// languages whose table holds it.
    costs: HashMap<u64, Vec<(u8, u16)>>,
    /// Per language, the cost of a missing unigram, bigram and trigram.
    missing: Vec<[u32; 3]>,
}

static MODEL: LazyLock<Model> = LazyLock::new(Model::load);

impl Model {
    fn load() -> Model {
        let mut costs: HashMap<u64, Vec<(u8, u16)>> = HashMap::new();
        let mut languages = Vec::new();
        let mut missing = Vec::new();
        for (index, (code, script, table)) in TABLES.into_iter().enumerate() {
            let index = u8::try_from(index).expect("fewer than 256 languages");
            let mut highest = [0u32; 3];
            for line in table.lines() {
                let Some((ngram, cost)) = line.split_once('\t') else {
                    continue;
                };
                let (Some(key), Ok(cost)) = (pack(ngram.chars()), cost.parse::<u16>()) else {
                    continue;
                };
                let n = ngram.chars().count();
                highest[n - 1] = highest[n - 1].max(u32::from(cost));
                costs.entry(key).or_default().push((index, cost));
            }
            languages.push((code, script, LANGUAGES.contains(&code)));
            missing.push(highest.map(|h| h + MISSING_PENALTY));
        }
        Model {
            languages,
            costs,
            missing,
        }
    }

    /// The supported language of `text` (in `script`), or `None` when an
    /// unsupported language scores best or no word has letters.
    fn detect(&self, text: &str, script: Script) -> Option<&'static str> {
        let mut total = vec![0u32; self.languages.len()];
        let mut seen = vec![false; self.languages.len()];
        let mut ngrams = 0usize;
        for word in text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
        {
            let letters: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
            let n = letters.len().min(3);
            for window in letters.windows(n) {
                ngrams += 1;
                seen.iter_mut().for_each(|s| *s = false);
                if let Some(found) = pack(window.iter().copied()).and_then(|k| self.costs.get(&k)) {
                    for &(lang, cost) in found {
                        total[usize::from(lang)] += u32::from(cost);
                        seen[usize::from(lang)] = true;
                    }
                }
                for (lang, seen) in seen.iter().enumerate() {
                    if !seen {
                        total[lang] += self.missing[lang][n - 1];
                    }
                }
            }
        }
        if ngrams == 0 {
            return None;
        }
        // An unsupported language must win clearly: mixed or foreign names in
        // a short headline should not push it out of its language.
        let handicap = UNSUPPORTED_HANDICAP * u32::try_from(ngrams).unwrap_or(u32::MAX / 64);
        for (lang, (_, _, supported)) in self.languages.iter().enumerate() {
            if !supported {
                total[lang] = total[lang].saturating_add(handicap);
            }
        }
        let best = (0..self.languages.len())
            .filter(|&lang| self.languages[lang].1 == script)
            .min_by_key(|&lang| total[lang])?;
        let (code, _, supported) = self.languages[best];
        supported.then_some(code)
    }
}

/// Packs one to three characters into a key (21 bits each).
fn pack(chars: impl Iterator<Item = char>) -> Option<u64> {
    let mut key = 0u64;
    for (i, c) in chars.enumerate() {
        if i == 3 {
            return None;
        }
        key = (key << 21) | u64::from(u32::from(c));
    }
    (key != 0).then_some(key)
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
        assert_eq!(detect_lang(FIXTURE), Some("fr"));
    }

    #[test]
    fn each_supported_language_is_recognised() {
        let samples = [
            ("fr", "Le gouvernement annonce une réforme des retraites"),
            ("en", "Government announces pension reform after protests"),
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
            ("pl", "Premier zapowiedział reformę systemu emerytalnego"),
            ("tr", "Cumhurbaşkanı yeni ekonomi paketini açıkladı"),
            ("ru", "Министр иностранных дел заявил о переговорах"),
            ("uk", "Міністр закордонних справ заявив про переговори"),
            ("ar", "أعلن وزير الخارجية عن مفاوضات جديدة"),
            ("zh", "外交部长宣布举行新一轮谈判"),
        ];
        for (lang, text) in samples {
            assert_eq!(detect_lang(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn accented_words_keep_french_apart_from_spanish() {
        assert_eq!(
            detect_lang("Le ministre a déclaré que les négociations se poursuivront à Moscou."),
            Some("fr")
        );
    }

    #[test]
    fn unsupported_languages_and_scripts_get_no_answer() {
        for text in [
            "Regeringen presenterade en ny budget för nästa år",
            "Pemerintah mengumumkan anggaran baru untuk tahun depan",
            "Урад прадставіў новы бюджэт на наступны год",
            "دولت بودجه جدید سال آینده را ارائه کرد",
            "安倍晋三元首相が銃撃され死亡した",
            "정부가 새해 예산안을 발표했다",
            "Η κυβέρνηση παρουσίασε τον νέο προϋπολογισμό",
        ] {
            assert_eq!(detect_lang(text), None, "{text}");
        }
    }

    #[test]
    fn texts_without_letters_get_no_answer() {
        assert_eq!(detect_lang(""), None);
        assert_eq!(detect_lang("2024 — 12:30 !"), None);
    }

    #[test]
    fn every_table_is_loaded() {
        assert_eq!(MODEL.languages.len(), TABLES.len());
        for (code, script, supported) in &MODEL.languages {
            assert!(matches!(script, Script::Latin | Script::Cyrillic), "{code}");
            assert_eq!(*supported, LANGUAGES.contains(code), "{code}");
        }
        assert!(MODEL.costs.len() > 50_000, "{}", MODEL.costs.len());
    }

    #[test]
    fn pack_takes_one_to_three_characters() {
        assert!(pack("abc".chars()).is_some());
        assert_ne!(pack("ab".chars()), pack("ba".chars()));
        assert_eq!(pack("abcd".chars()), None);
        assert_eq!(pack("".chars()), None);
    }

    #[test]
    fn primary_subtag_drops_regions() {
        assert_eq!(primary_subtag("fr-CA"), "fr");
        assert_eq!(primary_subtag("pt_BR"), "pt");
        assert_eq!(primary_subtag("en"), "en");
    }
}
