//! Edition composition: which ranked stories go into a channel's edition for a slot.
//!
//! An edition covers a *window* of time: from the previous edition's end (or
//! `lookback` before the slot for a channel's first edition) to the slot. It
//! keeps the best `size` stories active in the window and leaves out stories
//! the channel already sent, unless they developed since: then they come back
//! marked as updates.
//!
//! ```
//! # use gazette_core::config::RawConfig;
//! use gazette_editions::compose::{ComposeInput, compose, window_start};
//! use gazette_editions::schedule::latest_slot;
//! # let raw: RawConfig = serde_json::from_str(r#"{"channels": [{"name": "briefing"}]}"#).unwrap();
//! # let channel = &raw.validate().unwrap().channels[0];
//! let now: jiff::Timestamp = "2026-01-15T08:00:00Z".parse().unwrap();
//! let slot = latest_slot(channel, now);
//! let input = ComposeInput {
//!     channel,
//!     window_start: window_start(channel, &slot, None),
//!     slot,
//!     now,
//!     history: &[],
//!     ranked: vec![], // best first, from the stories crate
//! };
//! assert!(compose(input).is_none(), "no stories: a quiet period, no edition");
//! ```

use gazette_core::config::ChannelConfig;
use gazette_core::{Edition, NewEdition, RankedStory};
use jiff::{Timestamp, Zoned};

/// Start of the window of the edition for `slot`: the previous edition's
/// `window_end`, else `slot - channel.lookback`.
pub fn window_start(
    channel: &ChannelConfig,
    slot: &Zoned,
    previous: Option<&Edition>,
) -> Timestamp {
    match previous {
        Some(previous) => previous.edition.window_end,
        None => slot.timestamp() - channel.lookback,
    }
}

/// Everything [`compose`] looks at.
#[derive(Debug, Clone)]
pub struct ComposeInput<'a> {
    pub channel: &'a ChannelConfig,
    /// The slot the edition is for.
    pub slot: Zoned,
    /// When the edition is composed; the window never extends past it.
    pub now: Timestamp,
    /// See [`window_start`].
    pub window_start: Timestamp,
    /// This channel's recent editions, to avoid repeats. Editions whose slot is
    /// not before `slot` are ignored, so recomposing a slot gives the same result.
    pub history: &'a [Edition],
    /// Candidates, best first (ranked by the stories crate).
    pub ranked: Vec<RankedStory>,
}

/// Composes the edition of `input.channel` for `input.slot`.
///
/// The window is `(window_start, min(slot, now)]`. The edition keeps, in rank
/// order, the first `channel.size` stories whose `last_seen` is in the window,
/// whose score reaches `channel.min_score` (so a quiet period gives a shorter
/// edition), and that are either new on the channel or developed since they were last
/// sent: their outlet count at least doubled, or their lead article or title
/// changed. Developed stories get `update = true`, all others `false`.
///
/// Returns `None` when fewer than `channel.min_stories` stories qualify (a quiet period).
pub fn compose(input: ComposeInput<'_>) -> Option<NewEdition> {
    let ComposeInput {
        channel,
        slot,
        now,
        window_start,
        history,
        ranked,
    } = input;
    let window_end = now.min(slot.timestamp());
    let earlier: Vec<&Edition> = history
        .iter()
        .filter(|e| e.edition.slot.timestamp() < slot.timestamp())
        .collect();
    let stories: Vec<RankedStory> = ranked
        .into_iter()
        .filter(|s| s.last_seen > window_start && s.last_seen <= window_end)
        .filter(|s| s.score >= channel.min_score)
        .filter_map(|s| against_history(s, &earlier))
        .take(channel.size)
        .collect();
    if stories.len() < channel.min_stories {
        return None;
    }
    Some(NewEdition {
        channel: channel.name.clone(),
        slot,
        window_start,
        window_end,
        composed_at: now,
        lang: channel.lang.clone(),
        stories,
    })
}

/// The story as it goes into the edition: as is when the channel never sent
/// it, marked as an update when it developed since it was last sent, or
/// `None` when it would be a repeat.
fn against_history(mut story: RankedStory, earlier: &[&Edition]) -> Option<RankedStory> {
    story.update = match last_sent(story.story_id, earlier) {
        None => false,
        Some(sent) if developed(sent, &story) => true,
        Some(_) => return None,
    };
    Some(story)
}

/// The story as it was in the most recent of `editions` that carried it.
fn last_sent<'e>(id: gazette_core::StoryId, editions: &[&'e Edition]) -> Option<&'e RankedStory> {
    editions
        .iter()
        .filter_map(|e| {
            let story = e.edition.stories.iter().find(|s| s.story_id == id)?;
            Some((e.edition.slot.timestamp(), story))
        })
        .max_by_key(|(slot, _)| *slot)
        .map(|(_, story)| story)
}

