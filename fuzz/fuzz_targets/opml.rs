//! `gazette_ingest::parse_opml` (`gazette feeds import`), and the round trip
//! through `write_opml` (`gazette feeds export`): what was read is written
//! and read back unchanged (the export groups feeds by folder, so the order
//! may differ, and folder paths are written normalised: `a / b` is `a/b`).
#![no_main]

use gazette_ingest::{OpmlFeed, parse_opml, write_opml};
use libfuzzer_sys::fuzz_target;

/// The feeds in a canonical order, with category paths normalised.
fn normalised(feeds: &[OpmlFeed]) -> Vec<(String, Option<String>, Option<String>, String)> {
    let mut out: Vec<_> = feeds
        .iter()
        .map(|f| {
            let category = f.category.as_deref().unwrap_or_default();
            let category: Vec<&str> = category
                .split('/')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            (
                f.url.to_string(),
                f.title.clone(),
                f.site_url.as_ref().map(ToString::to_string),
                category.join("/"),
            )
        })
        .collect();
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(feeds) = parse_opml(data) else {
        return;
    };
    let written = write_opml("fuzz", &feeds);
    let again = parse_opml(written.as_bytes()).unwrap_or_else(|e| {
        panic!("write_opml wrote OPML that parse_opml refuses: {e}\n{written}")
    });
    assert_eq!(
        normalised(&feeds),
        normalised(&again),
        "OPML round trip changed the feeds:\n{written}"
    );
});
