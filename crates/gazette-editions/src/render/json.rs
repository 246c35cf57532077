//! The JSON format: the edition serialised, for programs.
//!
//! Not templated: its keys are a contract (`channel`, `slot`, `stories[].title`,
//! `stories[].summary`, `stories[].sources[].url`, `stories[].sources[].outlet`
//! are read by evaluations). Strings are the edition's own, unmodified; JSON
//! escaping is all they need, and consumers that build HTML escape them.

use gazette_core::{NewEdition, Quote, RankedStory, Signal, SourceLink, StoryId};
use jiff::Timestamp;
use serde::Serialize;

use super::view::rfc3339;

#[derive(Serialize)]
struct JsonEdition<'a> {
    channel: &'a str,
    /// RFC 3339 with the local offset.
    slot: String,
    /// The slot's IANA time zone, when it has one.
    timezone: Option<&'a str>,
    title: &'a str,
    lang: &'a str,
    window_start: Timestamp,
    window_end: Timestamp,
    composed_at: Timestamp,
    stories: Vec<JsonStory<'a>>,
}

#[derive(Serialize)]
struct JsonStory<'a> {
    story_id: StoryId,
    title: &'a str,
    /// The summary's sentences joined by spaces.
    summary: String,
    sources: &'a [SourceLink],
    score: f64,
    signals: &'a [Signal],
    key_quote: Option<&'a Quote>,
    update: bool,
    languages: &'a [String],
    outlet_count: u32,
    article_count: u32,
    first_seen: Timestamp,
    last_seen: Timestamp,
}

/// The edition as pretty-printed JSON, ending with a newline.
pub(crate) fn render(edition: &NewEdition, title: &str) -> Result<String, serde_json::Error> {
    let json = JsonEdition {
        channel: &edition.channel,
        slot: rfc3339(&edition.slot),
        timezone: edition.slot.time_zone().iana_name(),
        title,
        lang: &edition.lang,
        window_start: edition.window_start,
        window_end: edition.window_end,
        composed_at: edition.composed_at,
        stories: edition.stories.iter().map(JsonStory::new).collect(),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    Ok(text)
}

impl<'a> JsonStory<'a> {
    fn new(story: &'a RankedStory) -> JsonStory<'a> {
        JsonStory {
            story_id: story.story_id,
            title: &story.title,
            summary: story.summary.join(" "),
            sources: &story.sources,
            score: story.score,
            signals: &story.signals,
            key_quote: story.key_quote.as_ref(),
            update: story.update,
            languages: &story.languages,
            outlet_count: story.outlet_count,
            article_count: story.article_count,
            first_seen: story.first_seen,
            last_seen: story.last_seen,
        }
    }
}
