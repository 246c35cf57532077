//! Line and column of a place in a document, for error messages.

use std::fmt;

/// A 1-based line and column (in characters) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text; an offset
    /// inside a character points just after it).
    pub fn at(text: &str, offset: u64) -> Position {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(text.len());
        let before = &text.as_bytes()[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        // Count characters by their first byte, so a cut character still counts.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count() as u64
            + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// `" at line L, column C"`, or nothing when the position is unknown.
pub(crate) fn at(position: &Option<Position>) -> String {
    position.map(|p| format!(" at {p}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = "ab\ncdé<x";
        assert_eq!(Position::at(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::at(text, 3), Position { line: 2, column: 1 });
        assert_eq!(Position::at(text, 7), Position { line: 2, column: 4 });
        assert_eq!(Position::at(text, 999), Position { line: 2, column: 6 });
        assert_eq!(Position::at(text, 7).to_string(), "line 2, column 4");
    }
}
