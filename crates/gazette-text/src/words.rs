//! Word tokens.
//!
//! A word is a run of letters and digits (with their combining marks). Inside a
//! word, one apostrophe or hyphen between two letters or digits is kept
//! (`aujourd'hui`, `Châtenay-Malabry`, `don't`), except that French and Italian
//! elided articles and pronouns are split off without their apostrophe
//! (`l'Américain` → `l`, `Américain`; `qu'il` → `qu`, `il`). Simple numbers stay
//! whole: decimals and thousands written with `,` or `.` (`3,5`, `1.200`) and
//! French thousands separated by a space (`1 200`, `12 000 000`). Han ideographs
//! and kana, written without spaces, are one word each.
//!
//! ```
//! let words: Vec<&str> = gazette_text::words("L'État a payé 1 200 euros, soit 3,5 %.").collect();
//! assert_eq!(words, ["L", "État", "a", "payé", "1 200", "euros", "soit", "3,5"]);
//! ```

use unicode_normalization::char::is_combining_mark;

/// The words of `text`, in order, as slices of it (see the [module docs](self)).
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator over the words of a text, made by [`words`].
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = &self.text[self.pos..];
        let (offset, first) = rest.char_indices().find(|&(_, c)| is_alphanumeric(c))?;
        let start = self.pos + offset;
        if is_unspaced_script(first) {
            self.pos = start + first.len_utf8();
            return Some(&self.text[start..self.pos]);
        }
        let word = &self.text[start..word_end(self.text, start)];
        match split_elision(word) {
            Some((article, apostrophe)) => {
                self.pos = start + article.len() + apostrophe.len_utf8();
                Some(article)
            }
            None => {
                self.pos = start + word.len();
                Some(word)
            }
        }
    }
}

/// Elided forms split off a following word (folded, without the apostrophe).
const ELISIONS: &[&str] = &[
    // French
    "c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
    // Italian
    "all", "dall", "dell", "nell", "sull", "quell", "un",
];

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Spaces used between groups of three digits.
fn is_digit_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}')
}

/// Han ideographs, hiragana and katakana: scripts written without spaces.
pub(crate) fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

fn is_word_char(c: char) -> bool {
    is_alphanumeric(c) && !is_unspaced_script(c)
}

/// [`char::is_alphanumeric`], answered from a bit table below U+3000 (Latin,
/// Greek, Cyrillic, Hebrew, Arabic, the Indic scripts, Thai…): std searches
/// the Unicode tables for every character past ASCII.
pub fn is_alphanumeric(c: char) -> bool {
    const TABLE_END: u32 = 0x3000;
    static TABLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let code = u32::from(c);
    if code >= TABLE_END {
        return c.is_alphanumeric();
    }
    let table = TABLE.get_or_init(|| {
        let mut bits = vec![0u64; (TABLE_END / 64) as usize];
        for code in 0..TABLE_END {
            if char::from_u32(code).is_some_and(char::is_alphanumeric) {
                bits[(code / 64) as usize] |= 1 << (code % 64);
            }
        }
        bits
    });
    table[(code / 64) as usize] >> (code % 64) & 1 == 1
}

/// The byte offset where the word starting at `start` ends.
fn word_end(text: &str, start: usize) -> usize {
    // Fast path: a run of ASCII letters and digits ended by an ASCII character
    // that cannot join it to more (most words of most texts).
    let bytes = text.as_bytes();
    let mut end = start;
    while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
        end += 1;
    }
    match bytes.get(end) {
        None => return end,
        Some(b' ') if !bytes[start..end].iter().all(u8::is_ascii_digit) => return end,
        Some(&b) if b.is_ascii() && !matches!(b, b'\'' | b'-' | b',' | b'.' | b' ') => {
            return end;
        }
        _ => {}
    }
    word_end_general(text, start)
}

/// [`word_end`] for any text.
fn word_end_general(text: &str, start: usize) -> usize {
    let mut end = start;
    let mut prev = None;
    for (i, c) in text[start..].char_indices() {
        let at = start + i;
        if at < end {
            // Inside a digit group already consumed below.
            prev = Some(c);
            continue;
        }
        let after = &text[at + c.len_utf8()..];
        let next = after.chars().next();
        if is_word_char(c) || (prev.is_some() && is_combining_mark(c)) {
            end = at + c.len_utf8();
        } else if prev.is_some_and(is_word_char) && joins(prev, c, next) {
            // The next character is a word character: it extends the word.
        } else if is_digit_group_space(c)
            && is_grouped_number(&text[start..at])
            && starts_with_digit_group(after)
        {
            end = at + c.len_utf8() + DIGIT_GROUP;
        } else {
            break;
        }
        prev = Some(c);
    }
    end
}

