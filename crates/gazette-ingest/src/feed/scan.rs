//! Light passes over a feed's XML with [`quick_xml`], for what feed-rs does
//! not report: the root element, the position of a syntax error, and per
//! item what feed-rs drops ([`ItemExtras`]).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Reader, XmlVersion};

const MEDIA_RSS: &str = "http://search.yahoo.com/mrss/";

/// The name of the first element of an XML document, if it has one.
pub(super) fn first_element(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The byte offset and description of the first XML syntax error, including
/// an element left open at the end of the document.
pub(super) fn xml_syntax_error(text: &str) -> Option<(u64, String)> {
    let mut reader = Reader::from_str(text);
    let mut open = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open.push(e.name().0.to_string());
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => {
                let name = open.pop()?;
                return Some((
                    text.len() as u64,
                    format!("the document ends before <{name}> is closed"),
                ));
            }
            Ok(_) => {}
            Err(e) => return Some((reader.error_position(), e.to_string())),
        }
    }
}

/// What feed-rs 3.0.0 does not report about an item, found by [`items`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ItemExtras {
    /// The URL of its first `<media:thumbnail>`. feed-rs keeps thumbnails only
    /// next to a `<media:content>`, and many news feeds (BBC News among them)
    /// have thumbnails alone.
    pub thumbnail: Option<String>,
    /// An RSS `<guid>` that is a permalink (`isPermaLink` is not `false`):
    /// the item's URL when it has no `<link>` (RSS 2.0 says so).
    pub permalink: Option<String>,
    /// An RSS `<description>` holding unescaped markup (`<description><p>…`),
    /// which feed-rs reads as no description: its inner XML.
    pub description_markup: Option<String>,
}

/// For each item (RSS) or entry (Atom) in document order, its [`ItemExtras`].
/// Returns an empty list when the XML cannot be read through.
pub(super) fn items(text: &str) -> Vec<ItemExtras> {
    let mut reader = NsReader::from_str(text);
    let mut items: Vec<ItemExtras> = Vec::new();
    let mut depth = 0_u32;
    let mut item_depth = None;
    // An element of the current item whose inner XML is being captured:
    // its name, depth, where its content starts, and its permalink flag.
    let mut capture: Option<(&'static str, u32, usize, bool)> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let Ok((namespace, event)) = reader.read_resolved_event() else {
            return Vec::new();
        };
        let unbound = matches!(namespace, ResolveResult::Unbound);
        let is_media = matches!(namespace, ResolveResult::Bound(ns) if ns.0 == MEDIA_RSS);
        let element = match &event {
            Event::Start(e) => {
                depth += 1;
                Some((e, depth))
            }
            Event::Empty(e) => Some((e, depth + 1)),
            Event::End(_) => {
                if let Some((name, at, start, permalink)) = capture
                    && at == depth
                {
                    let inner = &text[start..before];
                    if let Some(item) = items.last_mut() {
                        match name {
                            "guid" if permalink => {
                                item.permalink = unescape(inner).map(|s| s.trim().to_string());
                            }
                            "description" if has_elements(inner) => {
                                item.description_markup = Some(inner.to_string());
                            }
                            _ => {}
                        }
                    }
                    capture = None;
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
                None
            }
            Event::Eof => return items,
            _ => None,
        };
        let Some((element, at)) = element else {
            continue;
        };
        let name = element.local_name();
        match item_depth {
            None if matches!(name.as_ref(), "item" | "entry") => {
                items.push(ItemExtras::default());
                if matches!(event, Event::Start(_)) {
                    item_depth = Some(at);
                }
            }
            Some(_) if is_media && name.as_ref() == "thumbnail" => {
                if let Some(extras) = items.last_mut()
                    && extras.thumbnail.is_none()
                {
                    extras.thumbnail = attribute(element, "url");
                }
            }
            Some(item)
                if at == item + 1
                    && unbound
                    && capture.is_none()
                    && matches!(event, Event::Start(_))
                    && matches!(name.as_ref(), "guid" | "description") =>
            {
                let permalink = attribute(element, "isPermaLink")
                    .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                let name = if name.as_ref() == "guid" {
                    "guid"
                } else {
                    "description"
                };
                capture = Some((name, at, reader.buffer_position() as usize, permalink));
            }
            _ => {}
        }
    }
}

