//! Direct quotes and who said them, in French and English.
//!
//! Every [quotation](crate::quotes) is a candidate. Its speaker is looked for
//! in this order, within the quotation's paragraph:
//! 1. **after** it, up to the end of the sentence: a speech verb close to the
//!    closing mark (`», a déclaré X`, `», a indiqué le ministre`, `», a-t-il
//!    ajouté`, `," X said`, `," said X`, `," he told reporters`) or `selon X` /
//!    `according to X`;
//! 2. **before** it, in the same sentence: `X a déclaré : «`, `X said: "`,
//!    `Selon X, «`, `According to X, "`, `X a ajouté que «`.
//!
//! The speaker named there is a person mention (its full name), a role
//! (`le ministre`, `the spokesman`: the last person who spoke with that role,
//! else the last person who spoke) or a pronoun (`il`, `-t-elle`, `he`: the
//! last person who spoke). Who spoke last is followed through the text, from
//! direct quotes and from reported speech too (`a déclaré lundi le chef de la
//! diplomatie russe Sergueï Lavrov`).
//!
//! A paragraph that opens with a quotation naming nobody continues the last
//! speaker (the press convention for quotes over several paragraphs).
//!
//! A quotation without a speaker is kept only when it is long enough to be
//! speech ([`MIN_UNATTRIBUTED_WORDS`]); short ones are titles, scare quotes or
//! button labels (`appuyer sur « Join »`).
//!
//! ```
//! use gazette_text::attribution::direct_quotes;
//! use gazette_text::entities;
//! let text = "Sergueï Lavrov a parlé lundi.\n\n« Nous saluerons une telle décision », a précisé le ministre.";
//! let quotes = direct_quotes(text, &entities::find(text));
//! assert_eq!(quotes[0].speaker.as_deref(), Some("Sergueï Lavrov"));
//! ```

use std::ops::Range;

use gazette_core::{EntityKind, Quote};

use crate::entities::{Found, Mention, ROLE_SET};
use crate::fold::fold;
use crate::quotes::quotations;
use crate::words::words;

/// Fewest words of a quotation reported without a speaker.
pub const MIN_UNATTRIBUTED_WORDS: usize = 8;
/// Fewest words of a quote that continues the last speaker's words.
const CONTINUATION_MIN_WORDS: usize = 4;
/// Words after a closing mark within which the speech verb must come.
const VERB_WINDOW_AFTER: usize = 5;
/// Words after the speech verb within which the speaker must come.
const SPEAKER_WINDOW: usize = 7;
/// Words between a speech verb and the opening mark of its quote (`X a déclaré
/// lundi à la presse : «`).
const VERB_WINDOW_BEFORE: usize = 8;
/// Words between a role and the name it introduces (`le chef de la diplomatie russe Sergueï Lavrov`).
const APPOSITION_WINDOW: usize = 6;
/// Words around a speech verb searched for the speaker of reported speech.
const REPORTED_WINDOW: usize = 10;

/// Speech verbs, folded: French past participles and present forms, English forms.
const SPEECH_VERBS: &[&str] = &[
    // French
    "declare",
    "dit",
    "indique",
    "precise",
    "ajoute",
    "affirme",
    "explique",
    "souligne",
    "estime",
    "conclu",
    "conclut",
    "poursuivi",
    "poursuit",
    "repondu",
    "repond",
    "assure",
    "annonce",
    "confie",
    "lance",
    "martele",
    "insiste",
    "rappele",
    "rappelle",
    "note",
    "juge",
    "averti",
    "avertit",
    "prevenu",
    "previent",
    "reconnu",
    "reconnait",
    "denonce",
    "regrette",
    "commente",
    "observe",
    "releve",
    "raconte",
    "confirme",
    "deplore",
    "resume",
    "ecrit",
    "tweete",
    "signale",
    "reagi",
    "reagit",
    "repete",
    "plaide",
    "ironise",
    "glisse",
    "lache",
    "tranche",
    "proteste",
    "promis",
    "promet",
    "fait",
    "temoigne",
    "detaille",
    "argue",
    "soutient",
    "soutenu",
    "admet",
    "admis",
    "assene",
    "interroge",
    "s'interroge",
    "questionne",
    "s'exclame",
    "exclame",
    "s'est",
    "declarait",
    "disait",
    "expliquait",
    "ajoutait",
    "confiait",
    "mentionne",
    "cite",
    "enchaine",
    "conteste",
    "defend",
    "avance",
    "ecrivait",
    "clame",
    "reprend",
    // English
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "explained",
    "noted",
    "asked",
    "wrote",
    "writes",
    "declared",
    "announced",
    "insisted",
    "warned",
    "argued",
    "continued",
    "replied",
    "responded",
    "claimed",
    "confirmed",
    "admitted",
    "acknowledged",
    "tweeted",
    "recalled",
    "concluded",
    "commented",
    "remarked",
    "emphasized",
    "emphasised",
    "stressed",
    "observed",
    "urged",
    "testified",
    "posted",
    "explains",
    "added",
    "quipped",
    "joked",
    "wrote",
    "insists",
    "shouted",
    "yelled",
    "screamed",
    "whispered",
    "admits",
    "recounted",
    "described",
    "spoke",
    "speaks",
    "parle",
    "predicted",
    "revealed",
    "cautioned",
    "conceded",
    "agreed",
];

