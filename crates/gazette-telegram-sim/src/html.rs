//! Telegram's HTML parse mode, as the Bot API documents it: the text a message
//! shows and its entities, or the error Telegram answers.
//!
//! Supported: `b`/`strong`, `i`/`em`, `u`/`ins`, `s`/`strike`/`del`,
//! `span class="tg-spoiler"`/`tg-spoiler`, `a href`, `tg-emoji emoji-id`,
//! `code`, `pre` (with `<code class="language-…">` inside), `blockquote`
//! (optionally `expandable`). Tags must nest properly; `pre` and `code` hold no
//! other tags (except `code` directly in `pre`); blockquotes do not nest. The
//! named entities are `&lt;`, `&gt;`, `&amp;` and `&quot;`; numeric ones
//! (`&#39;`, `&#x1F600;`) are all accepted; any other `&` is literal text.
//! Offsets and lengths count UTF-16 code units, as Telegram's do.
//!
//! ```
//! use gazette_telegram_sim::html::parse;
//! let parsed = parse("<b>Storm</b> &amp; <a href=\"https://x.example/\">rain</a>").unwrap();
//! assert_eq!(parsed.text, "Storm & rain");
//! assert_eq!(parsed.entities.len(), 2);
//! assert!(parse("<b>unclosed").unwrap_err().contains("Can't find end tag"));
//! ```

use serde::Serialize;

/// A formatted span of the parsed text (Telegram's `MessageEntity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    /// In UTF-16 code units.
    pub offset: usize,
    /// In UTF-16 code units.
    pub length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_emoji_id: Option<String>,
}

/// The text a message shows and its entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub text: String,
    pub entities: Vec<Entity>,
}

/// An open tag while parsing.
struct Open {
    tag: String,
    kind: Option<&'static str>,
    start: usize,
    url: Option<String>,
    language: Option<String>,
    emoji: Option<String>,
}

/// Parses `html` in Telegram's HTML mode. The error is the text after
/// `Bad Request: can't parse entities: `, worded as Telegram words it.
pub fn parse(html: &str) -> Result<Parsed, String> {
    let mut text = String::new();
    let mut units = 0usize; // UTF-16 length of `text`
    let mut entities = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let end = html[i..]
                    .find('>')
                    .map(|e| i + e)
                    .ok_or_else(|| format!("Unclosed start tag at byte offset {i}"))?;
                let inner = &html[i + 1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    let open = stack
                        .pop()
                        .ok_or_else(|| format!("Unexpected end tag at byte offset {i}"))?;
                    if open.tag != name {
                        return Err(format!(
                            "Can't find end tag corresponding to start tag \"{}\"",
                            open.tag
                        ));
                    }
                    close(open, units, &mut entities);
                } else {
                    let open = start_tag(inner, i, units)?;
                    check_nesting(&stack, &open, i)?;
                    stack.push(open);
                }
                i = end + 1;
            }
            b'&' => {
                let (decoded, len) = entity(&html[i..]);
                push(&mut text, &mut units, &decoded);
                i += len;
            }
            _ => {
                let next = html[i..].find(['<', '&']).map_or(html.len(), |n| i + n);
                push(&mut text, &mut units, &html[i..next]);
                i = next;
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.tag
        ));
    }
    entities.sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
    Ok(Parsed { text, entities })
}

fn push(text: &mut String, units: &mut usize, s: &str) {
    text.push_str(s);
    *units += s.encode_utf16().count();
}

/// Records the entity of a closed tag (tags without an entity, and empty
/// entities, leave none).
fn close(open: Open, units: usize, entities: &mut Vec<Entity>) {
    let Some(kind) = open.kind else { return };
    if units == open.start {
        return;
    }
    entities.push(Entity {
        kind: kind.to_string(),
        offset: open.start,
        length: units - open.start,
        url: open.url,
        language: open.language,
        custom_emoji_id: open.emoji,
    });
}

/// Reads a start tag's name and attributes.
fn start_tag(inner: &str, at: usize, units: usize) -> Result<Open, String> {
    let inner = inner.trim_end_matches('/').trim();
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let tag = inner[..name_end].to_ascii_lowercase();
    let attributes = attributes(&inner[name_end..])
        .ok_or_else(|| format!("Unclosed start tag at byte offset {at}"))?;
    let attr = |name: &str| {
        attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut open = Open {
        tag: tag.clone(),
        kind: None,
        start: units,
        url: None,
        language: None,
        emoji: None,
    };
    open.kind = Some(match tag.as_str() {
        "b" | "strong" => "bold",
        "i" | "em" => "italic",
        "u" | "ins" => "underline",
        "s" | "strike" | "del" => "strikethrough",
        "tg-spoiler" => "spoiler",
        "span" if attr("class").as_deref() == Some("tg-spoiler") => "spoiler",
        "span" => {
            return Err(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {at}"
            ));
        }
        "a" => {
            let href = attr("href").unwrap_or_default();
            if href.is_empty() {
                // Telegram keeps the text and drops a link without a target.
                open.kind = None;
                return Ok(open);
            }
            open.url = Some(href);
            "text_link"
        }
        "tg-emoji" => {
            open.emoji = Some(attr("emoji-id").ok_or_else(|| {
                format!("Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {at}")
            })?);
            "custom_emoji"
        }
        "code" => {
            open.language =
                attr("class").and_then(|c| c.strip_prefix("language-").map(str::to_string));
            "code"
        }
        "pre" => "pre",
        "blockquote" => {
            if attributes.iter().any(|(k, _)| k == "expandable") {
                "expandable_blockquote"
            } else {
                "blockquote"
            }
        }
        _ => {
            return Err(format!(
                "Unsupported start tag \"{tag}\" at byte offset {at}"
            ));
        }
    });
    Ok(open)
}

