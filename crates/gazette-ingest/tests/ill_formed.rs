//! Real feeds (feed-rs's fixtures, `tests/fixtures/feed-rs/`) broken the ways
//! feeds break in the wild, through [`parse_feed`]: what can be recovered is.
//!
//! - Cut off at a quarter, half and three quarters of their length: every
//!   item before the cut is recovered as it was (same ID, title and link),
//!   in order, and none after it (the item cut in two is dropped whole).
//! - An HTML entity XML does not know (`&nbsp;`) and a stray `&` put into the
//!   first item's title: every item is still there and the title reads as
//!   meant.

use std::path::{Path, PathBuf};

use gazette_core::{FeedEntry, ParsedFeed};
use gazette_ingest::feed::parse_feed;

fn xml_fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feed-rs");
    let mut files = Vec::new();
    for dir in ["atom", "rss0", "rss1", "rss2"] {
        for file in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn key(entry: &FeedEntry) -> (String, Option<String>, Option<String>) {
    (
        entry.id.clone(),
        entry.title.clone(),
        entry.link.as_ref().map(ToString::to_string),
    )
}

fn whole(path: &Path) -> Option<(String, ParsedFeed)> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).ok()?;
    let feed = parse_feed(text.as_bytes(), None, None).ok()?;
    (feed.entries.len() >= 2 && feed.recovered.is_none()).then_some((text, feed))
}

#[test]
fn truncated_feeds_keep_every_item_before_the_cut() {
    let mut cases = 0;
    let mut recovered_items = 0;
    for path in xml_fixtures() {
        let Some((text, feed)) = whole(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let expected: Vec<_> = feed.entries.iter().map(key).collect();
        for quarter in 1..=3 {
            let mut cut = text.len() * quarter / 4;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let prefix = &text[..cut];
            // Items entirely before the cut: their end tags are in the prefix.
            let closed = prefix.matches("</item>").count() + prefix.matches("</entry>").count();
            let parsed = parse_feed(prefix.as_bytes(), None, None)
                .unwrap_or_else(|e| panic!("{name} cut at {cut}: {e}"));
            let got: Vec<_> = parsed.entries.iter().map(key).collect();
            assert_eq!(
                got,
                expected[..closed.min(expected.len())],
                "{name} cut at {cut} of {}",
                text.len()
            );
            assert!(
                parsed.recovered.is_some(),
                "{name} cut at {cut}: read leniently"
            );
            cases += 1;
            recovered_items += got.len();
        }
    }
    assert!(cases >= 27, "only {cases} cases: fixtures missing?");
    eprintln!("{cases} truncated feeds, {recovered_items} items recovered");
}

#[test]
fn undefined_entities_and_stray_ampersands_lose_no_item() {
    let mut cases = 0;
    for path in xml_fixtures() {
        let Some((text, feed)) = whole(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // The first item's title, when it is plain character data.
        let Some(title) = feed.entries[0].title.as_deref() else {
            continue;
        };
        let open = text
            .find(&format!("<title>{title}</title>"))
            .or_else(|| text.find(&format!("<title type=\"text\">{title}</title>")));
        let Some(at) = open else {
            continue;
        };
        let close = at + text[at..].find("</title>").unwrap();
        let broken = format!("{}&nbsp;Q&A{}", &text[..close], &text[close..]);
        let parsed =
            parse_feed(broken.as_bytes(), None, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(parsed.recovered.is_some(), "{name}: not well-formed");
        assert_eq!(parsed.entries.len(), feed.entries.len(), "{name}");
        assert_eq!(
            parsed.entries[0].title.as_deref(),
            Some(format!("{title} Q&A").as_str()),
            "{name}"
        );
        for (a, b) in parsed.entries.iter().zip(&feed.entries).skip(1) {
            assert_eq!(key(a), key(b), "{name}");
        }
        cases += 1;
    }
    assert!(cases >= 6, "only {cases} cases: fixtures missing?");
    eprintln!("{cases} feeds with an undefined entity and a stray & read whole");
}
