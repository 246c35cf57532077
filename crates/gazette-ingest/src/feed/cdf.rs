//! Microsoft's Channel Definition Format (CDF, 1997), still found in old
//! archives: a `<CHANNEL>` of `<ITEM HREF="…">`s with `<TITLE>` and
//! `<ABSTRACT>`. feed-rs does not read it; [`to_rss`] rewrites it as RSS 2.0
//! (so the feed reports itself as RSS 2.0):
//!
//! | CDF                                  | RSS 2.0                        |
//! |--------------------------------------|--------------------------------|
//! | `CHANNEL HREF`, `LASTMOD`            | channel `link`, `lastBuildDate` |
//! | `ITEM HREF`, `LASTMOD`               | item `link`, `updated`         |
//! | `TITLE`, `ABSTRACT`                  | `title`, `description`         |
//!
//! Channels inside the channel are flattened into it; other elements
//! (`LOGO`, `SCHEDULE`, `USAGE`…) are left out.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

/// The CDF document as RSS 2.0, or `None` if it cannot be read through.
pub(super) fn to_rss(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    let mut out = String::from("<rss version=\"2.0\">");
    // What each open CDF element became: the RSS end tag to write, if any.
    let mut open: Vec<Option<&'static str>> = Vec::new();
    // Depth of an element whose content is left out.
    let mut skipping: Option<usize> = None;
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Start(e) => {
                let end = if skipping.is_some() {
                    None
                } else {
                    let (end, skip) = start(&e, open.is_empty(), &mut out);
                    if skip {
                        skipping = Some(open.len());
                    }
                    end
                };
                open.push(end);
            }
            Event::Empty(e) if skipping.is_none() => {
                if let (Some(end), _) = start(&e, open.is_empty(), &mut out) {
                    out.push_str(&format!("</{end}>"));
                }
            }
            Event::End(_) => {
                let end = open.pop()?;
                if skipping == Some(open.len()) {
                    skipping = None;
                }
                if let Some(end) = end {
                    out.push_str(&format!("</{end}>"));
                }
            }
            Event::Text(t) if skipping.is_none() => out.push_str(&escape(t.xml10_content())),
            Event::CData(t) if skipping.is_none() => out.push_str(&escape(t.xml10_content())),
            Event::GeneralRef(r) if skipping.is_none() => {
                out.push('&');
                out.push_str(&r.xml10_content());
                out.push(';');
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.push_str("</rss>");
    Some(out)
}

/// Writes the RSS start of a CDF element; returns the RSS end tag to write
/// when it closes, and whether its content is left out.
fn start(e: &BytesStart<'_>, root: bool, out: &mut String) -> (Option<&'static str>, bool) {
    let name = e.local_name().as_ref().to_ascii_uppercase();
    let attribute = |wanted: &str| {
        e.attributes()
            .with_checks(false)
            .flatten()
            .find(|a| a.key.as_ref().eq_ignore_ascii_case(wanted))
            .map(|a| a.value.into_owned())
    };
    let properties = |updated: &str| {
        let mut written = String::new();
        if let Some(href) = attribute("HREF") {
            written.push_str(&format!("<link>{href}</link>"));
        }
        if let Some(lastmod) = attribute("LASTMOD") {
            written.push_str(&format!("<{updated}>{lastmod}</{updated}>"));
        }
        written
    };
    match name.as_str() {
        "CHANNEL" if root => {
            out.push_str("<channel>");
            out.push_str(&properties("lastBuildDate"));
            (Some("channel"), false)
        }
        // A channel inside the channel: its items join the outer one.
        "CHANNEL" => (None, false),
        "ITEM" => {
            out.push_str("<item>");
            out.push_str(&properties("updated"));
            (Some("item"), false)
        }
        "TITLE" => {
            out.push_str("<title>");
            (Some("title"), false)
        }
        "ABSTRACT" => {
            out.push_str("<description>");
            (Some("description"), false)
        }
        _ => (None, true),
    }
}

#[cfg(test)]
mod tests {
    use super::to_rss;

    #[test]
    fn channels_and_items_become_rss() {
        let cdf = r#"<CHANNEL HREF="http://a.example/" LASTMOD="2004-04-06T23:05:43-05:00">
            <TITLE>Feed &amp; co</TITLE><LOGO HREF="l.gif"><TITLE>no</TITLE></LOGO>
            <ITEM HREF="http://a.example/1"><TITLE>One</TITLE><ABSTRACT>About one</ABSTRACT></ITEM>
            <CHANNEL><ITEM HREF="http://a.example/2"/></CHANNEL></CHANNEL>"#;
        let rss = to_rss(cdf).unwrap();
        let rss: String = rss.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            rss,
            "<rss version=\"2.0\"><channel><link>http://a.example/</link>\
             <lastBuildDate>2004-04-06T23:05:43-05:00</lastBuildDate> <title>Feed &amp; \
             co</title> <item><link>http://a.example/1</link><title>One</title>\
             <description>About one</description></item> <item><link>http://a.example/2</link>\
             </item></channel></rss>"
        );
    }
}
