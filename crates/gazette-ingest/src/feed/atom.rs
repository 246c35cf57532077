//! Atom as feed-rs reads it: Atom 0.3 turned into Atom 1.0, and text
//! constructs whose `type` feed-rs refuses made readable.
//!
//! feed-rs 3.0.0 knows only the Atom 1.0 namespace, so an Atom 0.3 feed
//! (`xmlns="http://purl.org/atom/ns#"`, still served by old blogs) parses as a
//! feed without entries. And it accepts only `text`, `html` and `xhtml` as the
//! `type` of a title, subtitle, summary or rights: `type="text/plain"` (Atom
//! 0.3's spelling, common in Atom 1.0 feeds too) or a base64-encoded title
//! fails the whole feed.
//!
//! [`normalise`] rewrites such documents with one [`quick_xml`] pass:
//! - the Atom 0.3 namespace becomes Atom 1.0's, and 0.3's element names their
//!   1.0 equivalents (`tagline` → `subtitle`, `copyright` → `rights`,
//!   `issued` → `published`, `modified` → `updated`, `url` → `uri`);
//! - a text construct's media type becomes Atom 1.0's keyword (`text/plain` →
//!   `text`, `text/html` → `html`, `application/xhtml+xml` → `xhtml`, or
//!   `html` when 0.3's `mode="escaped"` says it is escaped markup);
//! - base64 content (0.3's `mode="base64"`, or an Atom 1.0 type that is
//!   neither text nor XML) is decoded when it is UTF-8 text.
//!
//! Documents that need none of this are left alone (`None`).

use std::borrow::Cow;

use base64::Engine;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, Writer};

const ATOM03: &str = "http://purl.org/atom/ns#";
const ATOM10: &str = "http://www.w3.org/2005/Atom";

/// Atom text constructs (1.0 names and 0.3's), and content.
const TEXT_CONSTRUCTS: [&str; 8] = [
    "title",
    "subtitle",
    "summary",
    "rights",
    "content",
    "tagline",
    "copyright",
    "info",
];

