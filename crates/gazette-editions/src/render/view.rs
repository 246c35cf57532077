//! The values templates see: an edition prepared for display.
//!
//! Every text is cleaned (control and bidi-override characters removed,
//! whitespace collapsed) so that no format, not even plain text on a terminal,
//! can be driven by what a feed wrote. Escaping is the templates' job
//! (auto-escaping, see [`super`]); links are offered only for `http(s)` URLs.

use gazette_core::{NewEdition, Quote, RankedStory, SourceLink};
use jiff::Zoned;
use serde::Serialize;

use crate::schedule::slot_label;

/// The context of the edition templates (and of `telegram_story`, with `story` added).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EditionView {
    pub channel: String,
    /// The channel's title.
    pub title: String,
    pub lang: String,
    /// "Morning edition" / "Édition du matin".
    pub heading: String,
    /// The slot's local date, spelled out: "Thursday 15 January 2026".
    pub date: String,
    /// The slot's local time, "07:30".
    pub time: String,
    /// The slot as RFC 3339 with its offset.
    pub slot: String,
    pub labels: &'static Labels,
    pub stories: Vec<StoryView>,
}

/// One story of [`EditionView`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryView {
    /// 1-based position in the edition.
    pub number: usize,
    pub title: String,
    pub summary: Vec<String>,
    pub key_quote: Option<QuoteView>,
    pub sources: Vec<SourceView>,
    pub update: bool,
    /// "3 outlets" / "3 médias".
    pub coverage: String,
    pub outlet_count: u32,
    pub article_count: u32,
    pub languages: Vec<String>,
    /// Why the story ranks where it does ("covered by 7 outlets").
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuoteView {
    pub text: String,
    pub speaker: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SourceView {
    pub outlet: String,
    pub title: String,
    /// The URL, only when it is `http` or `https`.
    pub href: Option<String>,
}

/// Fixed words of an edition, in its language.
#[derive(Debug, Serialize)]
pub(crate) struct Labels {
    pub sources: &'static str,
    pub update: &'static str,
    /// Shown when an edition has no stories.
    pub empty: &'static str,
    pub quote_open: &'static str,
    pub quote_close: &'static str,
    /// The colon as typeset in the language (French puts a space before it).
    pub colon: &'static str,
}

static EN: Labels = Labels {
    sources: "Sources",
    update: "Update",
    empty: "Nothing new since the last edition.",
    quote_open: "“",
    quote_close: "”",
    colon: ":",
};

static FR: Labels = Labels {
    sources: "Sources",
    update: "Mise à jour",
    empty: "Rien de nouveau depuis la dernière édition.",
    quote_open: "« ",
    quote_close: " »",
    colon: " :",
};

impl Labels {
    /// French for `fr`, English for anything else.
    fn for_lang(lang: &str) -> &'static Labels {
        if lang == "fr" { &FR } else { &EN }
    }
}

impl EditionView {
    pub(crate) fn new(edition: &NewEdition, title: &str) -> EditionView {
        let lang = edition.lang.as_str();
        EditionView {
            channel: edition.channel.clone(),
            title: clean(title),
            lang: edition.lang.clone(),
            heading: heading(&edition.slot, lang),
            date: long_date(&edition.slot, lang),
            time: edition.slot.strftime("%H:%M").to_string(),
            slot: rfc3339(&edition.slot),
            labels: Labels::for_lang(lang),
            stories: edition
                .stories
                .iter()
                .enumerate()
                .map(|(i, story)| StoryView::new(i + 1, story, lang))
                .collect(),
        }
    }
}

impl StoryView {
    fn new(number: usize, story: &RankedStory, lang: &str) -> StoryView {
        StoryView {
            number,
            title: clean(&story.title),
            // A sentence that cleans to nothing would be a blank line in every
            // format (and a blank line inside a Telegram story): found by fuzzing.
            summary: story
                .summary
                .iter()
                .map(|s| clean(s))
                .filter(|s| !s.is_empty())
                .collect(),
            key_quote: story
                .key_quote
                .as_ref()
                .map(QuoteView::new)
                .filter(|q| !q.text.is_empty()),
            sources: story.sources.iter().map(SourceView::new).collect(),
            update: story.update,
            coverage: coverage(story.outlet_count, lang),
            outlet_count: story.outlet_count,
            article_count: story.article_count,
            languages: story.languages.iter().map(|l| clean(l)).collect(),
            reasons: story.signals.iter().map(|s| clean(&s.reason)).collect(),
        }
    }

