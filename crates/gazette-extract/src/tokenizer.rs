//! A byte-level HTML tokenizer that borrows from the page.
//!
//! Written by hand because the extractor's speed is bound by tokenising:
//! html5ever's tokenizer (the standard's state machine, which this crate used
//! before) walks the page one character at a time through a queue of tendrils
//! and allocates every tag, attribute name and value; on the AEB pages it was
//! about 70 % of extraction time. This one finds `<` and `&` with a byte
//! search, hands out slices of the page, and allocates only where a name must
//! be lowercased or a character reference decoded. Nothing recurses.
//!
//! It follows the HTML standard's tokenization where that changes what text
//! and which elements the extractor sees:
//! - start and end tags with names and attributes lowercased, quoted and
//!   unquoted values, `/>`, duplicate attributes dropped (the first wins),
//!   `>` inside quoted values, a tag cut by the end of the page dropped;
//! - comments (`<!-- -->`, `<!-->`, `--!>`), doctypes, `<![CDATA[`, `<?…>` and
//!   `</…>` not starting with a letter skipped as (bogus) comments; a `<`
//!   that opens nothing is text;
//! - raw text (`<script>`, `<style>`…), escapable raw text (`<title>`,
//!   `<textarea>`) and plain text, as the [`Sink`] asks after a start tag,
//!   ended by the appropriate end tag only;
//! - character references: every named reference of the standard (from
//!   html5ever's table), the legacy ones without `;`, longest match first,
//!   the attribute-value exception (`&copy=` stays as written), decimal and
//!   hexadecimal references with the standard's replacements (windows-1252
//!   for 0x80–0x9F, U+FFFD for 0, surrogates and out-of-range values).
//!
//! Simplified against the standard: the script-data escape states (`<!--`
//! inside `<script>` hiding a `</script>`) are not modelled, and carriage
//! returns are passed on as written (the extractor treats them as spaces).
//!
//! ```
//! use gazette_extract::tokenizer::{tokenize, Mode, Sink, Tag};
//! #[derive(Default)]
//! struct Texts(Vec<String>);
//! impl Sink for Texts {
//!     fn start(&mut self, tag: &Tag<'_>) -> Mode {
//!         if tag.name == "script" { Mode::ScriptData } else { Mode::Data }
//!     }
//!     fn end(&mut self, _name: &str) {}
//!     fn text(&mut self, text: &str) { self.0.push(text.to_string()) }
//! }
//! let mut sink = Texts::default();
//! tokenize("<P class=x>Fish &amp; chips<script>if (a<b) {}</script><!-- no -->", &mut sink);
//! assert_eq!(sink.0, ["Fish & chips", "if (a<b) {}"]);
//! ```

use std::borrow::Cow;

use html5ever::data::NAMED_ENTITIES;

/// An attribute of a start tag, its name lowercased and its value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// A start tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The lowercased name.
    pub name: Cow<'a, str>,
    pub attrs: Vec<Attribute<'a>>,
    /// Written `<name … />`.
    pub self_closing: bool,
}

impl Tag<'_> {
    /// The value of the attribute `name` (lowercase), when the tag has it.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_ref())
    }
}

/// How the content after a start tag is read, as the [`Sink`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Markup and character references (the normal case).
    Data,
    /// Text up to the element's end tag, references decoded (`<title>`, `<textarea>`).
    RcData,
    /// Text up to the element's end tag, as written (`<style>`, `<noscript>`…).
    RawText,
    /// Like [`RawText`](Mode::RawText), for `<script>`.
    ScriptData,
    /// The rest of the page is text (`<plaintext>`).
    Plaintext,
}

