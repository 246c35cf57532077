//! A lenient second pass for feeds that are not well-formed XML: the text is
//! re-tokenised by hand and written out again as well-formed XML, keeping
//! everything that can be kept, so feed-rs can read what the publisher meant.
//!
//! What it mends:
//! - an undefined entity (`&nbsp;`, `&eacute;`): HTML's named entities become
//!   their characters, any other `&` becomes `&amp;` (a stray `&` in a URL or
//!   a title);
//! - a `<` that starts no tag becomes `&lt;`;
//! - characters XML 1.0 forbids (control characters, U+FFFE, U+FFFF) go;
//! - attributes: unquoted values are quoted, repeated names dropped;
//! - mismatched end tags: an end tag closes the open element of that name
//!   (and those opened inside it); an end tag that matches nothing goes;
//! - anything after the root element goes; a `<!DOCTYPE>` goes (its
//!   entities were most likely HTML's);
//! - a truncated document: an item or entry cut off by the end is dropped
//!   whole (its text would be cut mid-sentence), the elements still open are
//!   closed.
//!
//! Bad bytes in the document's encoding are already U+FFFD by now (the
//! decoder never fails).

use html5ever::data::NAMED_ENTITIES;

/// Elements that stand for one item of a feed: one cut off by the end of the
/// document is dropped.
const ITEMS: [&str; 2] = ["item", "entry"];

/// The text rewritten as well-formed XML.
pub(super) fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    // Open elements: name, the length of `out` before the start tag, and
    // whether an element was opened inside it.
    let mut open: Vec<(String, usize, bool)> = Vec::new();
    let mut root_closed = false;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !root_closed {
                push_text(&mut out, rest);
            }
            break;
        };
        if !root_closed {
            push_text(&mut out, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            // Comments are dropped (an unterminated one runs to the end).
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let (body, next) = match after.find("]]>") {
                Some(end) => (&after[..end], &after[end + 3..]),
                None => (after, ""),
            };
            if !root_closed {
                out.push_str("<![CDATA[");
                out.extend(body.chars().filter(|&c| is_xml_char(c)));
                out.push_str("]]>");
            }
            rest = next;
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").map_or(after.len(), |e| e + 2);
            if out.trim().is_empty() && after.starts_with("xml") {
                out.push_str(&rest[..end + 2]);
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = skip_declaration(after);
        } else if let Some(after) = rest.strip_prefix("</") {
            let name_len = name_length(after);
            let name = &after[..name_len];
            rest = after[name_len..]
                .find('>')
                .map_or("", |end| &after[name_len + end + 1..]);
            // An end tag closes the open element of its name and those
            // inside it; one that matches nothing closes the innermost
            // element if that holds only text (a misspelt `</titel>`), and
            // is dropped otherwise.
            let matching = open.iter().rposition(|(n, _, _)| n == name);
            let at = matching.or_else(|| {
                open.last()
                    .filter(|(_, _, has_child)| !has_child)
                    .map(|_| open.len() - 1)
            });
            if let Some(at) = at {
                while open.len() > at {
                    let (n, _, _) = open.pop().expect("checked");
                    out.push_str(&format!("</{n}>"));
                }
                root_closed = open.is_empty();
            }
        } else {
            let name_len = name_length(&rest[1..]);
            if name_len == 0 {
                if !root_closed {
                    out.push_str("&lt;");
                }
                rest = &rest[1..];
                continue;
            }
            let name = &rest[1..1 + name_len];
            let Some((attributes, empty, next)) = read_attributes(&rest[1 + name_len..]) else {
                // The document ends inside a tag.
                break;
            };
            if !root_closed {
                if let Some(parent) = open.last_mut() {
                    parent.2 = true;
                }
                let start = out.len();
                out.push('<');
                out.push_str(name);
                out.push_str(&attributes);
                if empty {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    open.push((name.to_string(), start, false));
                }
            }
            rest = next;
        }
    }
    // Truncated: drop the outermost item still open, then close the rest.
    if let Some(at) = open.iter().position(|(n, _, _)| ITEMS.contains(&local(n))) {
        out.truncate(open[at].1);
        open.truncate(at);
    }
    while let Some((name, _, _)) = open.pop() {
        out.push_str(&format!("</{name}>"));
    }
    out
}

/// The local part of a prefixed name.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The rest after a `<!DOCTYPE …>` or other declaration (its internal subset
/// in brackets included).
fn skip_declaration(after: &str) -> &str {
    let mut depth = 0_i32;
    let mut quote = None;
    for (i, c) in after.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '>') if depth <= 0 => return &after[i + 1..],
            _ => {}
        }
    }
    ""
}

