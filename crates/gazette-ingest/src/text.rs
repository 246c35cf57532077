//! HTML fragments from feeds turned into plain text.
//!
//! Feed titles and summaries are often HTML, or text with entities that were
//! escaped twice (`&amp;#8217;`). Both functions strip tags and decode entities
//! with the same HTML parser as extraction ([`dom_query`]); text without `<` or
//! `&` skips the parser.

use dom_query::Document;

/// The text of an HTML fragment: paragraphs separated by a blank line,
/// whitespace inside them collapsed.
pub(crate) fn html_to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return collapse_paragraphs(html);
    }
    let document = Document::fragment(html);
    document
        .select("script, style, noscript, template")
        .remove();
    document.formatted_text().trim().to_string()
}

/// The text of an HTML fragment on one line (titles, names).
pub(crate) fn html_to_line(html: &str) -> String {
    collapse_whitespace(&html_to_text(html))
}

/// Collapses every run of whitespace into one space and trims.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text keeping blank-line paragraph breaks, other whitespace collapsed.
pub(crate) fn text_paragraphs(text: &str) -> String {
    collapse_paragraphs(text)
}

fn collapse_paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(collapse_whitespace)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stripped_and_entities_decoded() {
        assert_eq!(
            html_to_line("<b>Caf&eacute;</b> &amp; <i>cr&#232;me</i>\n br&ucirc;l&eacute;e"),
            "Café & crème brûlée"
        );
        assert_eq!(html_to_line("It&#8217;s here"), "It’s here");
    }

    #[test]
    fn paragraphs_are_kept_and_scripts_dropped() {
        let text = html_to_text("<p>One  two</p><script>alert(1)</script><p>Three</p>");
        assert_eq!(text, "One two\n\nThree");
    }

    #[test]
    fn plain_text_skips_the_parser_but_keeps_paragraphs() {
        assert_eq!(html_to_text("  a\n b\r\n\r\n c  "), "a b\n\nc");
        assert_eq!(html_to_line("5 > 3"), "5 > 3");
    }
}
