//! Inputs found by fuzzing (`fuzz/`, see `fuzz/README.md`), minimised, each
//! with what must hold for it now. The same files are in `fuzz/regressions/`.

use std::path::Path;

use gazette_ingest::parse_feed;
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
