//! Sentence splitting, aware of French typography.
//!
//! A line break always ends a sentence (paragraphs and headings stand alone).
//! Within a line, a sentence ends after `.`, `!`, `?` or an ellipsis (`…`,
//! `...`), optionally followed by a closing quotation mark or parenthesis, when
//! whitespace and then a capital letter, a digit or an opening mark follow. It
//! does not end:
//! - after a known abbreviation (`M.`, `Mme`, `Dr.`, `Mr.`, `St.`, …), an initial
//!   (`J. Chirac`) or a dotted abbreviation (`U.S.`, `J.-C.`);
//! - inside a quotation (see [`quotations`](crate::quotes)) unless the
//!   quotation closes right there (`… prêts. » Il a ajouté`);
//! - after an ellipsis followed by a lowercase word;
//! - between two numbers (`6. 1`, a decimal written with a spaced point, as
//!   some sources tokenise `6.1`).
//!
//! CJK full stops (`。！？`) end a sentence without needing a space.
//!
//! ```
//! let s = gazette_text::sentences("M. Lavrov est arrivé. « Nous partirons. Demain. » Il a ajouté…");
//! assert_eq!(s, ["M. Lavrov est arrivé.", "« Nous partirons. Demain. »", "Il a ajouté…"]);
//! ```

use std::ops::Range;

use crate::quotes::quotations;

/// Abbreviations that a period does not end a sentence after (case matters: `Me`
/// is Maître, not "me").
const ABBREVIATIONS: &[&str] = &[
    // French titles and common abbreviations
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Mgr", "Dr", "Pr", "St", "Ste", "av", "bd",
    "cf", "env", "ex", "p", "vol", "art", "janv", "févr", "avr", "juil", "sept", "oct", "nov",
    "déc", // English titles and common abbreviations
    "Mr", "Mrs", "Ms", "Prof", "Gen", "Gov", "Sen", "Rep", "Lt", "Col", "Capt", "Sgt", "Jr", "Sr",
    "vs", "No", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "al",
];

/// The sentences of `text`, trimmed, in order (see the [module docs](self)).
pub fn sentences(text: &str) -> Vec<&str> {
    text.lines().flat_map(sentences_in_line).collect()
}

fn sentences_in_line(line: &str) -> Vec<&str> {
    let quotes: Vec<Range<usize>> = quotations(line).into_iter().map(|q| q.span).collect();
    let mut found = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        let end = is_terminator(c)
            .then(|| sentence_end(line, i, &quotes))
            .flatten();
        match end {
            Some(end) => {
                push_trimmed(&mut found, &line[start..end]);
                start = end;
                i = end;
            }
            None => i += c.len_utf8(),
        }
    }
    push_trimmed(&mut found, &line[start..]);
    found
}

fn push_trimmed<'a>(found: &mut Vec<&'a str>, sentence: &'a str) {
    let sentence = sentence.trim();
    if !sentence.is_empty() {
        found.push(sentence);
    }
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…') || is_cjk_terminator(c)
}

fn is_cjk_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？')
}

fn is_closing_mark(c: char) -> bool {
    matches!(c, '»' | '”' | '“' | '"' | ')' | '’')
}

fn is_sentence_start(c: char) -> bool {
    c.is_uppercase()
        || c.is_numeric()
        || matches!(c, '«' | '“' | '„' | '"' | '(' | '[' | '—' | '–' | '¿' | '¡')
        // Scripts without case (Arabic, Hebrew, CJK, Indic).
        || (c.is_alphabetic() && !c.is_lowercase())
}

/// Where the sentence ends if the terminator at `at` ends one.
fn sentence_end(line: &str, at: usize, quotes: &[Range<usize>]) -> Option<usize> {
    let run = line[at..]
        .char_indices()
        .find(|&(_, c)| !is_terminator(c))
        .map_or(line.len() - at, |(len, _)| len);
    let mut end = at + run;
    // A closing mark, possibly after a (French) space, belongs to the sentence.
    let after = &line[end..];
    let spaced = after.trim_start_matches([' ', '\u{00A0}', '\u{202F}']);
    if let Some(close) = spaced.chars().next().filter(|&c| is_closing_mark(c)) {
        let close_end = end + (after.len() - spaced.len()) + close.len_utf8();
        if close == ')' || quotes.iter().any(|q| q.end == close_end) {
            end = close_end;
        }
    }
    if quotes.iter().any(|q| q.start < at && end < q.end) {
        return None;
    }
    if line[at..end].chars().any(is_cjk_terminator) {
        return Some(end);
    }
    let rest = &line[end..];
    let next = rest.trim_start();
    let spaced_out = next.len() < rest.len();
    if !spaced_out || !next.chars().next().is_some_and(is_sentence_start) {
        return None;
    }
    if &line[at..at + run] == "." && is_abbreviation(word_before(line, at)) {
        return None;
    }
    let digit_before = line[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit());
    if &line[at..end] == "." && digit_before && next.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(end)
}