/// Whether `c` joins the character before it to the one after it inside a word.
fn joins(prev: Option<char>, c: char, next: Option<char>) -> bool {
    let (Some(prev), Some(next)) = (prev, next) else {
        return false;
    };
    if is_apostrophe(c) || is_hyphen(c) {
        is_word_char(next)
    } else {
        matches!(c, ',' | '.') && prev.is_ascii_digit() && next.is_ascii_digit()
    }
}

/// Digits in a thousands group.
const DIGIT_GROUP: usize = 3;

/// `123`, `1 234`, `12 345 678`: a number whose groups after the first have three digits.
fn is_grouped_number(s: &str) -> bool {
    let all_digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let mut groups = s.split(is_digit_group_space);
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=DIGIT_GROUP).contains(&g.len()) && all_digits(g));
    first_ok && groups.all(|g| g.len() == DIGIT_GROUP && all_digits(g))
}

/// Whether `s` starts with a group of exactly three digits not followed by a word character.
fn starts_with_digit_group(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    digits == DIGIT_GROUP && !s[digits..].chars().next().is_some_and(is_word_char)
}

/// `l'Américain` → (`l`, `'`): an elided form at the start of a word and its apostrophe.
fn split_elision(word: &str) -> Option<(&str, char)> {
    let (i, apostrophe) = word.char_indices().find(|&(_, c)| is_apostrophe(c))?;
    let article = &word[..i];
    ELISIONS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(article))
        .then_some((article, apostrophe))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<&str> {
        words(text).collect()
    }

    #[test]
    fn the_table_agrees_with_std() {
        for c in (0..0x3100).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn fast_path_ends_words_like_the_general_path() {
        let text = "L'État a payé 1 200 euros, soit 3,5 % le 12.03 à 9h30 : ok-là \
                    don't O'Brien anti- x.y 1,2,3 ab1 12 000 000 fin. 安倍 e\u{301}t\u{e9} 42";
        for (start, c) in text.char_indices() {
            let boundary = start == 0 || !text[..start].ends_with(|p: char| p.is_alphanumeric());
            if c.is_alphanumeric() && boundary && !is_unspaced_script(c) {
                assert_eq!(
                    word_end(text, start),
                    word_end_general(text, start),
                    "word at {start}: {:?}",
                    &text[start..]
                );
            }
        }
    }

    #[test]
    fn french_elisions_are_split_off() {
        assert_eq!(
            all("l'Américain qu'il d’avoir jusqu'à l'EPO"),
            [
                "l",
                "Américain",
                "qu",
                "il",
                "d",
                "avoir",
                "jusqu",
                "à",
                "l",
                "EPO"
            ]
        );
    }

    #[test]
    fn intra_word_apostrophes_and_hyphens_are_kept() {
        assert_eq!(
            all("aujourd'hui à Châtenay-Malabry, don't O'Brien -- anti-"),
            [
                "aujourd'hui",
                "à",
                "Châtenay-Malabry",
                "don't",
                "O'Brien",
                "anti"
            ]
        );
    }

    #[test]
    fn simple_numbers_stay_whole() {
        assert_eq!(all("3,5 % et 1 200 euros"), ["3,5", "et", "1 200", "euros"]);
        assert_eq!(
            all("12\u{202F}000\u{A0}000 habitants"),
            ["12\u{202F}000\u{A0}000", "habitants"]
        );
        assert_eq!(all("en 1999, 2005."), ["en", "1999", "2005"]);
    }

    #[test]
    fn a_year_next_to_a_count_is_not_merged() {
        assert_eq!(
            all("en 2009 200 coureurs"),
            ["en", "2009", "200", "coureurs"]
        );
        assert_eq!(all("le 27 janvier"), ["le", "27", "janvier"]);
    }

    #[test]
    fn punctuation_is_not_a_word() {
        assert_eq!(all("« Join » — (Daech) ?!"), ["Join", "Daech"]);
    }

    #[test]
    fn ideographs_are_one_word_each() {
        assert_eq!(all("安倍晋三 Abe"), ["安", "倍", "晋", "三", "Abe"]);
    }

    #[test]
    fn fixture_sentence_tokenizes_as_expected() {
        let text = "La Russie ne doute pas de la possibilité d'un dialogue professionnel entre les militaires russes";
        let w = all(text);
        assert_eq!(w.len(), 16);
        assert!(w.contains(&"possibilité") && w.contains(&"un") && !w.contains(&"d'un"));
    }
}