/// Words that introduce a source: `selon X`, `according to X`.
const SOURCE_WORDS: &[&str] = &["selon", "according", "d'apres"];

/// Pronouns that refer back to the last speaker, folded.
const PRONOUNS: &[&str] = &["il", "elle", "he", "she"];

/// Words skipped between a quote and its verb or speaker: auxiliaries,
/// adverbs, times, and the inverted pronoun forms.
const FILLERS: &[&str] = &[
    "a",
    "ont",
    "avait",
    "avaient",
    "aurait",
    "has",
    "had",
    "have",
    "was",
    "is",
    "ainsi",
    "alors",
    "encore",
    "egalement",
    "aussi",
    "ensuite",
    "enfin",
    "notamment",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "hier",
    "soir",
    "matin",
    "then",
    "also",
    "later",
    "on",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "in",
    "a",
    "statement",
    "interview",
    "recently",
    "once",
    "le",
    "la",
    "l",
    "les",
    "the",
    "un",
    "une",
    "de",
    "du",
    "d",
    "des",
    "russe",
    "americain",
    "americaine",
    "francais",
    "francaise",
    "chinois",
    "turc",
    "syrien",
    "syrienne",
    "ukrainien",
    "ukrainienne",
    "allemand",
    "allemande",
    "britannique",
    "iranien",
    "israelien",
    "s",
    "aupres",
    "a",
    "au",
    "aux",
    "to",
    "reporters",
    "journalists",
    "journalistes",
    "presse",
    "dans",
    "an",
    "avec",
    "with",
];

/// Something a speaker phrase names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Referent {
    Person(String),
    Role(String),
    Pronoun,
}

/// A speech event: at `at`, `referent` speaks (a quote's speaker or reported speech).
struct Event {
    at: usize,
    referent: Referent,
    /// The quotation this event attributes, if any.
    quote: Option<usize>,
}

/// The direct quotes of `text` with their speakers (see the [module docs](self)).
/// `found` are the entities of the same text.
pub fn direct_quotes(text: &str, found: &Found) -> Vec<Quote> {
    // Unknown single names (`Owen`, `King`) may be people too: next to a
    // speech verb they are.
    let persons: Vec<&Mention> = found
        .mentions
        .iter()
        .filter(|m| matches!(m.kind, EntityKind::Person | EntityKind::Other))
        .collect();
    let candidates = quotations(text);
    let spans: Vec<Range<usize>> = candidates.iter().map(|q| q.span.clone()).collect();
    let mut events: Vec<Event> = Vec::new();
    for (index, quote) in candidates.iter().enumerate() {
        let paragraph = paragraph_around(text, quote.span.clone());
        let referent = after_quote(text, quote.span.end, paragraph.end, &persons, &spans)
            .or_else(|| before_quote(text, quote.span.start, paragraph.start, &persons, &spans))
            .or_else(|| {
                // A paragraph that opens with a quote and names nobody goes on
                // with the last speaker (the press convention for a quote
                // running over several paragraphs).
                let opens = text[paragraph.start..quote.span.start].trim().is_empty();
                let long = words(quote.text).count() >= CONTINUATION_MIN_WORDS;
                (opens && long).then_some((quote.span.start, Referent::Pronoun))
            });
        if let Some((at, referent)) = referent {
            events.push(Event {
                at,
                referent,
                quote: Some(index),
            });
        }
    }
    events.extend(reported_speech(text, &persons, &spans));
    events.sort_by_key(|e| e.at);

    // Resolve roles and pronouns to the last person who spoke.
    let mut speakers: Vec<Option<String>> = vec![None; candidates.len()];
    let mut last: Option<String> = None;
    let mut last_with_role: Vec<(String, String)> = Vec::new();
    for event in events {
        let person = match &event.referent {
            Referent::Person(key) => Some(key.clone()),
            Referent::Role(role) => last_with_role
                .iter()
                .rev()
                .find(|(r, _)| r == role)
                .map(|(_, key)| key.clone())
                .or_else(|| last.clone()),
            Referent::Pronoun => last.clone(),
        };
        if let Some(key) = &person {
            last = Some(key.clone());
            for mention in persons.iter().filter(|m| &m.key == key) {
                for role in &mention.roles {
                    last_with_role.push((role.clone(), key.clone()));
                }
            }
        }
        if let Some(index) = event.quote {
            speakers[index] = person;
        }
    }

    candidates
        .iter()
        .zip(speakers)
        .filter(|(quote, speaker)| {
            speaker.is_some() || words(quote.text).count() >= MIN_UNATTRIBUTED_WORDS
        })
        .map(|(quote, speaker)| Quote {
            text: quote.text.to_string(),
            speaker: speaker.map(|key| found.name_of(&key).unwrap_or(&key).to_string()),
        })
        .collect()
}