/// Receives the tokens of [`tokenize`], in page order.
pub trait Sink {
    /// A start tag; the answer says how its content is read.
    fn start(&mut self, tag: &Tag<'_>) -> Mode;
    /// An end tag, by its lowercased name.
    fn end(&mut self, name: &str);
    /// Text, references decoded. Adjacent calls may split one run of text.
    fn text(&mut self, text: &str);
}

/// Tokenises `html` into `sink` (see the [module docs](self)).
pub fn tokenize(html: &str, sink: &mut impl Sink) {
    let bytes = html.as_bytes();
    let mut pos = 0; // where to look for the next `<`
    let mut text_start = 0; // start of the text not yet given to the sink
    let emit_text = |sink: &mut _, from: usize, to: usize| {
        if from < to {
            text(sink, &html[from..to], true);
        }
    };
    while let Some(offset) = memchr::memchr(b'<', &bytes[pos..]) {
        let lt = pos + offset;
        match bytes.get(lt + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let Some((tag, after)) = start_tag(html, lt + 1) else {
                    // A tag cut by the end of the page is dropped.
                    emit_text(sink, text_start, lt);
                    return;
                };
                emit_text(sink, text_start, lt);
                let mode = sink.start(&tag);
                pos = after;
                text_start = after;
                match mode {
                    Mode::Data => {}
                    Mode::Plaintext => {
                        emit_text(sink, after, html.len());
                        return;
                    }
                    Mode::RcData | Mode::RawText | Mode::ScriptData => {
                        let Some(end) = appropriate_end_tag(bytes, after, &tag.name) else {
                            if after < html.len() {
                                text(sink, &html[after..], mode == Mode::RcData);
                            }
                            return;
                        };
                        if after < end {
                            text(sink, &html[after..end], mode == Mode::RcData);
                        }
                        let Some(close) = skip_attributes(html, end + 2 + tag.name.len()) else {
                            return;
                        };
                        sink.end(&tag.name);
                        pos = close;
                        text_start = close;
                    }
                }
            }
            Some(b'/') => match bytes.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let name_end = name_end(bytes, lt + 2);
                    let Some(after) = skip_attributes(html, name_end) else {
                        emit_text(sink, text_start, lt);
                        return;
                    };
                    emit_text(sink, text_start, lt);
                    sink.end(&lowercase(&html[lt + 2..name_end]));
                    pos = after;
                    text_start = after;
                }
                Some(b'>') => {
                    // `</>` is dropped.
                    emit_text(sink, text_start, lt);
                    pos = lt + 3;
                    text_start = pos;
                }
                None => break,
                Some(_) => {
                    emit_text(sink, text_start, lt);
                    pos = bogus_comment_end(bytes, lt + 2);
                    text_start = pos;
                }
            },
            Some(b'!') => {
                emit_text(sink, text_start, lt);
                pos = if bytes[lt + 2..].starts_with(b"--") {
                    comment_end(bytes, lt + 4)
                } else {
                    bogus_comment_end(bytes, lt + 2)
                };
                text_start = pos;
            }
            Some(b'?') => {
                emit_text(sink, text_start, lt);
                pos = bogus_comment_end(bytes, lt + 1);
                text_start = pos;
            }
            // A `<` that opens nothing is text.
            _ => pos = lt + 1,
        }
        if pos >= bytes.len() {
            break;
        }
    }
    emit_text(sink, text_start, html.len());
}

/// Gives `raw` to the sink, its character references decoded unless `as_written`.
fn text(sink: &mut impl Sink, raw: &str, decode_references: bool) {
    sink.text(&decode(raw, false, decode_references));
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Where a tag or attribute name starting at `from` ends.
fn name_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')
        .map_or(bytes.len(), |n| from + n)
}

/// `s` lowercased (ASCII), borrowed when it already is.
fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The start tag whose name starts at `from`, and the position after its `>`;
/// `None` when the page ends inside it.
fn start_tag(html: &str, from: usize) -> Option<(Tag<'_>, usize)> {
    let bytes = html.as_bytes();
    let end = name_end(bytes, from);
    let mut tag = Tag {
        name: lowercase(&html[from..end]),
        attrs: Vec::new(),
        self_closing: false,
    };
    let after = attributes(html, end, &mut |name, value| {
        if !tag.attrs.iter().any(|a| a.name == name) {
            tag.attrs.push(Attribute { name, value });
        }
    })?;
    tag.self_closing = after.1;
    Some((tag, after.0))
}

