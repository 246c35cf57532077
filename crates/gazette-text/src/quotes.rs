//! Quotations: text between matching quotation marks.
//!
//! French guillemets `« … »`, English curly quotes `“ … ”`, German `„ … “` and
//! straight double quotes `" … "` are paired within a paragraph (a line); a mark
//! left open at the end of its line is not a quotation. Only outermost
//! quotations are reported: a quotation nested in another is part of it.
//! Finding who speaks comes later.
//!
//! ```
//! let text = "« Nous ne ferons que saluer une telle décision », a précisé le ministre.";
//! let q = gazette_text::quotations(text);
//! assert_eq!(q[0].text, "Nous ne ferons que saluer une telle décision");
//! ```

use std::ops::Range;

/// A quotation found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotation<'a> {
    /// What is quoted, without the marks and surrounding spaces.
    pub text: &'a str,
    /// Byte range of the whole quotation in the text, marks included.
    pub span: Range<usize>,
}

/// The kinds of quotation marks, each with its opening and closing mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marks {
    Guillemets,
    Curly,
    Low,
    Straight,
}

/// The outermost quotations of `text`, in order (see the [module docs](self)).
pub fn quotations(text: &str) -> Vec<Quotation<'_>> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        quotations_in_line(line, line_start, &mut found);
        line_start += line.len();
    }
    found
        .into_iter()
        .map(|span| quotation(text, span))
        .collect()
}

fn quotation(text: &str, span: Range<usize>) -> Quotation<'_> {
    let inner = &text[span.clone()];
    let open = inner.chars().next().map_or(0, char::len_utf8);
    let close = inner.chars().next_back().map_or(0, char::len_utf8);
    Quotation {
        text: inner[open..inner.len() - close].trim(),
        span,
    }
}

fn quotations_in_line(line: &str, offset: usize, found: &mut Vec<Range<usize>>) {
    // Open marks: their kind and byte position.
    let mut open: Vec<(Marks, usize)> = Vec::new();
    for (i, c) in line.char_indices() {
        let closes = match c {
            '»' => Some(Marks::Guillemets),
            '”' => Some(Marks::Curly),
            '“' if open.last().is_some_and(|&(m, _)| m == Marks::Low) => Some(Marks::Low),
            '"' if open.last().is_some_and(|&(m, _)| m == Marks::Straight) => Some(Marks::Straight),
            _ => None,
        };
        if let Some(kind) = closes {
            // Close the innermost matching mark; marks opened inside it stay unmatched.
            if let Some(depth) = open.iter().rposition(|&(m, _)| m == kind) {
                let (_, start) = open[depth];
                open.truncate(depth);
                if open.is_empty() {
                    found.push(offset + start..offset + i + c.len_utf8());
                }
            }
            continue;
        }
        let opens = match c {
            '«' => Some(Marks::Guillemets),
            '“' => Some(Marks::Curly),
            '„' => Some(Marks::Low),
            '"' => Some(Marks::Straight),
            _ => None,
        };
        if let Some(kind) = opens {
            open.push((kind, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        quotations(text).into_iter().map(|q| q.text).collect()
    }

    #[test]
    fn guillemets_with_french_spacing() {
        assert_eq!(
            texts("« De l'avis général, il faut impliquer ce groupe », a conclu Sergueï Lavrov."),
            ["De l'avis général, il faut impliquer ce groupe"]
        );
    }

    #[test]
    fn several_kinds_of_marks() {
        assert_eq!(
            texts("He said “we will win” and she said \"no\"; er sagte „nein“."),
            ["we will win", "no", "nein"]
        );
    }

    #[test]
    fn nested_quotations_belong_to_the_outer_one() {
        let text = "« Le \"Front\" a dit “non” », a-t-il ajouté.";
        let q = quotations(text);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].text, "Le \"Front\" a dit “non”");
        assert_eq!(&text[q[0].span.clone()], "« Le \"Front\" a dit “non” »");
    }

    #[test]
    fn a_mark_left_open_at_the_end_of_a_line_is_not_a_quotation() {
        assert!(texts("« Il commence ici\net finit là »").is_empty());
        assert_eq!(texts("un \"seul\n« vrai » texte"), ["vrai"]);
    }

    #[test]
    fn spans_are_offsets_in_the_whole_text() {
        let text = "Ligne un.\nIl a dit « oui ».";
        let q = quotations(text);
        assert_eq!(&text[q[0].span.clone()], "« oui »");
    }
}