/// Attributes as (lowercase name, decoded value); `None` when malformed.
fn attributes(mut s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Some(out);
        }
        let name_end = s
            .find(|c: char| c == '=' || c.is_ascii_whitespace())
            .unwrap_or(s.len());
        let name = s[..name_end].to_ascii_lowercase();
        s = s[name_end..].trim_start();
        let value = if let Some(rest) = s.strip_prefix('=') {
            let rest = rest.trim_start();
            let (value, remaining) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = rest[1..].find(q)?;
                    (&rest[1..1 + close], &rest[close + 2..])
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(rest.len());
                    (&rest[..end], &rest[end..])
                }
            };
            s = remaining;
            decode_entities(value)
        } else {
            String::new()
        };
        out.push((name, value));
    }
}

/// `pre` and `code` hold no other tags (but `code` in `pre`); blockquotes do not nest.
fn check_nesting(stack: &[Open], open: &Open, at: usize) -> Result<(), String> {
    if let Some(parent) = stack.last() {
        let code_in_pre = parent.tag == "pre" && open.tag == "code";
        if matches!(parent.tag.as_str(), "pre" | "code") && !code_in_pre {
            return Err(format!(
                "Can't use tag \"{}\" inside tag \"{}\" at byte offset {at}",
                open.tag, parent.tag
            ));
        }
    }
    if open.tag == "blockquote" && stack.iter().any(|o| o.tag == "blockquote") {
        return Err(format!("Blockquotes can't be nested at byte offset {at}"));
    }
    Ok(())
}

/// An entity at the start of `s` (which starts with `&`): its text and its
/// length in bytes. Anything that is not a supported entity is a literal `&`.
fn entity(s: &str) -> (String, usize) {
    let literal = ("&".to_string(), 1);
    let Some(end) = s[1..].find(';').map(|e| e + 1).filter(|e| *e <= 12) else {
        return literal;
    };
    let name = &s[1..end];
    let decoded = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => name.strip_prefix('#').and_then(|n| {
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }),
    };
    match decoded {
        Some(c) => (c.to_string(), end + 1),
        None => literal,
    }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i] == b'&' {
            let (text, len) = entity(&s[i..]);
            out.push_str(&text);
            i += len;
        } else {
            let next = s[i..].find('&').map_or(s.len(), |n| i + n);
            out.push_str(&s[i..next]);
            i = next;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(p: &Parsed) -> Vec<(&str, usize, usize)> {
        p.entities
            .iter()
            .map(|e| (e.kind.as_str(), e.offset, e.length))
            .collect()
    }

    #[test]
    fn nested_entities_and_utf16_offsets() {
        let p = parse("😀 <b>gras <i>et</i></b> <blockquote>« cité »</blockquote>").unwrap();
        assert_eq!(p.text, "😀 gras et « cité »");
        assert_eq!(
            kinds(&p),
            [("bold", 3, 7), ("italic", 8, 2), ("blockquote", 11, 8)]
        );
    }

    #[test]
    fn entities_are_decoded_and_bare_ampersands_kept() {
        let p = parse("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27; AT&T &nbsp;").unwrap();
        assert_eq!(p.text, "a <b> & \"c\" 'd' AT&T &nbsp;");
    }

    #[test]
    fn links_keep_their_decoded_url() {
        let p = parse("<a href=\"https://x.example/?a=1&amp;b=2\">x</a>").unwrap();
        assert_eq!(
            p.entities[0].url.as_deref(),
            Some("https://x.example/?a=1&b=2")
        );
    }

    #[test]
    fn telegrams_errors() {
        assert_eq!(
            parse("<p>x</p>").unwrap_err(),
            "Unsupported start tag \"p\" at byte offset 0"
        );
        assert!(
            parse("<b>x</i>")
                .unwrap_err()
                .contains("Can't find end tag")
        );
        assert!(
            parse("x</b>")
                .unwrap_err()
                .starts_with("Unexpected end tag")
        );
        assert!(
            parse("a < b")
                .unwrap_err()
                .starts_with("Unclosed start tag")
        );
        assert!(
            parse("<code><b>x</b></code>")
                .unwrap_err()
                .contains("inside tag")
        );
        assert!(
            parse("<blockquote><blockquote>x</blockquote></blockquote>")
                .unwrap_err()
                .contains("nested")
        );
        assert!(parse("<pre><code class=\"language-rust\">x</code></pre>").is_ok());
    }
}