/// Whether a story developed since it was sent as `sent`: its outlet count at
/// least doubled (and grew), or its lead article or title changed.
fn developed(sent: &RankedStory, now: &RankedStory) -> bool {
    let outlets_doubled = now.outlet_count > sent.outlet_count
        && now.outlet_count >= sent.outlet_count.saturating_mul(2);
    outlets_doubled || now.title != sent.title || lead_url(now) != lead_url(sent)
}

/// The lead article's URL: sources are listed lead first.
fn lead_url(story: &RankedStory) -> Option<&str> {
    story.sources.first().map(|s| s.url.as_str())
}

#[cfg(test)]
mod tests {
    use gazette_core::config::RawConfig;
    use gazette_core::{EditionId, SourceLink, StoryId};
    use jiff::SignedDuration;

    use super::*;
    use crate::schedule::latest_slot;

    fn channel(size: usize, min_stories: usize) -> ChannelConfig {
        let raw: RawConfig = serde_json::from_value(serde_json::json!({
            "channels": [{
                "name": "briefing", "timezone": "Europe/Paris", "schedule": ["07:30", "19:00"],
                "size": size, "min_stories": min_stories, "lookback": "12h", "lang": "fr"
            }]
        }))
        .unwrap();
        raw.validate().unwrap().channels.remove(0)
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn story(id: i64, last_seen: &str, outlets: u32) -> RankedStory {
        RankedStory {
            story_id: StoryId(id),
            title: format!("Story {id}"),
            score: 10.0 - id as f64,
            signals: vec![],
            summary: vec![format!("Summary of story {id}.")],
            key_quote: None,
            sources: vec![SourceLink {
                url: format!("https://news.example/{id}").parse().unwrap(),
                outlet: "news.example".into(),
                title: format!("Story {id}"),
                lang: "fr".into(),
            }],
            outlet_count: outlets,
            article_count: outlets,
            languages: vec!["fr".into()],
            first_seen: ts(last_seen),
            last_seen: ts(last_seen),
            update: false,
        }
    }

    fn edition(id: i64, slot: &Zoned, stories: Vec<RankedStory>) -> Edition {
        Edition {
            id: EditionId(id),
            edition: NewEdition {
                channel: "briefing".into(),
                slot: slot.clone(),
                window_start: slot.timestamp() - SignedDuration::from_hours(12),
                window_end: slot.timestamp(),
                composed_at: slot.timestamp(),
                lang: "fr".into(),
                stories,
            },
        }
    }

    /// The 07:30 Paris slot of 2026-01-15 (06:30Z), composed at 06:31Z.
    fn input<'a>(
        ch: &'a ChannelConfig,
        history: &'a [Edition],
        ranked: Vec<RankedStory>,
    ) -> ComposeInput<'a> {
        let now = ts("2026-01-15T06:31:00Z");
        let slot = latest_slot(ch, now);
        ComposeInput {
            channel: ch,
            window_start: window_start(ch, &slot, None),
            slot,
            now,
            history,
            ranked,
        }
    }

    fn ids(edition: &NewEdition) -> Vec<(i64, bool)> {
        edition
            .stories
            .iter()
            .map(|s| (s.story_id.0, s.update))
            .collect()
    }

    #[test]
    fn window_starts_at_previous_end_or_lookback() {
        let ch = channel(8, 1);
        let slot = latest_slot(&ch, ts("2026-01-15T06:31:00Z"));
        assert_eq!(window_start(&ch, &slot, None), ts("2026-01-14T18:30:00Z"));
        let mut previous = edition(1, &slot, vec![]);
        previous.edition.window_end = ts("2026-01-14T17:59:00Z");
        assert_eq!(
            window_start(&ch, &slot, Some(&previous)),
            ts("2026-01-14T17:59:00Z")
        );
    }

    #[test]
    fn stories_below_the_minimum_score_are_left_out() {
        let mut ch = channel(8, 1);
        ch.min_score = 7.5;
        // Scores are 10 - id: 9, 8, 7, 6.
        let ranked = (1..=4)
            .map(|id| story(id, "2026-01-15T05:00:00Z", 3))
            .collect();
        let e = compose(input(&ch, &[], ranked)).unwrap();
        assert_eq!(ids(&e), [(1, false), (2, false)]);
        ch.min_score = 20.0;
        let ranked = (1..=4)
            .map(|id| story(id, "2026-01-15T05:00:00Z", 3))
            .collect();
        assert!(compose(input(&ch, &[], ranked)).is_none());
    }

    #[test]
    fn keeps_top_stories_in_the_window_in_rank_order() {
        let ch = channel(2, 1);
        let ranked = vec![
            story(1, "2026-01-14T18:00:00Z", 3), // before the window
            story(2, "2026-01-15T05:00:00Z", 3),
            story(3, "2026-01-15T06:40:00Z", 3), // after the slot
            story(4, "2026-01-14T20:00:00Z", 3),
            story(5, "2026-01-15T06:00:00Z", 3), // beyond size
        ];
        let e = compose(input(&ch, &[], ranked)).unwrap();
        assert_eq!(ids(&e), [(2, false), (4, false)]);
        assert_eq!(e.window_start, ts("2026-01-14T18:30:00Z"));
        assert_eq!(e.window_end, ts("2026-01-15T06:30:00Z"));
        assert_eq!(e.lang, "fr");
        assert_eq!(e.channel, "briefing");
    }

    #[test]
    fn window_ends_at_now_when_composed_before_the_slot() {
        let ch = channel(8, 1);
        let mut inp = input(
            &ch,
            &[],
            vec![
                story(1, "2026-01-15T06:20:00Z", 1),
                story(2, "2026-01-15T06:05:00Z", 1),
            ],
        );
        inp.now = ts("2026-01-15T06:10:00Z");
        let e = compose(inp).unwrap();
        assert_eq!(e.window_end, ts("2026-01-15T06:10:00Z"));
        assert_eq!(ids(&e), [(2, false)]);
    }

    #[test]
    fn quiet_period_gives_no_edition() {
        let ch = channel(8, 2);
        assert!(compose(input(&ch, &[], vec![story(1, "2026-01-15T05:00:00Z", 1)])).is_none());
        let two = vec![
            story(1, "2026-01-15T05:00:00Z", 1),
            story(2, "2026-01-15T05:00:00Z", 1),
        ];
        assert!(compose(input(&ch, &[], two)).is_some());
    }

    #[test]
    fn sent_story_is_not_repeated_unless_it_developed() {
        let ch = channel(8, 1);
        let evening = latest_slot(&ch, ts("2026-01-14T18:30:00Z"));
        let history = [edition(
            1,
            &evening,
            vec![
                story(1, "2026-01-14T17:00:00Z", 3),
                story(2, "2026-01-14T17:00:00Z", 3),
            ],
        )];
        let ranked = vec![
            story(1, "2026-01-15T05:00:00Z", 5), // 3 → 5 outlets: not doubled
            story(2, "2026-01-15T05:00:00Z", 6), // 3 → 6 outlets: doubled
            story(3, "2026-01-15T05:00:00Z", 1), // new
        ];
        let e = compose(input(&ch, &history, ranked)).unwrap();
        assert_eq!(ids(&e), [(2, true), (3, false)]);
    }

    #[test]
    fn changed_title_or_lead_counts_as_development() {
        let ch = channel(8, 1);
        let evening = latest_slot(&ch, ts("2026-01-14T18:30:00Z"));
        let history = [edition(
            1,
            &evening,
            vec![
                story(1, "2026-01-14T17:00:00Z", 3),
                story(2, "2026-01-14T17:00:00Z", 3),
            ],
        )];
        let mut retitled = story(1, "2026-01-15T05:00:00Z", 3);
        retitled.title = "Story 1, now with a verdict".into();
        let mut new_lead = story(2, "2026-01-15T05:00:00Z", 3);
        new_lead.sources[0].url = "https://other.example/2".parse().unwrap();
        let e = compose(input(&ch, &history, vec![retitled, new_lead])).unwrap();
        assert_eq!(ids(&e), [(1, true), (2, true)]);
    }

    #[test]
    fn development_is_measured_against_the_latest_sending() {
        let ch = channel(8, 1);
        let older = latest_slot(&ch, ts("2026-01-14T06:30:00Z"));
        let newer = latest_slot(&ch, ts("2026-01-14T18:30:00Z"));
        // Sent with 2 outlets, then again (as an update) with 4: 5 is no development.
        let history = [
            edition(2, &newer, vec![story(1, "2026-01-14T17:00:00Z", 4)]),
            edition(1, &older, vec![story(1, "2026-01-14T05:00:00Z", 2)]),
        ];
        let e = compose(input(
            &ch,
            &history,
            vec![
                story(1, "2026-01-15T05:00:00Z", 5),
                story(9, "2026-01-15T05:00:00Z", 1),
            ],
        ));
        assert_eq!(ids(&e.unwrap()), [(9, false)]);
    }

    #[test]
    fn recomposing_a_slot_ignores_its_own_edition() {
        let ch = channel(8, 1);
        let inp = input(&ch, &[], vec![story(1, "2026-01-15T05:00:00Z", 1)]);
        let first = compose(inp.clone()).unwrap();
        let own = [edition(7, &first.slot, first.stories.clone())];
        let again = compose(ComposeInput {
            history: &own,
            ..inp
        })
        .unwrap();
        assert_eq!(again, first);
    }

    #[test]
    fn update_flag_from_candidates_is_not_trusted() {
        let ch = channel(8, 1);
        let mut s = story(1, "2026-01-15T05:00:00Z", 1);
        s.update = true;
        let e = compose(input(&ch, &[], vec![s])).unwrap();
        assert_eq!(ids(&e), [(1, false)]);
    }
}