    /// The story with its title and each summary sentence cut to at most
    /// `max_chars` characters (an ellipsis marks the cut).
    pub(crate) fn truncated(&self, max_chars: usize) -> StoryView {
        StoryView {
            title: truncate(&self.title, max_chars),
            summary: self
                .summary
                .iter()
                .map(|s| truncate(s, max_chars))
                .collect(),
            ..self.clone()
        }
    }

    /// The length, in characters, of the longest text [`StoryView::truncated`] cuts.
    pub(crate) fn longest_text(&self) -> usize {
        std::iter::once(&self.title)
            .chain(&self.summary)
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
    }
}

impl QuoteView {
    fn new(quote: &Quote) -> QuoteView {
        QuoteView {
            text: clean(&quote.text),
            speaker: quote.speaker.as_deref().map(clean),
        }
    }
}

impl SourceView {
    fn new(source: &SourceLink) -> SourceView {
        SourceView {
            outlet: clean(&source.outlet),
            title: clean(&source.title),
            href: matches!(source.url.scheme(), "http" | "https").then(|| source.url.to_string()),
        }
    }
}

/// `text` on one line: control characters and bidi overrides (which can
/// disguise text on terminals and in HTML) removed, whitespace collapsed.
pub(crate) fn clean(text: &str) -> String {
    let is_bidi_control = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let visible: String = text
        .chars()
        .filter(|&c| !is_bidi_control(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max_chars` characters of `text`, ending in "…" when cut.
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(max_chars).collect();
    format!("{}…", kept.trim_end())
}

/// "Morning edition" / "Édition du matin".
fn heading(slot: &Zoned, lang: &str) -> String {
    let label = slot_label(slot, lang);
    if lang == "fr" {
        format!("Édition {label}")
    } else {
        // English labels are ASCII: the first byte is the first letter.
        format!("{}{} edition", label[..1].to_ascii_uppercase(), &label[1..])
    }
}

/// "Thursday 15 January 2026" / "jeudi 15 janvier 2026" (and "1er" for the first).
fn long_date(slot: &Zoned, lang: &str) -> String {
    const EN_DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const FR_DAYS: [&str; 7] = [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ];
    const EN_MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR_MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let weekday = usize::from(slot.weekday().to_monday_zero_offset().unsigned_abs());
    let month = usize::from(slot.month().unsigned_abs()) - 1;
    let (day, year) = (slot.day(), slot.year());
    if lang == "fr" {
        let day = if day == 1 {
            "1er".to_string()
        } else {
            day.to_string()
        };
        format!("{} {day} {} {year}", FR_DAYS[weekday], FR_MONTHS[month])
    } else {
        format!("{} {day} {} {year}", EN_DAYS[weekday], EN_MONTHS[month])
    }
}

/// "3 outlets" / "1 outlet" / "3 médias".
fn coverage(outlets: u32, lang: &str) -> String {
    let noun = match (lang, outlets) {
        ("fr", 0 | 1) => "média",
        ("fr", _) => "médias",
        (_, 1) => "outlet",
        (_, _) => "outlets",
    };
    format!("{outlets} {noun}")
}

/// A slot as RFC 3339 with its UTC offset, e.g. `2026-01-15T07:30:00+01:00`.
pub(crate) fn rfc3339(slot: &Zoned) -> String {
    slot.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoned(s: &str) -> Zoned {
        s.parse().unwrap()
    }

    #[test]
    fn clean_removes_controls_and_bidi_overrides() {
        assert_eq!(
            clean("  a\u{1b}[31mred\n\tline\u{202E}txt "),
            "a [31mred linetxt"
        );
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("éléphant", 8), "éléphant");
        assert_eq!(truncate("éléphant rose", 9), "éléphant…");
        assert_eq!(truncate("abc", 0), "…");
    }

    #[test]
    fn dates_and_headings_in_both_languages() {
        let morning = zoned("2026-03-01T07:30:00+01:00[Europe/Paris]");
        assert_eq!(long_date(&morning, "fr"), "dimanche 1er mars 2026");
        assert_eq!(long_date(&morning, "en"), "Sunday 1 March 2026");
        assert_eq!(heading(&morning, "fr"), "Édition du matin");
        assert_eq!(heading(&morning, "en"), "Morning edition");
        let evening = zoned("2026-01-15T19:00:00+01:00[Europe/Paris]");
        assert_eq!(heading(&evening, "en"), "Evening edition");
        assert_eq!(long_date(&evening, "fr"), "jeudi 15 janvier 2026");
    }

    #[test]
    fn coverage_agrees_in_number() {
        assert_eq!(coverage(1, "en"), "1 outlet");
        assert_eq!(coverage(4, "en"), "4 outlets");
        assert_eq!(coverage(1, "fr"), "1 média");
        assert_eq!(coverage(4, "fr"), "4 médias");
    }
}
