//! Character encodings: deciding how a document's bytes are to be read, and
//! decoding them to UTF-8.
//!
//! Feeds in the wild are labelled inconsistently: an XML declaration saying
//! `ISO-8859-1` on a UTF-8 body, an HTTP header contradicting the declaration,
//! no label at all on windows-1252 text. [`decode`] settles the question once,
//! in this order (the first that applies wins):
//!
//! 1. a byte order mark;
//! 2. the `charset` of the HTTP `Content-Type`;
//! 3. the `encoding` of the XML declaration;
//! 4. UTF-8, when the bytes are valid UTF-8;
//! 5. a statistical guess (`chardetng`), which falls back to windows-1252.
//!
//! Labels are resolved as browsers do ([`encoding_rs`]'s WHATWG table), so
//! `ISO-8859-1` reads as windows-1252 and curly quotes or `€` survive. The XML
//! declaration of the decoded text is rewritten to say `utf-8`, so that an XML
//! parser reading the result does not decode it a second time.
//!
//! ```
//! use gazette_ingest::charset::{decode, CharsetSource};
//! let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>";
//! let decoded = decode(bytes, None);
//! assert_eq!(decoded.source, CharsetSource::Document);
//! assert_eq!(decoded.text, "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>café</rss>");
//! ```

use std::ops::Range;

use encoding_rs::Encoding;
use gazette_extract::charset::{self as html_charset, Hints};

/// Where the encoding of a document was found.
pub use gazette_extract::charset::Evidence as CharsetSource;

/// A document decoded to UTF-8.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text, without byte order mark, its XML declaration (if any) saying `utf-8`.
    pub text: String,
    /// The encoding the bytes were read with.
    pub encoding: &'static Encoding,
    /// Why that encoding was chosen.
    pub source: CharsetSource,
}

/// Decodes a document to UTF-8 (see the [module docs](self) for the order of
/// precedence). Malformed sequences become U+FFFD; decoding never fails.
///
/// The order itself is shared with HTML pages ([`gazette_extract::charset`]);
/// what is particular to feeds is where the document declares its encoding
/// (the XML declaration) and that the declaration is rewritten after decoding.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let declared =
        declared_encoding(bytes).map(|range| String::from_utf8_lossy(&bytes[range]).into_owned());
    let decoded = html_charset::decode(
        bytes,
        Hints {
            transport: http_charset,
            document: declared.as_deref(),
            tld: None,
        },
    );
    let mut text = decoded.text;
    // Later declarations too: feed-rs switches the decoder on every one it
    // meets, and quick-xml panics when that happens after the document's
    // start (found by fuzzing: a feed with a second `<?xml … encoding="ISO-8859-1"?>`).
    for range in declared_encodings(text.as_bytes()).into_iter().rev() {
        text.replace_range(range, "utf-8");
    }
    Decoded {
        text,
        encoding: decoded.encoding,
        source: decoded.evidence,
    }
}

/// The byte range of the `encoding` value in a leading XML declaration
/// (`<?xml version="1.0" encoding="…"?>`, leading whitespace allowed).
fn declared_encoding(bytes: &[u8]) -> Option<Range<usize>> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = start + rest.windows(2).position(|w| w == b"?>")?;
    let decl = &bytes[..end];
    let key = find(decl, b"encoding")?;
    let mut i = key + b"encoding".len();
    let skip_spaces = |mut i: usize| {
        while decl.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    i = skip_spaces(i);
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i = skip_spaces(i + 1);
    let quote = *decl.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
    let value_start = i + 1;
    let value_len = decl[value_start..].iter().position(|&b| b == quote)?;
    Some(value_start..value_start + value_len)
}