/// Reads the attributes from `from` to the tag's `>`, giving each to `found`.
/// Returns the position after `>` and whether the tag was self-closing, or
/// `None` when the page ends first.
fn attributes<'a>(
    html: &'a str,
    from: usize,
    found: &mut impl FnMut(Cow<'a, str>, Cow<'a, str>),
) -> Option<(usize, bool)> {
    let bytes = html.as_bytes();
    let mut i = from;
    loop {
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => return Some((i + 1, false)),
            b'/' => {
                if bytes.get(i + 1) == Some(&b'>') {
                    return Some((i + 2, true));
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        // An `=` opening a name belongs to it (the standard's parse error).
        let name_start = i;
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = lowercase(&html[name_start..i]);
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            found(name, Cow::Borrowed(""));
            continue;
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let value = match *bytes.get(i)? {
            quote @ (b'"' | b'\'') => {
                let close = i + 1 + memchr::memchr(quote, &bytes[i + 1..])?;
                let value = &html[i + 1..close];
                i = close + 1;
                value
            }
            b'>' => "",
            _ => {
                let start = i;
                while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                    i += 1;
                }
                &html[start..i]
            }
        };
        found(name, decode(value, true, true));
    }
}

/// Skips an end tag's attributes: the position after its `>`, or `None` at the end of the page.
fn skip_attributes(html: &str, from: usize) -> Option<usize> {
    attributes(html, from, &mut |_, _| {}).map(|(after, _)| after)
}

/// The position after a comment whose content starts at `from` (after `<!--`).
fn comment_end(bytes: &[u8], from: usize) -> usize {
    // `<!-->` and `<!--->` are empty comments.
    if bytes.get(from) == Some(&b'>') {
        return from + 1;
    }
    if bytes[from.min(bytes.len())..].starts_with(b"->") {
        return from + 2;
    }
    let mut i = from;
    while let Some(offset) = memchr::memchr(b'>', &bytes[i..]) {
        let gt = i + offset;
        let before = &bytes[from..gt];
        if before.ends_with(b"--") || before.ends_with(b"--!") {
            return gt + 1;
        }
        i = gt + 1;
    }
    bytes.len()
}

/// The position after a bogus comment (`<!doctype …>`, `<?…>`, `</3>`): its first `>`.
fn bogus_comment_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', &bytes[from..]).map_or(bytes.len(), |o| from + o + 1)
}

/// Where the end tag `</name` that closes raw text starting at `from` begins:
/// the name in any case, followed by a space, `/` or `>`.
fn appropriate_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut i = from;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + offset;
        let tail = &bytes[lt + 1..];
        if tail.first() == Some(&b'/')
            && tail.len() > name.len() + 1
            && tail[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
            && (is_space(tail[name.len() + 1]) || matches!(tail[name.len() + 1], b'/' | b'>'))
        {
            return Some(lt);
        }
        i = lt + 1;
    }
    None
}

/// `raw` with its character references decoded (when `decode_references`).
/// In an attribute value, a named reference without `;` followed by `=` or a
/// letter or digit stays as written.
fn decode(raw: &str, in_attribute: bool, decode_references: bool) -> Cow<'_, str> {
    if !decode_references || !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'&', &bytes[i..]) {
        let amp = i + offset;
        i = amp + 1;
        let Some((decoded, len)) = reference(&raw[amp + 1..], in_attribute) else {
            continue;
        };
        out.push_str(&raw[copied..amp]);
        for c in decoded.into_iter().flatten() {
            out.push(c);
        }
        copied = amp + 1 + len;
        i = copied;
    }
    out.push_str(&raw[copied..]);
    Cow::Owned(out)
}

/// Longest named reference, in bytes, without `&` (`CounterClockwiseContourIntegral;`).
const LONGEST_NAME: usize = 32;

