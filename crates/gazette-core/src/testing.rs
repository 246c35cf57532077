//! Fixtures for tests, examples and benchmarks of the other crates (feature
//! `testing`, enabled by their dev-dependencies only).

use crate::{NewEdition, RankedStory, SourceLink, StoryId};

/// A ranked story `id` of one English source, with `summary` as its only
/// summary sentence: the editions the delivery tests and benchmarks send.
pub fn ranked_story(id: i64, summary: String) -> RankedStory {
    RankedStory {
        story_id: StoryId(id),
        title: format!("Story {id}"),
        score: 100.0 - id as f64,
        signals: vec![],
        summary: vec![summary],
        key_quote: None,
        sources: vec![SourceLink {
            url: format!("https://news.example/{id}")
                .parse()
                .expect("a valid URL"),
            outlet: "news.example".into(),
            title: format!("Story {id}"),
            lang: "en".into(),
        }],
        outlet_count: 3,
        article_count: 3,
        languages: vec!["en".into()],
        first_seen: "2026-01-15T05:00:00Z".parse().expect("a valid instant"),
        last_seen: "2026-01-15T06:00:00Z".parse().expect("a valid instant"),
        update: false,
    }
}

/// [`ranked_story`] with a summary long enough (about 1,500 characters) that
/// three stories make a Telegram edition of two messages.
pub fn long_ranked_story(id: i64) -> RankedStory {
    ranked_story(
        id,
        format!("Story {id}. {}", "Details of the story. ".repeat(70)),
    )
}

/// An English edition of `channel` for `slot` holding `stories`, composed at
/// the slot over the twelve hours before it.
pub fn new_edition(channel: &str, slot: &jiff::Zoned, stories: Vec<RankedStory>) -> NewEdition {
    NewEdition {
        channel: channel.into(),
        slot: slot.clone(),
        window_start: slot.timestamp() - jiff::SignedDuration::from_hours(12),
        window_end: slot.timestamp(),
        composed_at: slot.timestamp(),
        lang: "en".into(),
        stories,
    }
}
