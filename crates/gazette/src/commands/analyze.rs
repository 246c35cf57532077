//! `gazette analyze FILE|-`: text analysis of one article, printed as JSON.
//!
//! The input is plain text or HTML, told apart by content (an HTML page starts
//! with a tag and names `<html`, `<body`, `<head`, `<p` or a doctype early on);
//! HTML goes through `gazette_extract::extract` first, and the page's declared
//! language is used when it has one. The output is one JSON object:
//! `{"lang", "sentences", "entities": [{"text", "key", "kind", "count"}],
//! "quotes": [{"text", "speaker"}], "fingerprint"}` (the fingerprint as 16
//! hexadecimal digits).
//!
//! ```text
//! $ gazette analyze article.txt | jq '.quotes[0]'
//! {"text": "Nous ne ferons que saluer une telle décision", "speaker": "Sergueï Lavrov"}
//! ```

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use gazette_core::{Entity, Quote};
use gazette_text::{AnalyzeConfig, analyze};
use serde::Serialize;

use crate::usage;

/// What `gazette analyze` prints.
#[derive(Debug, Serialize)]
struct Output {
    lang: Option<String>,
    sentences: Vec<String>,
    entities: Vec<Entity>,
    quotes: Vec<Quote>,
    fingerprint: String,
}

pub fn run(input: &str) -> anyhow::Result<()> {
    let bytes = if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        bytes
    } else {
        std::fs::read(Path::new(input)).map_err(|e| usage!("cannot read {input}: {e}"))?
    };
    let (text, lang) = article_text(&bytes, input)?;
    let analysis = analyze(&text, &AnalyzeConfig { lang });
    let output = Output {
        lang: analysis.lang,
        sentences: analysis.sentences,
        entities: analysis.entities,
        quotes: analysis.quotes,
        fingerprint: format!("{:016x}", analysis.fingerprint),
    };
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}

/// The text to analyse and the language the input declares, if any.
pub fn article_text(bytes: &[u8], name: &str) -> anyhow::Result<(String, Option<String>)> {
    if !looks_like_html(bytes) {
        let text = String::from_utf8_lossy(bytes);
        return Ok((text.trim_start_matches('\u{feff}').to_string(), None));
    }
    let url: url::Url = "file:///input.html".parse().expect("a valid URL");
    let content = gazette_extract::extract(bytes, &url, None)
        .map_err(|e| usage!("{name}: cannot extract the article: {e}"))?;
    let text = match &content.title {
        Some(title) if !content.text.starts_with(title.as_str()) => {
            format!("{title}\n\n{}", content.text)
        }
        _ => content.text,
    };
    Ok((text, content.lang))
}

/// Whether `bytes` hold an HTML page rather than plain text.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with('<')
        && [
            "<!doctype html",
            "<html",
            "<head",
            "<body",
            "<p",
            "<div",
            "<article",
        ]
        .iter()
        .any(|tag| head.contains(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_told_from_text_by_content() {
        assert!(looks_like_html(
            b"\n<!DOCTYPE html><html><body><p>Bonjour</p></body></html>"
        ));
        assert!(looks_like_html(b"<html lang=\"fr\"><p>x</p></html>"));
        assert!(!looks_like_html(
            "« Nous partirons », a-t-il dit. <p> n'est pas du HTML.".as_bytes()
        ));
        assert!(!looks_like_html(b"a < b and <html> later"));
    }

    #[test]
    fn plain_text_passes_through() {
        let (text, lang) = article_text("\u{feff}Bonjour.".as_bytes(), "x").unwrap();
        assert_eq!(text, "Bonjour.");
        assert_eq!(lang, None);
    }
}