/// The token just before byte `at`, without opening punctuation.
fn word_before(line: &str, at: usize) -> &str {
    line[..at]
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '«' | '“' | '"' | '[' | '\''))
        .next()
        .unwrap_or_default()
}

fn is_abbreviation(word: &str) -> bool {
    let mut chars = word.chars();
    let initial = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    let dotted = word.contains('.')
        && word
            .chars()
            .all(|c| c.is_alphabetic() || c == '.' || c == '-');
    initial || dotted || ABBREVIATIONS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_initials_do_not_end_sentences() {
        assert_eq!(
            sentences(
                "Mme Dupont a vu M. Martin et le Dr. House. J. Chirac était là. Mr. Smith too."
            ),
            [
                "Mme Dupont a vu M. Martin et le Dr. House.",
                "J. Chirac était là.",
                "Mr. Smith too."
            ]
        );
    }

    #[test]
    fn dotted_abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences("Né en 52 av. J.-C. Auguste régna. The U.S. Army left."),
            ["Né en 52 av. J.-C. Auguste régna.", "The U.S. Army left."]
        );
    }

    #[test]
    fn a_quotation_is_not_split_in_the_middle() {
        let text = "« Nous préférions évidemment un seul partenaire. Si ceux qui sont venus décident \
            de s'unir, nous saluerons cette décision », a précisé le ministre. Il est parti.";
        let s = sentences(text);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].ends_with("a précisé le ministre."));
        assert_eq!(s[1], "Il est parti.");
    }

    #[test]
    fn a_quotation_closing_after_the_period_ends_the_sentence() {
        assert_eq!(
            sentences("Il a dit : « Nous partirons. » Puis il est sorti."),
            ["Il a dit : « Nous partirons. »", "Puis il est sorti."]
        );
        assert_eq!(
            sentences("He said: “We will win.” Then he left."),
            ["He said: “We will win.”", "Then he left."]
        );
    }

    #[test]
    fn ellipses_end_sentences_only_before_a_capital() {
        assert_eq!(
            sentences("Il hésita... puis partit. Enfin… Le silence. Quoi ?! Non."),
            [
                "Il hésita... puis partit.",
                "Enfin…",
                "Le silence.",
                "Quoi ?!",
                "Non."
            ]
        );
    }

    #[test]
    fn decimals_and_lowercase_continuations_do_not_split() {
        assert_eq!(
            sentences("La croissance fut de 2.5 % en 2016. etc. suivi"),
            ["La croissance fut de 2.5 % en 2016. etc. suivi"]
        );
    }

    #[test]
    fn line_breaks_end_sentences() {
        assert_eq!(
            sentences("Soupçons de dopage\nLance Armstrong est soupçonné.\n\n"),
            ["Soupçons de dopage", "Lance Armstrong est soupçonné."]
        );
    }

    #[test]
    fn cjk_full_stops_split_without_spaces() {
        assert_eq!(
            sentences("安倍晋三が死亡した。警察が調べている。"),
            ["安倍晋三が死亡した。", "警察が調べている。"]
        );
    }

    /// Paragraphs of `/work/shared/fixtures/000_f56d7c6173bc8283.txt` (a Sputnik France article).
    const FIXTURE: &str = "Sergueï Lavrov a également indiqué que Moscou aurait salué la formation d'une seule délégation de l'opposition aux négociations sur la Syrie.

« Nous préférions évidemment que le gouvernement syrien ait un seul partenaire aux négociations, mais ne voyons aucun mal dans la présence de plusieurs partenaires. Si ceux qui sont venus notamment le 27 janvier à Moscou pour discuter des résultats de la rencontre d'Astana sur un règlement en Syrie décident de s'unir, nous ne ferons que saluer une telle décision », a précisé le ministre.

© REUTERS/ Khalil Ashawi La Russie n'a reçu aucune donnée des USA sur les groupes terroristes en Syrie

Suivez Sputnik sur Telegram pour ne jamais manquer les actualités les plus importantes grâce à nos sélections du matin et du soir. Pour recevoir les actualités de notre chaîne, il suffit de télécharger l'application Telegram sur n'importe quel smartphone, tablette ou ordinateur puis cliquer sur le lien et appuyer sur « Join »";

    #[test]
    fn fixture_paragraphs_split_into_sentences() {
        let s = sentences(FIXTURE);
        assert_eq!(s.len(), 5, "{s:#?}");
        assert!(s[0].starts_with("Sergueï Lavrov a également") && s[0].ends_with("sur la Syrie."));
        // The two-sentence quotation stays one sentence with its attribution.
        assert!(s[1].starts_with("« Nous préférions") && s[1].ends_with("a précisé le ministre."));
        assert!(s[2].starts_with("© REUTERS/"));
        assert!(s[3].ends_with("du matin et du soir."));
        assert!(s[4].starts_with("Pour recevoir") && s[4].ends_with("« Join »"));
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn a_spaced_decimal_point_does_not_end_a_sentence() {
        assert_eq!(
            sentences("A 6. 1 magnitude quake hit Aceh. 24 people died."),
            ["A 6. 1 magnitude quake hit Aceh.", "24 people died."]
        );
    }
}