/// The paragraph (between blank lines or line breaks) holding `span`.
fn paragraph_around(text: &str, span: Range<usize>) -> Range<usize> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    start..end
}

/// A word of the text with its byte range.
struct Word<'a> {
    folded: String,
    raw: &'a str,
    span: Range<usize>,
}

fn words_in(text: &str, range: Range<usize>) -> Vec<Word<'_>> {
    let slice = &text[range.clone()];
    words(slice)
        .map(|w| {
            let start = range.start + (w.as_ptr() as usize - slice.as_ptr() as usize);
            Word {
                folded: fold(w),
                raw: w,
                span: start..start + w.len(),
            }
        })
        .collect()
}

/// The end of the sentence that continues at `from`: the next `.`, `!`, `?`
/// followed by a space or the end, or an opening quotation mark, within `limit`.
fn sentence_end(text: &str, from: usize, limit: usize) -> usize {
    let rest = &text[from..limit];
    for (i, c) in rest.char_indices() {
        if matches!(c, '«' | '“') {
            return from + i;
        }
        if matches!(c, '.' | '!' | '?') {
            let next = rest[i + 1..].chars().next();
            if next.is_none_or(char::is_whitespace) && !is_title_period(&rest[..i]) {
                return from + i;
            }
        }
    }
    limit
}

/// Whether the period ending `before` closes a title (`M.`, `Mr.`).
fn is_title_period(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or_default();
    matches!(
        word,
        "M" | "Mr" | "Mrs" | "Ms" | "Dr" | "Mme" | "Sen" | "Gen" | "St" | "Rep"
    )
}

/// The speaker named after a closing mark at `end`.
fn after_quote(
    text: &str,
    end: usize,
    paragraph_end: usize,
    persons: &[&Mention],
    quotes: &[Range<usize>],
) -> Option<(usize, Referent)> {
    let stop = sentence_end(text, end, paragraph_end);
    let ws = words_in(text, end..stop);
    let verb = ws
        .iter()
        .take(VERB_WINDOW_AFTER + 2)
        .position(|w| is_speech_verb(&w.folded) || SOURCE_WORDS.contains(&w.folded.as_str()))?;
    // Everything before the verb must be fillers or a speaker (`," Lavrov said`).
    let lead = &ws[..verb];
    let speaker_before = speaker_in(lead, persons, quotes);
    let lead_ok = lead.iter().all(|w| {
        FILLERS.contains(&w.folded.as_str())
            || is_pronoun(&w.folded)
            || persons.iter().any(|m| overlaps(&m.span, &w.span))
            || is_role(&w.folded)
            || w.raw.chars().next().is_some_and(char::is_uppercase)
    });
    if !lead_ok {
        return None;
    }
    if let Some(referent) = speaker_before {
        return Some((end, referent));
    }
    // `ajoute-t-il`, `précise-t-elle`: the pronoun is glued to the verb.
    if is_pronoun(&ws[verb].folded) {
        return Some((end, Referent::Pronoun));
    }
    let rest = &ws[verb + 1..(verb + 1 + SPEAKER_WINDOW).min(ws.len())];
    speaker_in(rest, persons, quotes).map(|r| (end, r))
}

