//! What an article looks like to the clusterer: weighted index terms.
//!
//! The title says what the event is, so each distinct title term weighs
//! [`TITLE_WEIGHT`] on top of its body weight. The body is the description
//! (feed summary) and the first [`BODY_BYTES`] of the text: the lead paragraphs
//! carry the event, the rest drifts into background. Body counts are damped
//! (`1 + ln tf`) so one repeated word does not dominate.
//!
//! Besides the stems, three kinds of language-independent marks link articles
//! written in different languages or scripts, each a term of its own:
//! - `@key`: an [entity](gazette_text::entities) by its normalised key, so
//!   `Moscou`, `Moscow` and `Москва` meet (the gazetteers' aliases);
//! - `~skel`: a capitalised word not opening its sentence, transliterated to
//!   Latin letters (Cyrillic, Greek), [name-keyed](gazette_text::name_key), its
//!   last letter dropped (often an inflection) when it has four or more, and
//!   cut to [`SKELETON_CHARS`] letters, so that `Abea` (Croatian), `Abe` and
//!   `Абэ` share `~abe`, `Putina` and `Putin` share `~puti`;
//! - `#n`: a number of two digits or more, in any script's digits (`1932`, `१९३२`).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use gazette_core::Article;
use gazette_text::{
    detect_lang, entities, for_each_word_term, is_stop_word, name_key, terms, words,
};

/// Extra weight of a term that appears in the title.
const TITLE_WEIGHT: f64 = 3.0;
/// How much of the article text is read, in bytes (cut at a word boundary).
const BODY_BYTES: usize = 2000;
/// How much of the title and text is searched for entities, in bytes.
const ENTITY_BYTES: usize = 600;
/// Weight of a mark (`@`, `~`, `#`) relative to a stem.
const MARK_WEIGHT: f64 = 1.0;
/// Letters kept of a name skeleton.
pub(crate) const SKELETON_CHARS: usize = 4;

/// Term and weight, before any IDF weighting, each term once. The order is
/// that of a hash map with a fixed hasher (FxHash): the same text gives the
/// same order every time, so sums over terms add up alike.
pub(crate) type TermWeights = Vec<(String, f64)>;

/// The weighted terms of `article` (see the [module docs](self)).
pub(crate) fn article_terms(article: &Article) -> TermWeights {
    let body = body(article);
    // Title and body must be stemmed alike, so the language is settled once;
    // `und` (undetermined) means folded words without stop words or stems.
    let lang = article
        .content
        .lang
        .as_deref()
        .or_else(|| detect_lang(&format!("{}\n{body}", article.title)))
        .unwrap_or("und");
    let mut weights: HashMap<String, f64> = HashMap::default();
    // One pass over the body's words for its terms and its marks.
    let mut body_marks = Marks::new(&body, lang);
    for_each_word_term(&body, Some(lang), |word, term| {
        if let Some(term) = term {
            match weights.get_mut(term) {
                Some(count) => *count += 1.0,
                None => {
                    weights.insert(term.to_string(), 1.0);
                }
            }
        }
        body_marks.word(word);
    });
    let body_marks = body_marks.out;
    for count in weights.values_mut() {
        *count = 1.0 + count.ln();
    }
    let title: HashSet<String> = terms(&article.title, Some(lang)).into_iter().collect();
    for term in title {
        *weights.entry(term).or_default() += TITLE_WEIGHT;
    }
    let mut marks: HashMap<String, f64> = HashMap::default();
    let both = format!("{}\n{}", article.title, head(&body, ENTITY_BYTES));
    for entity in entities::find(&both).entities {
        *marks.entry(format!("@{}", entity.key)).or_default() += 1.0;
    }
    for (found, boost) in [
        (language_free_marks(&article.title, lang), TITLE_WEIGHT),
        (body_marks, 0.0),
    ] {
        for mark in found {
            *marks.entry(mark).or_default() += 1.0 + boost;
        }
    }
    for (mark, count) in marks {
        *weights.entry(mark).or_default() += MARK_WEIGHT * (1.0 + count.ln());
    }
    weights.into_iter().collect()
}

/// The `~skeleton` and `#number` marks of `text` (see the [module docs](self)), once each.
fn language_free_marks(text: &str, lang: &str) -> BTreeSet<String> {
    let mut marks = Marks::new(text, lang);
    for word in words(text) {
        marks.word(word);
    }
    marks.out
}

/// The marks of a text, gathered word by word (see [`language_free_marks`]).
struct Marks<'a> {
    text: &'a str,
    lang: &'a str,
    /// Where the previous word ended.
    previous_end: usize,
    out: BTreeSet<String>,
}

impl<'a> Marks<'a> {
    fn new(text: &'a str, lang: &'a str) -> Self {
        Marks {
            text,
            lang,
            previous_end: 0,
            out: BTreeSet::new(),
        }
    }

    /// Reads `word`, the next word of the text (a slice of it).
    fn word(&mut self, word: &str) {
        let start = word.as_ptr() as usize - self.text.as_ptr() as usize;
        let between = &self.text[self.previous_end..start];
        let opens_sentence =
            self.previous_end == 0 || between.contains(['.', '!', '?', '\n', ':', '«', '"', '“']);
        self.previous_end = start + word.len();
        if let Some(number) = digits(word) {
            if number.len() >= 2 {
                self.out.insert(format!("#{number}"));
            }
            return;
        }
        let first = word.chars().next().unwrap_or(' ');
        if opens_sentence || !first.is_uppercase() || word.chars().count() < 3 {
            return;
        }
        let latin = transliterate(word);
        if is_stop_word(self.lang, &gazette_text::fold(&latin)) {
            return;
        }
        let letters: Vec<char> = name_key(&latin)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        // A last letter is often an inflection (`Abea`, `Putina`).
        let keep = match letters.len() {
            0..=3 => letters.len(),
            n => (n - 1).min(SKELETON_CHARS),
        };
        let key: String = letters[..keep].iter().collect();
        if keep >= 3 {
            self.out.insert(format!("~{key}"));
        }
    }
}