/// The byte ranges of the `encoding` values of every XML declaration that an
/// XML parser would report: the leading one, and any `<?xml …?>` further on
/// outside comments and CDATA sections (not well-formed, but parsers report
/// them as declarations all the same).
fn declared_encodings(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + p;
        let rest = &bytes[at..];
        let skip_to = |end: &[u8]| find(rest, end).map_or(bytes.len(), |e| at + e + end.len());
        i = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<?xml")
            && rest
                .get(5)
                .is_some_and(|&b| b.is_ascii_whitespace() || b == b'?')
        {
            // The value lies inside this declaration, and scanning goes on
            // after it, so ranges never overlap (fuzzing found overlapping
            // ones when the first `?>` belonged to a later declaration).
            let Some(end) = find(rest, b"?>") else {
                break;
            };
            if let Some(range) = declared_encoding(&rest[..end + 2]) {
                found.push(at + range.start..at + range.end);
            }
            at + end + 2
        } else {
            at + 1
        };
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_without_label_is_read_as_utf8() {
        let d = decode("<rss>café — “quoted”</rss>".as_bytes(), None);
        assert_eq!(d.source, CharsetSource::ValidUtf8);
        assert_eq!(d.text, "<rss>café — “quoted”</rss>");
    }

    #[test]
    fn declared_iso_8859_1_is_read_as_windows_1252() {
        // 0x80 is € in windows-1252 (a C1 control in strict ISO-8859-1).
        let bytes = b"<?xml version='1.0' encoding='ISO-8859-1'?><t>\xe9 \x80</t>";
        let d = decode(bytes, None);
        assert_eq!(d.source, CharsetSource::Document);
        assert_eq!(d.encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(d.text, "<?xml version='1.0' encoding='utf-8'?><t>é €</t>");
    }

    #[test]
    fn undeclared_windows_1252_is_detected() {
        let bytes =
            b"<rss><title>L'\x93\xe9t\xe9\x94 co\xfbte 5 \x80 \x96 d\xe9j\xe0 vu</title></rss>";
        let d = decode(bytes, None);
        assert_eq!(d.source, CharsetSource::Detected);
        assert_eq!(
            d.text,
            "<rss><title>L'“été” coûte 5 € – déjà vu</title></rss>"
        );
    }

    #[test]
    fn http_charset_overrides_the_declaration() {
        let bytes = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>café</t>".as_bytes();
        let d = decode(bytes, Some("utf-8"));
        assert_eq!(d.source, CharsetSource::Transport);
        assert_eq!(
            d.text,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><t>café</t>"
        );
    }

    #[test]
    fn unknown_http_charset_is_ignored() {
        let d = decode(b"<t>caf\xc3\xa9</t>", Some("x-no-such-charset"));
        assert_eq!(d.source, CharsetSource::ValidUtf8);
        assert_eq!(d.text, "<t>café</t>");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>été €</t>";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&bytes, Some("iso-8859-1"));
        assert_eq!(d.source, CharsetSource::ByteOrderMark);
        assert_eq!(d.encoding, encoding_rs::UTF_16LE);
        assert_eq!(
            d.text,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><t>été €</t>"
        );
    }

    #[test]
    fn ascii_readable_utf16_declaration_is_ignored() {
        let d = decode(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><t>x</t>", None);
        assert_eq!(d.source, CharsetSource::ValidUtf8);
    }

    #[test]
    fn later_declarations_say_utf8_too_outside_comments_and_cdata() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><?xml version=\"1.0\" \
                    encoding=\"ISO-8859-1\" ?><![CDATA[<?xml version='1.0' encoding='koi8-r'?>]]>\
                    <!-- <?xml version='1.0' encoding='koi8-r'?> --><?xml-stylesheet encoding='x'?></rss>";
        let d = decode(text.as_bytes(), None);
        assert_eq!(
            d.text,
            text.replace("UTF-8", "utf-8")
                .replace("ISO-8859-1", "utf-8")
        );
    }

    #[test]
    fn declaration_value_is_located_with_spaces_and_quotes() {
        let bytes = b"  <?xml version=\"1.0\" encoding = 'koi8-r' ?><t/>";
        let range = declared_encoding(bytes).unwrap();
        assert_eq!(&bytes[range], b"koi8-r");
        assert_eq!(declared_encoding(b"<rss encoding='x'/>"), None);
        assert_eq!(declared_encoding(b"<?xml version='1.0'?><t/>"), None);
    }
}