/// The speaker named before an opening mark at `start`, in the same sentence.
fn before_quote(
    text: &str,
    start: usize,
    paragraph_start: usize,
    persons: &[&Mention],
    quotes: &[Range<usize>],
) -> Option<(usize, Referent)> {
    let from = sentence_start(text, start, paragraph_start, quotes);
    let ws = words_in(text, from..start);
    let verb = ws
        .iter()
        .rposition(|w| is_speech_verb(&w.folded) || SOURCE_WORDS.contains(&w.folded.as_str()))?;
    if ws.len() - verb > VERB_WINDOW_BEFORE {
        return None;
    }
    let source = SOURCE_WORDS.contains(&ws[verb].folded.as_str());
    // `Selon X, «` / `According to X: "`: the speaker follows the word.
    if source {
        return match speaker_in(&ws[verb + 1..], persons, quotes) {
            Some(Referent::Pronoun) | None => None,
            Some(referent) => Some((start, referent)),
        };
    }
    // `X a déclaré : «`: the subject before the verb (the nearest speaker).
    nearest_speaker(&ws[..verb], persons, quotes).map(|r| (start, r))
}

/// Where the sentence holding byte `at` starts: after the last sentence end or
/// quotation before it, within the paragraph.
fn sentence_start(text: &str, at: usize, paragraph_start: usize, quotes: &[Range<usize>]) -> usize {
    let mut from = paragraph_start;
    let before = &text[paragraph_start..at];
    for (i, c) in before.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && before[i + 1..].starts_with(char::is_whitespace)
            && !is_title_period(&before[..i])
        {
            from = paragraph_start + i + 1;
        }
    }
    for q in quotes {
        if q.end <= at && q.end > from {
            from = q.end;
        }
    }
    from
}