/// The word's digits as ASCII when it is a number (any script's decimal digits,
/// separators dropped).
fn digits(word: &str) -> Option<String> {
    let mut out = String::new();
    for c in word.chars() {
        if let Some(d) = decimal_digit(c) {
            out.push(char::from(b'0' + d));
        } else if matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}') {
            continue;
        } else {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The value of a decimal digit of the scripts most used in news.
fn decimal_digit(c: char) -> Option<u8> {
    const ZEROS: [u32; 9] = [0x30, 0x660, 0x6F0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xBE6, 0xE50];
    let code = u32::from(c);
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .map(|zero| u8::try_from(code - zero).expect("a digit"))
}

/// Cyrillic and Greek letters in Latin letters (a plain, reversible-enough
/// scheme: names only need to meet their Latin spelling's key).
fn transliterate(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let latin = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' | 'є' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'ї' => "i",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            'ґ' => "g",
            'ј' => "j",
            'љ' => "lj",
            'њ' => "nj",
            'ћ' => "c",
            'ђ' => "dj",
            'џ' => "dz",
            'α' | 'ά' => "a",
            'β' => "v",
            'γ' => "g",
            'δ' => "d",
            'ε' | 'έ' => "e",
            'ζ' => "z",
            'η' | 'ή' => "i",
            'θ' => "th",
            'ι' | 'ί' | 'ϊ' => "i",
            'κ' => "k",
            'λ' => "l",
            'μ' => "m",
            'ν' => "n",
            'ξ' => "x",
            'ο' | 'ό' => "o",
            'π' => "p",
            'ρ' => "r",
            'σ' | 'ς' => "s",
            'τ' => "t",
            'υ' | 'ύ' => "y",
            'φ' => "f",
            'χ' => "ch",
            'ψ' => "ps",
            'ω' | 'ώ' => "o",
            _ => {
                out.push(lower);
                continue;
            }
        };
        out.push_str(latin);
    }
    out
}

/// The description and the head of the text.
fn body(article: &Article) -> String {
    let description = article.content.description.as_deref().unwrap_or_default();
    format!("{description}\n{}", head(&article.content.text, BODY_BYTES))
}

/// At most `max` bytes of `text`, ending at a word boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    head.rfind(char::is_whitespace)
        .map_or(head, |space| &head[..space])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::test_support::article;

    /// The article's terms as a map, to look them up by name.
    fn weights(a: &Article) -> BTreeMap<String, f64> {
        let terms = article_terms(a);
        let map: BTreeMap<String, f64> = terms.iter().cloned().collect();
        assert_eq!(map.len(), terms.len(), "each term once");
        assert_eq!(article_terms(a), terms, "the same order every time");
        map
    }

    #[test]
    fn title_terms_weigh_more_than_body_terms() {
        let a = article(
            1,
            "a.fr",
            Some("fr"),
            "Séisme au Japon",
            "Un séisme a frappé le nord. Les secours arrivent.",
        );
        let w = weights(&a);
        assert_eq!(w["japon"], TITLE_WEIGHT);
        assert_eq!(w["secour"], 1.0);
        assert_eq!(w["seism"], 1.0 + TITLE_WEIGHT);
        assert!(w.contains_key("@japan"), "{w:?}");
    }

    #[test]
    fn names_and_numbers_are_marked_across_scripts() {
        let marks = |text: &str, lang: &str| language_free_marks(text, lang);
        let hr = marks(
            "Bivši marinac ubio bivšeg premijera Shinzōa Abea 1932. godine",
            "hr",
        );
        let ru = marks("Бывший премьер Синдзо Абэ убит в 1932 году", "ru");
        let hi = marks("पूर्व प्रधानमंत्री का निधन १९३२", "hi");
        assert!(hr.contains("~abe") && ru.contains("~abe"), "{hr:?} {ru:?}");
        assert!(hr.contains("#1932") && ru.contains("#1932") && hi.contains("#1932"));
        // The word opening a sentence is not taken for a name.
        assert!(!hr.contains("~bivs"), "{hr:?}");
    }

    #[test]
    fn repeated_body_terms_are_damped() {
        let a = article(1, "a.fr", Some("fr"), "", "grève grève grève grève");
        assert!((weights(&a)["grev"] - (1.0 + 4f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn only_the_head_of_long_texts_is_read() {
        let text = format!("{} lointain", "début ".repeat(BODY_BYTES / 6));
        let a = article(1, "a.fr", Some("fr"), "", &text);
        let w = weights(&a);
        assert!(w.contains_key("debut"));
        assert!(!w.contains_key("lointain"));
    }

    #[test]
    fn head_cuts_at_a_word_boundary_inside_multibyte_text() {
        assert_eq!(head("été très chaud", 9), "été");
        assert_eq!(head("court", 100), "court");
    }

    #[test]
    fn a_missing_language_is_guessed_from_title_and_body() {
        let mut a = article(
            1,
            "a.fr",
            None,
            "Les négociations reprennent",
            "Les négociateurs se sont retrouvés à Genève pour les négociations.",
        );
        let guessed = article_terms(&a);
        a.content.lang = Some("fr".into());
        assert_eq!(guessed, article_terms(&a));
    }
}
