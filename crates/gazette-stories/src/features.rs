//! What an article looks like to the clusterer: weighted index terms.
//!
//! The title says what the event is, so each distinct title term weighs
//! [`TITLE_WEIGHT`] on top of its body weight. The body is the description
//! (feed summary) and the first [`BODY_BYTES`] of the text: the lead paragraphs
//! carry the event, the rest drifts into background. Body counts are damped
//! (`1 + ln tf`) so one repeated word does not dominate.

use std::collections::{BTreeMap, BTreeSet};

use gazette_core::Article;
use gazette_text::{detect_lang, terms};

/// Extra weight of a term that appears in the title.
const TITLE_WEIGHT: f64 = 3.0;
/// How much of the article text is read, in bytes (cut at a word boundary).
const BODY_BYTES: usize = 2000;

/// Term → weight, before any IDF weighting. Ordered, so that sums over terms
/// add up in the same order every time.
pub(crate) type TermWeights = BTreeMap<String, f64>;

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
    let mut weights = TermWeights::new();
    for term in terms(&body, Some(lang)) {
        *weights.entry(term).or_default() += 1.0;
    }
    for count in weights.values_mut() {
        *count = 1.0 + count.ln();
    }
    let title: BTreeSet<String> = terms(&article.title, Some(lang)).into_iter().collect();
    for term in title {
        *weights.entry(term).or_default() += TITLE_WEIGHT;
    }
    weights
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
    use super::*;
    use crate::test_support::article;

    #[test]
    fn title_terms_weigh_more_than_body_terms() {
        let a = article(
            1,
            "a.fr",
            Some("fr"),
            "Séisme au Japon",
            "Un séisme a frappé le nord. Les secours arrivent.",
        );
        let w = article_terms(&a);
        assert_eq!(w["japon"], TITLE_WEIGHT);
        assert_eq!(w["secour"], 1.0);
        assert_eq!(w["seism"], 1.0 + TITLE_WEIGHT);
    }

    #[test]
    fn repeated_body_terms_are_damped() {
        let a = article(1, "a.fr", Some("fr"), "", "grève grève grève grève");
        assert!((article_terms(&a)["grev"] - (1.0 + 4f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn only_the_head_of_long_texts_is_read() {
        let text = format!("{} lointain", "début ".repeat(BODY_BYTES / 6));
        let a = article(1, "a.fr", Some("fr"), "", &text);
        let w = article_terms(&a);
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