/// The byte length of the XML name at the start of `s` (0 if none).
fn name_length(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = if i == 0 {
            c.is_alphabetic() || c == '_' || c == ':'
        } else {
            c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.')
        };
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Reads attributes up to the end of a start tag. Returns them written out
/// well-formed (with a leading space each), whether the tag was empty
/// (`/>`), and the text after the tag; `None` when the document ends first.
fn read_attributes(s: &str) -> Option<(String, bool, &str)> {
    let mut out = String::new();
    let mut names: Vec<&str> = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return Some((out, true, after));
        }
        if let Some(after) = rest.strip_prefix('>') {
            return Some((out, false, after));
        }
        if rest.is_empty() {
            return None;
        }
        let name_len = name_length(rest);
        if name_len == 0 {
            // Junk inside the tag: skip a character.
            let c = rest.chars().next().expect("not empty");
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q)?;
                    rest = &body[end + 1..];
                    &body[..end]
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    let mut value = &after[..end];
                    // `a=b/>`: the slash closes the tag.
                    if value.ends_with('/') && after[end..].starts_with('>') {
                        value = &value[..value.len() - 1];
                        rest = &after[end - 1..];
                    } else {
                        rest = &after[end..];
                    }
                    value
                }
            }
        } else {
            // A bare attribute (`<input checked>`) means its own name.
            name
        };
        if names.contains(&name) {
            continue;
        }
        names.push(name);
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        push_text(&mut out, value);
        // In an attribute value, `"` and `<` must be escaped too.
        let start = out.rfind("=\"").expect("just written") + 2;
        let escaped = out[start..].replace('"', "&quot;").replace('<', "&lt;");
        out.truncate(start);
        out.push_str(&escaped);
        out.push('"');
    }
}

/// Appends character data with entities mended and forbidden characters removed.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.extend(rest[..amp].chars().filter(|&c| is_xml_char(c)));
        rest = &rest[amp..];
        let reference = rest[1..]
            .find(';')
            .map(|end| &rest[1..1 + end])
            .filter(|r| !r.is_empty() && r.len() <= 40);
        match reference.and_then(mend_reference) {
            Some(mended) => {
                out.push_str(&mended);
                rest = &rest[reference.expect("matched").len() + 2..];
            }
            None => {
                out.push_str("&amp;");
                rest = &rest[1..];
            }
        }
    }
    out.extend(rest.chars().filter(|&c| is_xml_char(c)));
}

/// A reference (between `&` and `;`) as well-formed XML: character references
/// to allowed characters and XML's five entities as they are, HTML's named
/// entities as their characters; `None` for anything else.
fn mend_reference(reference: &str) -> Option<String> {
    if let Some(number) = reference.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code)
            .filter(|&c| is_xml_char(c))
            .map(|_| format!("&{reference};"));
    }
    if matches!(reference, "amp" | "lt" | "gt" | "quot" | "apos") {
        return Some(format!("&{reference};"));
    }
    let &(first, second) = NAMED_ENTITIES.get(format!("{reference};").as_str())?;
    let chars = [first, second]
        .into_iter()
        .filter(|&c| c != 0)
        .filter_map(char::from_u32);
    Some(chars.map(|c| format!("&#{};", u32::from(c))).collect())
}

/// Whether XML 1.0 allows the character in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c > '\u{FFFF}'
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn entities_and_stray_ampersands_are_mended() {
        assert_eq!(
            repair("<a>Caf&eacute; &nbsp;&amp; R&D &#233; &#0; a < b &x; <3</a>"),
            "<a>Caf&#233; &#160;&amp; R&amp;D &#233; &amp;#0; a &lt; b &amp;x; &lt;3</a>"
        );
    }

    #[test]
    fn mismatched_and_stray_end_tags_are_resolved() {
        assert_eq!(
            repair("<rss><channel><title>t</titl><item><b>x</item></i></channel></rss>"),
            "<rss><channel><title>t</title><item><b>x</b></item></channel></rss>"
        );
    }

    #[test]
    fn a_truncated_item_is_dropped_and_the_rest_closed() {
        assert_eq!(
            repair("<rss><channel><item><title>a</title></item><item><title>cut"),
            "<rss><channel><item><title>a</title></item></channel></rss>"
        );
        assert_eq!(repair("<feed><entry><title x=\"1"), "<feed></feed>");
    }

    #[test]
    fn attributes_are_quoted_and_deduplicated() {
        assert_eq!(
            repair("<link href=a?b&c=1 rel='x' rel=\"y\" hidden/>"),
            "<link href=\"a?b&amp;c=1\" rel=\"x\" hidden=\"hidden\"/>"
        );
    }

    #[test]
    fn doctype_comments_and_trailing_junk_go() {
        assert_eq!(
            repair(
                "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"y\">]><!-- c --><rss>\u{1}a</rss><rss>b</rss>"
            ),
            "<?xml version=\"1.0\"?><rss>a</rss>"
        );
    }
}
