//! `gazette_extract::extract`: HTML bytes from a URL to an article
//! (charset decoding, the tokenizer pass, content selection, metadata).
//!
//! An input whose first byte is below 0x08 uses it to pick the HTTP `charset`
//! (the rest is the page), so seeds taken from real pages are used as they are.
#![no_main]

use gazette_extract::extract;
use libfuzzer_sys::fuzz_target;
use url::Url;

const CHARSETS: [Option<&str>; 8] = [
    None,
    Some("utf-8"),
    Some("windows-1252"),
    Some("koi8-r"),
    Some("euc-jp"),
    Some("utf-16le"),
    Some("big5"),
    Some("x-unknown"),
];

fuzz_target!(|data: &[u8]| {
    let (charset, page) = match data.first() {
        Some(&b) if b < 0x08 => (CHARSETS[b as usize], &data[1..]),
        _ => (None, data),
    };
    let url = Url::parse("https://news.example/2026/01/15/story.html").unwrap();
    if let Ok(article) = extract(page, &url, charset) {
        // Extracted text is what the page says, never more than it holds.
        assert!(
            article.text.len() <= page.len() * 3 + 16,
            "{} bytes of text from a {}-byte page",
            article.text.len(),
            page.len()
        );
        if let Some(title) = &article.title {
            assert_eq!(title.trim(), title, "untrimmed title");
        }
    }
});