/// The document with only the `max` newest items (RSS) or entries (Atom)
/// left, and how many it had; `None` when it has no more than `max`, or
/// cannot be read through (feed-rs then reports the error). Items are the
/// `item`/`entry` elements at depth 2 or 3 (`rss/channel/item`,
/// `rdf:RDF/item`, `feed/entry`); an item's date is its first `pubDate`,
/// `published` or `date`, else `updated`; newest as in
/// [`super::parse_feed_limited`]. One pass; the items dropped are never
/// parsed, so feed-rs's model of a huge feed is never built.
pub(super) fn keep_newest_items(text: &str, max: usize) -> Option<(String, usize)> {
    struct Item {
        start: usize,
        end: usize,
        published: Option<String>,
        updated: Option<String>,
    }
    let mut reader = Reader::from_str(text);
    let mut items: Vec<Item> = Vec::new();
    let mut depth = 0_usize;
    // The item being read: its depth; the date field being read: its name.
    let mut item_depth = None;
    let mut field: Option<(bool, String)> = None;
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_event().ok()?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name();
                let name = name.as_ref();
                match item_depth {
                    None if (2..=3).contains(&depth) && matches!(name, "item" | "entry") => {
                        item_depth = Some(depth);
                        items.push(Item {
                            start: position,
                            end: position,
                            published: None,
                            updated: None,
                        });
                    }
                    Some(d) if depth == d + 1 => {
                        let published = matches!(name, "pubDate" | "published" | "date");
                        if published || name == "updated" {
                            field = Some((published, String::new()));
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let name = e.local_name();
                if item_depth.is_none()
                    && (2..=3).contains(&(depth + 1))
                    && matches!(name.as_ref(), "item" | "entry")
                {
                    items.push(Item {
                        start: position,
                        end: reader.buffer_position() as usize,
                        published: None,
                        updated: None,
                    });
                }
            }
            Event::Text(t) => {
                if let Some((_, value)) = field.as_mut() {
                    value.push_str(t.as_ref());
                }
            }
            Event::CData(t) => {
                if let Some((_, value)) = field.as_mut() {
                    value.push_str(t.as_ref());
                }
            }
            Event::End(_) => {
                if let (Some(d), Some(item)) = (item_depth, items.last_mut()) {
                    if depth == d + 1
                        && let Some((published, value)) = field.take()
                    {
                        let slot = if published {
                            &mut item.published
                        } else {
                            &mut item.updated
                        };
                        slot.get_or_insert(value);
                    } else if depth == d {
                        item.end = reader.buffer_position() as usize;
                        item_depth = None;
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if items.len() <= max || item_depth.is_some() {
        return None;
    }
    let date = |item: &Item| {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(crate::dates::parse_date)
                .and_then(crate::dates::to_timestamp)
        };
        parse(&item.published).or_else(|| parse(&item.updated))
    };
    let dates: Vec<_> = items.iter().map(date).collect();
    let keep = super::newest_by(&dates, max);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (item, keep) in items.iter().zip(keep) {
        if !keep {
            out.push_str(&text[copied..item.start]);
            copied = item.end;
        }
    }
    out.push_str(&text[copied..]);
    Some((out, items.len()))
}

/// Whether XML holds an element (not only text, CDATA or comments).
fn has_elements(inner: &str) -> bool {
    let mut reader = Reader::from_str(inner);
    loop {
        match reader.read_event() {
            Ok(Event::Start(_) | Event::Empty(_)) => return true,
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Character data with its references resolved (`None` if it holds markup).
fn unescape(inner: &str) -> Option<String> {
    if inner.contains('<') {
        return None;
    }
    quick_xml::escape::unescape(inner)
        .ok()
        .map(|s| s.into_owned())
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    let attribute = element.try_get_attribute(name).ok()??;
    let value = attribute.normalized_value(XmlVersion::Implicit1_0).ok()?;
    Some(value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_items_are_kept_in_document_order() {
        let xml = "<rss><channel><title>t</title>\
            <item><title>a</title><pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate></item>\
            <item><title>b</title></item>\
            <item><title>c</title><pubDate>Fri, 03 May 2024 10:00:00 GMT</pubDate></item>\
            <item><title>d</title><updated>2024-05-02T10:00:00Z</updated></item>\
            </channel></rss>";
        let (kept, total) = keep_newest_items(xml, 2).unwrap();
        assert_eq!(total, 4);
        assert_eq!(
            kept,
            "<rss><channel><title>t</title>\
            <item><title>c</title><pubDate>Fri, 03 May 2024 10:00:00 GMT</pubDate></item>\
            <item><title>d</title><updated>2024-05-02T10:00:00Z</updated></item>\
            </channel></rss>"
        );
        assert_eq!(keep_newest_items(xml, 4), None);
        let atom = "<feed><entry><id>1</id></entry><entry/><entry><id>3</id></entry></feed>";
        let (kept, _) = keep_newest_items(atom, 1).unwrap();
        assert_eq!(kept, "<feed><entry><id>1</id></entry></feed>");
    }

    #[test]
    fn thumbnails_are_found_per_item() {
        let xml = r#"<rss xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><media:thumbnail url="a.jpg"/><media:thumbnail url="a2.jpg"/></item>
            <item/>
            <item><title>no image</title></item>
            <item><media:group><media:thumbnail url="d.jpg?x=1&amp;y=2"/></media:group></item>
            </channel></rss>"#;
        let thumbnails: Vec<_> = items(xml).into_iter().map(|i| i.thumbnail).collect();
        assert_eq!(
            thumbnails,
            vec![
                Some("a.jpg".into()),
                None,
                None,
                Some("d.jpg?x=1&y=2".into())
            ]
        );
    }

    #[test]
    fn thumbnails_outside_the_media_namespace_are_ignored() {
        let xml = r#"<feed><entry><thumbnail url="x.jpg"/></entry></feed>"#;
        assert_eq!(items(xml), vec![ItemExtras::default()]);
    }

    #[test]
    fn permalink_guids_and_naked_description_markup_are_found() {
        let xml = r#"<rss><channel>
            <item><guid>http://a.example/1?x=1&amp;y=2</guid><description><p>Hi <b>there</b></p></description></item>
            <item><guid isPermaLink="false">http://a.example/2</guid><description>&lt;p&gt;escaped</description></item>
            <item><guid isPermaLink="true">http://a.example/3</guid><description><![CDATA[<p>cdata</p>]]></description></item>
            </channel></rss>"#;
        let found = items(xml);
        let permalinks: Vec<_> = found.iter().map(|i| i.permalink.as_deref()).collect();
        assert_eq!(
            permalinks,
            [
                Some("http://a.example/1?x=1&y=2"),
                None,
                Some("http://a.example/3")
            ]
        );
        let markup: Vec<_> = found
            .iter()
            .map(|i| i.description_markup.as_deref())
            .collect();
        assert_eq!(markup, [Some("<p>Hi <b>there</b></p>"), None, None]);
    }
}