/// The characters of the reference at the start of `rest` (just after `&`)
/// and its length, or `None` when it is not one (the `&` is then text).
fn reference(rest: &str, in_attribute: bool) -> Option<([Option<char>; 2], usize)> {
    let bytes = rest.as_bytes();
    if bytes.first() == Some(&b'#') {
        let (hex, digits_from) = match bytes.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let digits = bytes[digits_from..]
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let text = &rest[digits_from..digits_from + digits];
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let mut len = digits_from + digits;
        if bytes.get(len) == Some(&b';') {
            len += 1;
        }
        return Some(([Some(numeric_character(value)), None], len));
    }
    let run = bytes
        .iter()
        .take(LONGEST_NAME)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if run == 0 {
        return None;
    }
    // The table also holds every prefix of a name, with (0, 0): not a reference.
    let found = |key: &str| {
        NAMED_ENTITIES
            .get(key)
            .filter(|&&(a, _)| a != 0)
            .map(|&(a, b)| [char::from_u32(a), char::from_u32(b).filter(|&c| c != '\0')])
    };
    if bytes.get(run) == Some(&b';')
        && let Some(chars) = found(&rest[..=run])
    {
        return Some((chars, run + 1));
    }
    // Legacy references are written without `;`: the longest that matches.
    for len in (1..=run).rev() {
        if let Some(chars) = found(&rest[..len]) {
            let next = bytes.get(len);
            if in_attribute && next.is_some_and(|&b| b == b'=' || b.is_ascii_alphanumeric()) {
                return None;
            }
            return Some((chars, len));
        }
    }
    None
}

