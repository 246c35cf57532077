//! `gazette_text` on arbitrary UTF-8: the whole `analyze` (language, sentences,
//! terms, entities, quotes with speakers, fingerprint) and the tokenizers it is
//! made of, with the invariants their docs promise: sentences, words and
//! quotations are slices of the text, in order, not overlapping; folding is
//! idempotent; a quote's text is non-empty.
#![no_main]

use gazette_text::{AnalyzeConfig, analyze, fold, quotations, sentences, words};
use libfuzzer_sys::fuzz_target;

/// The byte range of `part` in `text`, which it must be a slice of.
fn range_in(text: &str, part: &str) -> (usize, usize) {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    assert!(
        part.as_ptr() as usize >= text.as_ptr() as usize && start + part.len() <= text.len(),
        "{part:?} is not a slice of the text"
    );
    (start, start + part.len())
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the configured language (none: detect it).
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = match pick % 4 {
        0 => None,
        1 => Some("fr"),
        2 => Some("en"),
        _ => Some("de"),
    };
    let config = AnalyzeConfig {
        lang: lang.map(str::to_string),
    };
    let analysis = analyze(text, &config);
    if lang.is_some() {
        assert_eq!(analysis.lang.as_deref(), lang);
    }
    for quote in &analysis.quotes {
        assert!(!quote.text.trim().is_empty(), "empty quote in {text:?}");
    }
    for (term, count) in &analysis.terms {
        assert!(!term.is_empty() && *count > 0);
    }
    if words(text).next().is_none() {
        assert_eq!(
            analysis.fingerprint, 0,
            "a text without words has fingerprint 0"
        );
    }

    let mut end = 0;
    for sentence in sentences(text) {
        assert!(!sentence.trim().is_empty(), "empty sentence in {text:?}");
        let (s, e) = range_in(text, sentence);
        assert!(s >= end, "sentences overlap or go backwards in {text:?}");
        end = e;
    }
    let mut end = 0;
    for word in words(text) {
        assert!(!word.is_empty());
        let (s, e) = range_in(text, word);
        assert!(s >= end, "words overlap or go backwards in {text:?}");
        end = e;
    }
    let mut end = 0;
    for q in quotations(text) {
        assert!(q.span.start >= end && q.span.end <= text.len() && q.span.start < q.span.end);
        assert!(text.is_char_boundary(q.span.start) && text.is_char_boundary(q.span.end));
        let (s, e) = range_in(text, q.text);
        assert!(
            s >= q.span.start && e <= q.span.end,
            "quote text outside its span"
        );
        end = q.span.end;
    }
    let folded = fold(text);
    assert_eq!(fold(&folded), folded, "fold is not idempotent on {text:?}");
});
