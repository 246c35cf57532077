//! Bytes → text: deciding the character encoding of a fetched document.
//!
//! The order follows the HTML standard's encoding sniffing, simplified:
//! a byte-order mark wins, then the transport's `charset` (HTTP header), then
//! what the document declares about itself (`<meta charset>` for HTML, the XML
//! declaration for feeds), then UTF-8 when the bytes are valid UTF-8, then a
//! statistical guess ([`chardetng`]). Labels are resolved with the WHATWG
//! Encoding Standard, so `ISO-8859-1` means windows-1252, as in browsers.
//!
//! ```
//! use gazette_extract::charset::{decode, Hints};
//! let bytes = b"caf\xe9";                      // Latin-1 "café"
//! let decoded = decode(bytes, Hints { transport: Some("iso-8859-1"), ..Default::default() });
//! assert_eq!(decoded.text, "café");
//! assert_eq!(decoded.encoding.name(), "windows-1252");
//! ```

use encoding_rs::{Encoding, UTF_8};

/// What is known about a document's encoding besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The `charset` parameter of the HTTP `Content-Type`.
    pub transport: Option<&'a str>,
    /// What the document says about itself (`<meta charset>`, XML `encoding=`).
    pub document: Option<&'a str>,
    /// The top-level domain the document came from (`fr`, `ru`), which helps
    /// detection: lowercase ASCII, without the dot.
    pub tld: Option<&'a str>,
}

/// How the encoding was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    ByteOrderMark,
    Transport,
    Document,
    ValidUtf8,
    Detected,
}

/// A decoded document.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub evidence: Evidence,
    /// True when some bytes were not valid in the chosen encoding (replaced by U+FFFD).
    pub had_errors: bool,
}

/// Resolves a charset label. A document's own declaration naming an encoding
/// that is not ASCII-compatible (UTF-16) is ignored: had it been true, the
/// declaration itself would not have been readable as ASCII.
fn label(label: Option<&str>, from_document: bool) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label?.trim().trim_matches(['"', '\'']).as_bytes())?;
    (!from_document || enc.is_ascii_compatible()).then_some(enc)
}

/// Decodes `bytes` following the order described in the module docs.
pub fn decode(bytes: &[u8], hints: Hints<'_>) -> Decoded {
    let (encoding, evidence) = if let Some((enc, _)) = Encoding::for_bom(bytes) {
        (enc, Evidence::ByteOrderMark)
    } else if let Some(enc) = label(hints.transport, false) {
        (enc, Evidence::Transport)
    } else if let Some(enc) = label(hints.document, true) {
        (enc, Evidence::Document)
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, Evidence::ValidUtf8)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        // Only reached when the bytes are not valid UTF-8, so UTF-8 is not a candidate.
        let tld = hints.tld.filter(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        (
            detector.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Deny),
            Evidence::Detected,
        )
    };
    // `decode` strips a BOM of the chosen encoding and replaces malformed sequences.
    let (text, _, had_errors) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        evidence,
        had_errors,
    }
}

/// Decodes an HTML document: [`decode`] with the `<meta charset>` of its first
/// 1,024 bytes as the document's declaration, and the URL's top-level domain
/// as a detection hint.
pub fn decode_html(bytes: &[u8], http_charset: Option<&str>, url: Option<&url::Url>) -> Decoded {
    let declared = html_declared_charset(bytes);
    decode(
        bytes,
        Hints {
            transport: http_charset,
            document: declared.as_deref(),
            tld: url
                .and_then(|u| u.domain())
                .and_then(|d| d.rsplit('.').next()),
        },
    )
}

/// Finds the charset an HTML document declares in its first 1,024 bytes:
/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">`.
pub fn html_declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    // The prescan only looks at ASCII, so a lossy view is enough.
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(pos) = rest.find("<meta") {
        rest = &rest[pos + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(i) = tag.find("charset") {
            let after = tag[i + "charset".len()..].trim_start();
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start().trim_start_matches(['"', '\'']);
                let end = value
                    .find(|c: char| {
                        c == '"' || c == '\'' || c == ';' || c.is_whitespace() || c == '/'
                    })
                    .unwrap_or(value.len());
                if end > 0 {
                    return Some(value[..end].to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_beats_every_declaration() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("été".as_bytes());
        let d = decode(
            &bytes,
            Hints {
                transport: Some("iso-8859-1"),
                document: Some("koi8-r"),
                tld: None,
            },
        );
        assert_eq!(d.text, "été");
        assert_eq!(d.evidence, Evidence::ByteOrderMark);
    }

    #[test]
    fn transport_beats_document() {
        let d = decode(
            b"\x80 caf\xe9",
            Hints {
                transport: Some("windows-1252"),
                document: Some("utf-8"),
                tld: None,
            },
        );
        assert_eq!(d.text, "€ café");
        assert_eq!(d.evidence, Evidence::Transport);
    }

    #[test]
    fn undeclared_latin1_is_detected() {
        let text = "Le président de la République a déclaré à la presse qu'il était très satisfait de l'accord signé.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes, Hints::default());
        assert_eq!(d.text, text);
        assert_eq!(d.evidence, Evidence::Detected);
    }

    #[test]
    fn valid_utf8_without_declaration_is_utf8() {
        let d = decode("Zoë «ça»".as_bytes(), Hints::default());
        assert_eq!(d.text, "Zoë «ça»");
        assert_eq!(d.evidence, Evidence::ValidUtf8);
    }

    #[test]
    fn meta_charset_is_found_in_both_forms() {
        assert_eq!(
            html_declared_charset(b"<html><head><meta charset=\"ISO-8859-1\">").as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(
            html_declared_charset(
                b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
            )
            .as_deref(),
            Some("windows-1252")
        );
        assert_eq!(
            html_declared_charset(b"<meta name=description content=x>"),
            None
        );
    }

    #[test]
    fn utf16_declared_in_ascii_is_ignored() {
        let d = decode(
            b"<meta charset=utf-16>ok",
            Hints {
                transport: None,
                document: Some("utf-16"),
                tld: None,
            },
        );
        assert_eq!(d.text, "<meta charset=utf-16>ok");
        assert_eq!(d.evidence, Evidence::ValidUtf8);
    }
}
