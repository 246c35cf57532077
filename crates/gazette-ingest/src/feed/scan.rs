//! Light passes over a feed's XML with [`quick_xml`], for what feed-rs does
//! not report: the root element, the position of a syntax error, and
//! MediaRSS thumbnails that feed-rs drops.

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

/// For each item (RSS) or entry (Atom) in document order, the URL of its first
/// `<media:thumbnail>`. feed-rs 3.0.0 keeps thumbnails only next to a
/// `<media:content>`, and many news feeds (BBC News among them) have thumbnails
/// alone. Returns an empty list when the XML cannot be read through.
pub(super) fn item_thumbnails(text: &str) -> Vec<Option<String>> {
    let mut reader = NsReader::from_str(text);
    let mut thumbnails = Vec::new();
    let mut depth = 0_u32;
    let mut item_depth = None;
    loop {
        let Ok((namespace, event)) = reader.read_resolved_event() else {
            return Vec::new();
        };
        let is_media = matches!(namespace, ResolveResult::Bound(ns) if ns.0 == MEDIA_RSS);
        let element = match &event {
            Event::Start(e) => {
                depth += 1;
                Some((e, depth))
            }
            Event::Empty(e) => Some((e, depth + 1)),
            Event::End(_) => {
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
                None
            }
            Event::Eof => return thumbnails,
            _ => None,
        };
        let Some((element, at)) = element else {
            continue;
        };
        let name = element.local_name();
        match item_depth {
            None if matches!(name.as_ref(), "item" | "entry") => {
                thumbnails.push(None);
                if matches!(event, Event::Start(_)) {
                    item_depth = Some(at);
                }
            }
            Some(_) if is_media && name.as_ref() == "thumbnail" => {
                if let Some(slot @ None) = thumbnails.last_mut() {
                    *slot = attribute(element, "url");
                }
            }
            _ => {}
        }
    }
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
    fn thumbnails_are_found_per_item() {
        let xml = r#"<rss xmlns:media="http://search.yahoo.com/mrss/"><channel>
            <item><media:thumbnail url="a.jpg"/><media:thumbnail url="a2.jpg"/></item>
            <item/>
            <item><title>no image</title></item>
            <item><media:group><media:thumbnail url="d.jpg?x=1&amp;y=2"/></media:group></item>
            </channel></rss>"#;
        assert_eq!(
            item_thumbnails(xml),
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
        assert_eq!(item_thumbnails(xml), vec![None]);
    }
}
