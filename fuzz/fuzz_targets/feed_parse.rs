//! `gazette_ingest::parse_feed`, the parser behind `gazette feeds parse` and every
//! poll: charset detection and decoding, the `<rss>`-without-version retry, the
//! feed-rs panic guard, and the mapping to gazette's entries.
//!
//! An input whose first byte is below 0x08 uses it to pick the HTTP `charset`
//! (the rest is the body), so seeds taken from real feeds are used as they are.
//! feed-rs panics that the guard catches become `FeedError::ParserPanic`, as in
//! production; their messages are printed once each so a run lists them.
#![no_main]

use std::collections::HashSet;
use std::sync::{Mutex, Once};

use gazette_ingest::{FeedError, parse_feed};
use libfuzzer_sys::fuzz_target;
use url::Url;

const CHARSETS: [Option<&str>; 8] = [
    None,
    Some("utf-8"),
    Some("iso-8859-1"),
    Some("windows-1251"),
    Some("shift_jis"),
    Some("utf-16"),
    Some("gb18030"),
    Some("no-such-charset"),
];

static SEEN_PANICS: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    static HOOK: Once = Once::new();
    // libfuzzer-sys aborts in its panic hook, before the guard in parse_feed
    // can catch feed-rs's panic; restore a hook that lets unwinding reach it.
    // A panic outside the guard still aborts (libfuzzer-sys catches it at the
    // top and aborts), so it is reported as a crash.
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let (charset, body) = match data.first() {
        Some(&b) if b < 0x08 => (CHARSETS[b as usize], &data[1..]),
        _ => (None, data),
    };
    let base = Url::parse("https://feeds.example/news/rss.xml").unwrap();
    match parse_feed(body, Some(&base), charset) {
        Ok(feed) => {
            for entry in &feed.entries {
                // Every entry has an identity (the feed's, its link, or a hash).
                assert!(
                    !entry.id.trim().is_empty(),
                    "entry without an id: {entry:?}"
                );
                // Titles and summaries are single lines of plain text.
                for line in [&entry.title, &entry.summary].into_iter().flatten() {
                    assert_eq!(line.trim(), line, "untrimmed text {line:?}");
                }
            }
        }
        Err(FeedError::ParserPanic { message }) => {
            let mut seen = SEEN_PANICS.lock().unwrap();
            if seen
                .get_or_insert_with(HashSet::new)
                .insert(message.clone())
            {
                eprintln!("feed-rs panic caught by the guard: {message}");
            }
        }
        Err(_) => {}
    }
});