/// The first speaker among `ws`: a person mention, a role noun, or a pronoun.
fn speaker_in(ws: &[Word<'_>], persons: &[&Mention], quotes: &[Range<usize>]) -> Option<Referent> {
    for (i, w) in ws.iter().enumerate() {
        if quotes.iter().any(|q| overlaps(q, &w.span)) {
            return None;
        }
        if let Some(m) = persons.iter().find(|m| overlaps(&m.span, &w.span)) {
            return Some(Referent::Person(m.key.clone()));
        }
        if is_role(&w.folded) {
            // `le chef de la diplomatie russe Sergueï Lavrov`: a name right after the role wins.
            let named = ws[i + 1..]
                .iter()
                .take(APPOSITION_WINDOW)
                .find_map(|x| persons.iter().find(|m| overlaps(&m.span, &x.span)));
            return Some(match named {
                Some(m) => Referent::Person(m.key.clone()),
                None => Referent::Role(singular(&w.folded)),
            });
        }
        if is_pronoun(&w.folded) {
            return Some(Referent::Pronoun);
        }
    }
    None
}

/// The speaker closest to the end of `ws` (the subject just before a verb).
fn nearest_speaker(
    ws: &[Word<'_>],
    persons: &[&Mention],
    quotes: &[Range<usize>],
) -> Option<Referent> {
    for w in ws.iter().rev().take(SPEAKER_WINDOW + 3) {
        if quotes.iter().any(|q| overlaps(q, &w.span)) {
            return None;
        }
        if let Some(m) = persons.iter().find(|m| overlaps(&m.span, &w.span)) {
            return Some(Referent::Person(m.key.clone()));
        }
        if is_role(&w.folded) {
            return Some(Referent::Role(singular(&w.folded)));
        }
        if is_pronoun(&w.folded) {
            return Some(Referent::Pronoun);
        }
    }
    None
}

/// Reported speech outside quotations: a speech verb with a person named
/// within a few words of it (`a déclaré lundi le chef de la diplomatie russe
/// Sergueï Lavrov`, `Lavrov said that`).
fn reported_speech(text: &str, persons: &[&Mention], quotes: &[Range<usize>]) -> Vec<Event> {
    let mut events = Vec::new();
    let ws = words_in(text, 0..text.len());
    for (i, w) in ws.iter().enumerate() {
        if !is_speech_verb(&w.folded) || quotes.iter().any(|q| overlaps(q, &w.span)) {
            continue;
        }
        let window = i.saturating_sub(REPORTED_WINDOW)..(i + REPORTED_WINDOW + 1).min(ws.len());
        let sentence = sentence_around(text, w.span.clone());
        let nearest = ws[window]
            .iter()
            .filter(|x| x.span.start >= sentence.start && x.span.end <= sentence.end)
            .filter(|x| !quotes.iter().any(|q| overlaps(q, &x.span)))
            .filter_map(|x| persons.iter().find(|m| overlaps(&m.span, &x.span)))
            .min_by_key(|m| m.span.start.abs_diff(w.span.start));
        if let Some(m) = nearest {
            events.push(Event {
                at: w.span.start,
                referent: Referent::Person(m.key.clone()),
                quote: None,
            });
        }
    }
    events
}

/// The sentence holding `span`, bounded by sentence ends and line breaks.
fn sentence_around(text: &str, span: Range<usize>) -> Range<usize> {
    let paragraph = paragraph_around(text, span.clone());
    let start = sentence_start(text, span.start, paragraph.start, &[]);
    start..sentence_end_plain(text, span.end, paragraph.end)
}

/// Like [`sentence_end`] but not stopped by quotation marks.
fn sentence_end_plain(text: &str, from: usize, limit: usize) -> usize {
    let rest = &text[from..limit];
    for (i, c) in rest.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && rest[i + 1..].chars().next().is_none_or(char::is_whitespace)
            && !is_title_period(&rest[..i])
        {
            return from + i;
        }
    }
    limit
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// French inverted subjects glued to a verb or auxiliary: `a-t-il`, `ajoute-t-elle`, `dit-il`.
const GLUED_PRONOUNS: &[&str] = &[
    "-t-il", "-t-elle", "-t-ils", "-t-elles", "-il", "-elle", "-ils", "-elles",
];

/// A word without a glued pronoun: `ajoute-t-il` → `ajoute`.
fn unglued(folded: &str) -> &str {
    GLUED_PRONOUNS
        .iter()
        .find_map(|p| folded.strip_suffix(p))
        .unwrap_or(folded)
}

fn is_pronoun(folded: &str) -> bool {
    PRONOUNS.contains(&folded) || unglued(folded) != folded
}

fn is_speech_verb(folded: &str) -> bool {
    SPEECH_VERBS.contains(&unglued(folded))
}

fn is_role(folded: &str) -> bool {
    ROLE_SET.contains(singular(folded).as_str())
}

fn singular(folded: &str) -> String {
    folded
        .strip_suffix('s')
        .filter(|s| ROLE_SET.contains(s))
        .unwrap_or(folded)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::find;

    fn quotes(text: &str) -> Vec<(String, Option<String>)> {
        direct_quotes(text, &find(text))
            .into_iter()
            .map(|q| (q.text, q.speaker))
            .collect()
    }

    #[test]
    fn french_speaker_after_the_quote() {
        let q = quotes("« Nous partirons demain matin », a déclaré Jean Dupont.");
        assert_eq!(q[0].1.as_deref(), Some("Jean Dupont"));
    }

    #[test]
    fn french_speaker_before_the_quote() {
        let q = quotes("Jean Dupont a déclaré : « Nous partirons demain matin. »");
        assert_eq!(q[0].1.as_deref(), Some("Jean Dupont"));
        let q = quotes("Selon Marie Curie, « la science avance lentement ».");
        assert_eq!(q[0].1.as_deref(), Some("Marie Curie"));
    }

    #[test]
    fn pronouns_and_roles_refer_to_the_last_speaker() {
        let text = "Le ministre Jean Dupont a déclaré lundi que tout allait bien.\n\n« Rien ne change », a-t-il ajouté.\n\nMarie Curie a répondu.\n\n« Tout change », a dit le ministre.";
        let q = quotes(text);
        assert_eq!(q[0].1.as_deref(), Some("Jean Dupont"));
        // The role finds Dupont although Curie spoke last.
        assert_eq!(q[1].1.as_deref(), Some("Jean Dupont"));
    }

    #[test]
    fn english_patterns() {
        let q = quotes("“We will win this fight,” Smith Jones said.");
        assert_eq!(q[0].1.as_deref(), Some("Smith Jones"));
        let q = quotes("\"We will win this fight,\" said Mary Smith.");
        assert_eq!(q[0].1.as_deref(), Some("Mary Smith"));
        let q = quotes("Mary Smith spoke first. \"We will win,\" she told reporters.");
        assert_eq!(q[0].1.as_deref(), Some("Mary Smith"));
        let q = quotes("According to John Brown, \"the plan failed\".");
        assert_eq!(q[0].1.as_deref(), Some("John Brown"));
    }

    #[test]
    fn short_unattributed_quotations_are_not_quotes() {
        assert!(quotes("Il suffit de cliquer sur le lien et appuyer sur « Join »").is_empty());
        assert!(quotes("Les « gilets jaunes » manifestent.").is_empty());
        let long = "Il a écrit « nous ne partirons pas avant la fin de la semaine prochaine » dans la lettre.";
        assert_eq!(quotes(long).len(), 1);
    }
}
