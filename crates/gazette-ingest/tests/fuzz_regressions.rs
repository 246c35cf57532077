//! Inputs found by fuzzing (`fuzz/`, see `fuzz/README.md`), minimised, each
//! with what must hold for it now. The same files are in `fuzz/regressions/`.

use std::path::Path;

use gazette_ingest::{parse_feed, parse_opml, write_opml};
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A second `<?xml … encoding="ISO-8859-1"?>` inside the feed made feed-rs
/// ask quick-xml to switch decoders mid-document, which panics; the guard
/// turned it into `ParserPanic` and the feed could not be read at all.
#[test]
fn a_second_xml_declaration_is_read_not_a_parser_panic() {
    let base = Url::parse("https://news.example/feed.xml").unwrap();
    let feed = parse_feed(&fixture("second-xml-declaration.xml"), Some(&base), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed.title.as_deref(), Some("Second declaration"));
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.entries[0].title.as_deref(), Some("Café opens"));
    // The same with an HTTP charset, which overrides the first declaration.
    let feed = parse_feed(
        &fixture("second-xml-declaration.xml"),
        Some(&base),
        Some("iso-8859-1"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed.entries.len(), 1);
}

/// An outline without a title (its `text` attribute garbled here) was exported
/// with its URL as the text, and that came back as a title on import: the
/// export → import round trip changed the feed.
#[test]
fn an_untitled_feed_survives_export_and_import() {
    let feeds = parse_opml(&fixture("untitled-feed-round-trip.opml")).unwrap();
    assert_eq!(feeds.len(), 2);
    let untitled = feeds
        .iter()
        .find(|f| f.url.as_str() == "https://gamma.erample/rss")
        .unwrap();
    assert_eq!(untitled.title, None);
    let mut again = parse_opml(write_opml("t", &feeds).as_bytes()).unwrap();
    let mut feeds = feeds;
    feeds.sort_by(|a, b| a.url.cmp(&b.url));
    again.sort_by(|a, b| a.url.cmp(&b.url));
    assert_eq!(feeds, again);
}

/// Three `<?xml` openings before the first `?>`: the rewriting of declared
/// encodings (added for `a_second_xml_declaration_is_read_not_a_parser_panic`)
/// found the same `encoding` value three times and replaced it at stale
/// offsets, slicing out of range. Found by the OPML target.
#[test]
fn declarations_sharing_one_end_are_rewritten_once() {
    let bytes = fixture("overlapping-declarations.opml");
    let decoded = gazette_ingest::charset::decode(&bytes, None);
    assert_eq!(decoded.text.matches("encoding=\"utf-8").count(), 1);
    // Whatever it says, it is an answer, not a panic.
    let _ = parse_opml(&bytes);
    let _ = parse_feed(&bytes, None, None);
}

/// A declaration that `charset::decode` does not see as one (it follows a
/// malformed tag holding `<!--`, which quick-xml reads as part of the tag, not
/// as a comment) still made quick-xml panic; the guard now retries with later
/// declarations made ordinary processing instructions.
#[test]
fn a_declaration_hidden_after_a_malformed_tag_is_not_a_parser_panic() {
    let result = parse_feed(&fixture("declaration-after-malformed-tag.xml"), None, None);
    match result {
        Ok(feed) => {
            assert_eq!(feed.title.as_deref(), Some("Hidden declaration"));
            assert_eq!(feed.entries.len(), 2);
        }
        Err(e) => assert!(
            !matches!(e, gazette_ingest::FeedError::ParserPanic { .. }),
            "{e}"
        ),
    }
}