/// The character of a numeric reference, with the standard's replacements.
fn numeric_character(value: u32) -> char {
    const WINDOWS_1252: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let value = match value {
        0x80..=0x9F => WINDOWS_1252[(value - 0x80) as usize],
        0 => 0xFFFD,
        v => v,
    };
    char::from_u32(value).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token as a line: `<name a="v">`, `</name>`, `"text"`.
    #[derive(Default)]
    struct Record {
        out: Vec<String>,
        raw: &'static [&'static str],
    }

    impl Sink for Record {
        fn start(&mut self, tag: &Tag<'_>) -> Mode {
            let attrs: String = tag
                .attrs
                .iter()
                .map(|a| format!(" {}={:?}", a.name, a.value))
                .collect();
            let slash = if tag.self_closing { "/" } else { "" };
            self.out.push(format!("<{}{attrs}{slash}>", tag.name));
            match tag.name.as_ref() {
                "title" => Mode::RcData,
                "script" => Mode::ScriptData,
                "plaintext" => Mode::Plaintext,
                name if self.raw.contains(&name) => Mode::RawText,
                _ => Mode::Data,
            }
        }
        fn end(&mut self, name: &str) {
            self.out.push(format!("</{name}>"));
        }
        fn text(&mut self, text: &str) {
            match self.out.last_mut() {
                Some(last) if last.starts_with('"') => {
                    last.pop();
                    last.push_str(text);
                    last.push('"');
                }
                _ => self.out.push(format!("\"{text}\"")),
            }
        }
    }

    fn tokens(html: &str) -> Vec<String> {
        let mut sink = Record {
            out: Vec::new(),
            raw: &["style", "textarea"],
        };
        tokenize(html, &mut sink);
        sink.out
    }

    #[test]
    fn tags_and_attributes() {
        assert_eq!(
            tokens("<DIV Class=\"a b\" id='x>y' data-n=3 hidden CLASS=dup>t</Div >"),
            [
                "<div class=\"a b\" id=\"x>y\" data-n=\"3\" hidden=\"\">",
                "\"t\"",
                "</div>"
            ]
        );
        assert_eq!(
            tokens("<br/><img src=a.png />"),
            ["<br/>", "<img src=\"a.png\"/>"]
        );
        assert_eq!(tokens("<a href=x/>"), ["<a href=\"x/\">"]);
        assert_eq!(tokens("<p =x a = 'b'>"), ["<p =x=\"\" a=\"b\">"]);
    }

    #[test]
    fn comments_doctypes_and_stray_brackets() {
        assert_eq!(
            tokens("<!DOCTYPE html>a<!-- <p>no</p> -->b<!-->c<!--->d<!-- x --!>e<?php x ?>f</3>g"),
            ["\"abcdefg\""]
        );
        assert_eq!(tokens("1 < 2 <= 3 <> </>x"), ["\"1 < 2 <= 3 <> x\""]);
        assert_eq!(tokens("a<!-- never closed <p>"), ["\"a\""]);
    }

    #[test]
    fn a_tag_cut_by_the_end_of_the_page_is_dropped() {
        assert_eq!(tokens("text<p class=\"x"), ["\"text\""]);
        assert_eq!(tokens("text<p"), ["\"text\""]);
        assert_eq!(tokens("text</p"), ["\"text\""]);
    }

    #[test]
    fn raw_text_ends_at_its_own_end_tag_only() {
        assert_eq!(
            tokens("<script>if (a<b && c</p>) x = '</scripts>';</SCRIPT >after"),
            [
                "<script>",
                "\"if (a<b && c</p>) x = '</scripts>';\"",
                "</script>",
                "\"after\""
            ]
        );
        assert_eq!(
            tokens("<title>Fish &amp; <b>chips</b></title>"),
            ["<title>", "\"Fish & <b>chips</b>\"", "</title>"]
        );
        assert_eq!(
            tokens("<style>a &amp; b</style>"),
            ["<style>", "\"a &amp; b\"", "</style>"]
        );
        assert_eq!(
            tokens("<script>never closed"),
            ["<script>", "\"never closed\""]
        );
        assert_eq!(
            tokens("<plaintext><p>all text</p>"),
            ["<plaintext>", "\"<p>all text</p>\""]
        );
    }

    #[test]
    fn character_references() {
        assert_eq!(
            tokens(
                "&amp;&lt;&eacute;&Eacute &notit; &notin; &#233;&#xE9;&#x80;&#0;&#xD800;&#99999999;&nosuch; & &#; &"
            ),
            ["\"&<éÉ ¬it; ∉ éé€\u{FFFD}\u{FFFD}\u{FFFD}&nosuch; & &#; &\""]
        );
        // Two-character references.
        assert_eq!(tokens("&NotEqualTilde;"), ["\"\u{2242}\u{338}\""]);
        // In attributes, a legacy reference before `=` or a letter stays as written.
        assert_eq!(
            tokens("<a href=\"?a=1&copy=2&amp;b&copyx\" title=&copy;>"),
            ["<a href=\"?a=1&copy=2&b&copyx\" title=\"©\">"]
        );
    }

    proptest::proptest! {
        /// Any mix of markup characters tokenises without panicking, and
        /// every tag given to the sink was in the input.
        #[test]
        fn arbitrary_markup_never_panics(input in "[<>/!?=&#;a-cxX0-9 \"'\\-é\u{0}]{0,60}") {
            let out = tokens(&input);
            for token in out.iter().filter(|t| t.starts_with("</")) {
                let name = &token[2..token.len() - 1];
                proptest::prop_assert!(input.to_ascii_lowercase().contains(name));
            }
        }

        /// Text without `<` or `&` comes out as written.
        #[test]
        fn plain_text_is_unchanged(input in "[^<&]{1,80}") {
            proptest::prop_assert_eq!(tokens(&input), [format!("\"{input}\"")]);
        }
    }

    #[test]
    fn multibyte_text_and_deep_nesting() {
        assert_eq!(tokens("é<p>Ω</p>"), ["\"é\"", "<p>", "\"Ω\"", "</p>"]);
        let deep = "<div>".repeat(100_000);
        assert_eq!(tokens(&deep).len(), 100_000);
    }
}