/// The document as Atom 1.0 that feed-rs reads, or `None` when it needs no
/// change (or is not well-formed: the strict parser reports that).
pub(super) fn normalise(text: &str) -> Option<String> {
    let atom03 = text.contains(ATOM03);
    if !atom03 && !text.contains("type=") {
        return None;
    }
    let mut reader = NsReader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len() + 64));
    let mut changed = false;
    // Names written for open elements, so end tags match renamed start tags.
    let mut names: Vec<String> = Vec::new();
    // Inside a base64 text construct: its depth and the text collected.
    let mut base64: Option<(usize, String)> = None;
    loop {
        let (namespace, event) = reader.read_resolved_event().ok()?;
        let namespace = match namespace {
            ResolveResult::Bound(ns) if ns.0 == ATOM03 => Some(Atom::V03),
            ResolveResult::Bound(ns) if ns.0 == ATOM10 => Some(Atom::V10),
            _ => None,
        };
        match event {
            Event::Start(e) if base64.is_none() => {
                let (rewritten, decode) = rewrite_start(&e, namespace);
                changed |= rewritten.is_some();
                let element = rewritten.unwrap_or_else(|| e.into_owned());
                names.push(element.name().as_ref().to_string());
                writer.write_event(Event::Start(element)).ok()?;
                if decode {
                    base64 = Some((names.len(), String::new()));
                }
            }
            Event::Empty(e) if base64.is_none() => {
                let (rewritten, _) = rewrite_start(&e, namespace);
                changed |= rewritten.is_some();
                let element = rewritten.unwrap_or_else(|| e.into_owned());
                writer.write_event(Event::Empty(element)).ok()?;
            }
            Event::Text(t) if base64.is_some() => {
                let (_, collected) = base64.as_mut().expect("checked");
                collected.push_str(&t.xml10_content());
            }
            Event::CData(t) if base64.is_some() => {
                let (_, collected) = base64.as_mut().expect("checked");
                collected.push_str(&t.xml10_content());
            }
            Event::End(_) => {
                if let Some((depth, collected)) = base64.take_if(|(d, _)| *d == names.len()) {
                    debug_assert_eq!(depth, names.len());
                    let decoded = decode_base64(&collected);
                    let content = decoded.as_deref().unwrap_or(&collected);
                    writer
                        .write_event(Event::Text(BytesText::new(content)))
                        .ok()?;
                    changed = true;
                }
                let name = names.pop()?;
                writer.write_event(Event::End(BytesEnd::new(name))).ok()?;
            }
            Event::Eof => break,
            // Elements inside base64 text are not expected; keep them out.
            _ if base64.is_some() => {}
            other => writer.write_event(other).ok()?,
        }
    }
    if !changed {
        return None;
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[derive(Clone, Copy, PartialEq)]
enum Atom {
    V03,
    V10,
}

/// The start tag rewritten (`None` if unchanged), and whether its text is
/// base64 to decode.
fn rewrite_start(
    e: &BytesStart<'_>,
    namespace: Option<Atom>,
) -> (Option<BytesStart<'static>>, bool) {
    let local = e.local_name().as_ref().to_string();
    let mut changed = false;
    let new_local = match (namespace, local.as_str()) {
        (Some(Atom::V03), "tagline") => "subtitle",
        (Some(Atom::V03), "copyright") => "rights",
        (Some(Atom::V03), "issued") => "published",
        (Some(Atom::V03), "modified") => "updated",
        (Some(Atom::V03), "url") => "uri",
        _ => local.as_str(),
    };
    changed |= new_local != local;
    let mut kind = None;
    let mut mode = None;
    for attribute in e.attributes().with_checks(false).flatten() {
        match attribute.key.as_ref() {
            "type" => kind = Some(attr_value(&attribute)),
            "mode" if namespace == Some(Atom::V03) => mode = Some(attr_value(&attribute)),
            _ => {}
        }
    }
    // Content with `src` carries a media type for the linked document: kept.
    let has_src = e
        .attributes()
        .with_checks(false)
        .flatten()
        .any(|a| a.key.as_ref() == "src");
    let construct = namespace.is_some() && TEXT_CONSTRUCTS.contains(&local.as_str()) && !has_src;
    let (new_kind, decode) = if construct {
        text_type(
            kind.as_deref(),
            mode.as_deref(),
            local == "content",
            namespace == Some(Atom::V03),
        )
    } else {
        (None, false)
    };
    changed |= new_kind.is_some() || mode.is_some() && construct;
    let mut attributes: Vec<(String, String)> = Vec::new();
    for attribute in e.attributes().with_checks(false).flatten() {
        let key = attribute.key.as_ref().to_string();
        let value = attribute.value.to_string();
        let is_xmlns = key == "xmlns" || key.starts_with("xmlns:");
        if is_xmlns && value.trim() == ATOM03 {
            attributes.push((key, ATOM10.to_string()));
            changed = true;
        } else if construct && key == "mode" && namespace == Some(Atom::V03) {
            // Atom 1.0 has no `mode`; its meaning went into `type`.
        } else if let Some(kind) = new_kind.filter(|_| construct && key == "type") {
            attributes.push((key, kind.to_string()));
        } else {
            attributes.push((key, value));
        }
    }
    if let Some(kind) = new_kind.filter(|_| construct && kind.is_none()) {
        // `mode="escaped"` without a type: the type says it now.
        attributes.push(("type".to_string(), kind.to_string()));
    }
    if !changed {
        return (None, decode);
    }
    let name = match e.name().prefix() {
        Some(prefix) => format!("{}:{new_local}", prefix.as_ref()),
        None => new_local.to_string(),
    };
    let mut start = BytesStart::new(name);
    for (key, value) in &attributes {
        start.push_attribute(Attribute {
            key: QName(key),
            value: Cow::Borrowed(value),
        });
    }
    (Some(start.into_owned()), decode)
}

fn attr_value(attribute: &Attribute<'_>) -> String {
    attribute.value.trim().to_ascii_lowercase()
}

/// The Atom 1.0 `type` for a text construct (`None`: keep it) and whether its
/// text is base64.
fn text_type(
    kind: Option<&str>,
    mode: Option<&str>,
    is_content: bool,
    atom03: bool,
) -> (Option<&'static str>, bool) {
    let escaped = mode == Some("escaped");
    let base64 = mode == Some("base64");
    let Some(kind) = kind else {
        // Atom 0.3's default is text/plain, as Atom 1.0's is text; escaped
        // markup without a type is HTML.
        return (
            (escaped || base64).then_some(if escaped { "html" } else { "text" }),
            base64,
        );
    };
    let is_xml = kind.ends_with("/xml") || kind.ends_with("+xml");
    match kind {
        "text" | "html" | "xhtml" if !escaped => (None, base64),
        "text" | "html" | "xhtml" => (Some("html"), base64),
        "" | "text/plain" => (Some("text"), base64),
        "text/html" => (Some("html"), base64),
        "application/xhtml+xml" if escaped || base64 => (Some("html"), base64),
        "application/xhtml+xml" => (Some("xhtml"), false),
        // Other XML inline: content keeps its type; a title shows its text.
        _ if is_xml && !base64 => ((!is_content).then_some("text"), false),
        _ if kind.starts_with("text/") => ((!is_content).then_some("text"), base64),
        // Atom 1.0: any other media type is base64 (RFC 4287, 4.1.3.3);
        // Atom 0.3 says so with `mode="base64"`.
        _ => (
            (!is_content).then_some("text"),
            base64 || !atom03 || !is_content,
        ),
    }
}

/// Base64 text decoded, when it decodes to UTF-8 text.
fn decode_base64(encoded: &str) -> Option<String> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn atom_03_becomes_atom_10() {
        let atom = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><tagline>s</tagline><entry><title type="text/html" mode="escaped">&lt;b&gt;x&lt;/b&gt;</title><issued>2004-01-01T00:00:00Z</issued><content type="text/html" mode="base64">PGI+eTwvYj4=</content><author><url>http://a/</url></author></entry></feed>"#;
        assert_eq!(
            normalise(atom).unwrap(),
            r#"<feed version="0.3" xmlns="http://www.w3.org/2005/Atom"><subtitle>s</subtitle><entry><title type="html">&lt;b&gt;x&lt;/b&gt;</title><published>2004-01-01T00:00:00Z</published><content type="html">&lt;b&gt;y&lt;/b&gt;</content><author><uri>http://a/</uri></author></entry></feed>"#
        );
    }

    #[test]
    fn media_types_feed_rs_refuses_become_keywords() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="text/plain">a &lt; b</title><summary type="application/octet-stream"> PGI+eTwvYj4= </summary></entry></feed>"#;
        assert_eq!(
            normalise(atom).unwrap(),
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="text">a &lt; b</title><summary type="text">&lt;b&gt;y&lt;/b&gt;</summary></entry></feed>"#
        );
    }

    #[test]
    fn escaped_atom_03_text_without_a_type_becomes_html() {
        let atom = r#"<feed xmlns="http://purl.org/atom/ns#"><title mode="escaped">&lt;b&gt;x&lt;/b&gt;</title></feed>"#;
        assert_eq!(
            normalise(atom).unwrap(),
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;b&gt;x&lt;/b&gt;</title></feed>"#
        );
    }

    #[test]
    fn documents_that_need_nothing_are_left_alone() {
        assert_eq!(
            normalise(
                r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">x</title></feed>"#
            ),
            None
        );
        assert_eq!(normalise("<rss version=\"2.0\"><channel/></rss>"), None);
    }
}
