//! Ranking stories, with the reasons for each place.
//!
//! A story's score is the sum of explainable [`Signal`]s, each with a sentence
//! a reader can see:
//!
//! | signal | value | contribution |
//! |---|---|---|
//! | `outlets` (the main one) | distinct outlets | `2 · ln(1 + n)` |
//! | `velocity` | articles in the last 6 hours | `0.5 · ln(1 + n)` |
//! | `recency` | hours since the last article | `1.5 · 2^(−age / 12 h)` |
//! | `languages` | languages covered | `0.5 · (n − 1)` |
//!
//! Counts, times and sources come from the story's members. The summary (one to
//! three real sentences of the lead's description or text, no repeats) and the
//! key quote (the first quotation of reasonable length) come from the articles,
//! lead first.
//!
//! ```
//! # use gazette_core::{Story, StoryId, ArticleId};
//! use gazette_stories::{StoryInput, rank};
//! # let story = Story { id: StoryId(1), title: "Title".into(), lead: ArticleId(1), members: vec![] };
//! let ranked = rank(&[StoryInput { story: &story, articles: &[] }], jiff::Timestamp::UNIX_EPOCH);
//! assert!(ranked.is_empty()); // a story without members has nothing to rank
//! ```

use gazette_core::{Article, RankedStory, Signal, SourceLink, Story, StoryMember};
use jiff::{SignedDuration, Timestamp};

use crate::summary::{key_quote, summary};

/// A story to rank and its member articles (as many as are at hand; at least
/// the lead for a summary).
#[derive(Debug, Clone, Copy)]
pub struct StoryInput<'a> {
    pub story: &'a Story,
    pub articles: &'a [Article],
}

/// Weight of the outlet signal: the main one.
const OUTLETS_WEIGHT: f64 = 2.0;
/// Weight of the velocity signal.
const VELOCITY_WEIGHT: f64 = 0.5;
/// How far back velocity counts.
const VELOCITY_WINDOW: SignedDuration = SignedDuration::from_hours(6);
/// Weight of the recency signal (its value for a story updated just now).
const RECENCY_WEIGHT: f64 = 1.5;
/// Age at which the recency contribution halves.
const RECENCY_HALF_LIFE: SignedDuration = SignedDuration::from_hours(12);
/// Weight of each language beyond the first.
const LANGUAGES_WEIGHT: f64 = 0.5;
/// Most sources listed per story.
const MAX_SOURCES: usize = 5;

/// Scores, summarises and orders `inputs`, best first. Stories without members
/// are left out. Ties go to the most recently updated story, then the lowest ID.
pub fn rank(inputs: &[StoryInput<'_>], now: Timestamp) -> Vec<RankedStory> {
    let mut ranked: Vec<RankedStory> = inputs
        .iter()
        .filter_map(|input| rank_one(input, now))
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.story_id.cmp(&b.story_id))
    });
    ranked
}

fn rank_one(input: &StoryInput<'_>, now: Timestamp) -> Option<RankedStory> {
    let story = input.story;
    let first_seen = story.first_seen()?;
    let last_seen = story.last_seen()?;
    let outlets = story.outlets().len();
    let languages: Vec<String> = story.languages().into_iter().map(str::to_string).collect();
    let signals = vec![
        outlets_signal(outlets),
        velocity_signal(&story.members, now),
        recency_signal(last_seen, now),
        languages_signal(&languages),
    ];
    Some(RankedStory {
        story_id: story.id,
        title: story.title.clone(),
        score: signals.iter().map(|s| s.contribution).sum(),
        signals,
        summary: summary(story.lead, input.articles),
        key_quote: key_quote(story.lead, input.articles),
        sources: sources(story),
        outlet_count: count(outlets),
        article_count: count(story.members.len()),
        languages,
        first_seen,
        last_seen,
        update: false,
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn outlets_signal(outlets: usize) -> Signal {
    Signal {
        name: "outlets".into(),
        value: outlets as f64,
        contribution: OUTLETS_WEIGHT * (outlets as f64).ln_1p(),
        reason: format!("covered by {}", plural(outlets, "outlet", "outlets")),
    }
}

fn velocity_signal(members: &[StoryMember], now: Timestamp) -> Signal {
    let since = now - VELOCITY_WINDOW;
    let recent = members
        .iter()
        .filter(|m| since < m.time && m.time <= now)
        .count();
    let hours = VELOCITY_WINDOW.as_hours();
    Signal {
        name: "velocity".into(),
        value: recent as f64,
        contribution: VELOCITY_WEIGHT * (recent as f64).ln_1p(),
        reason: match recent {
            0 => format!("no new article in the last {hours} hours"),
            n => format!(
                "{} in the last {hours} hours",
                plural(n, "article", "articles")
            ),
        },
    }
}

fn recency_signal(last_seen: Timestamp, now: Timestamp) -> Signal {
    let age = now.duration_since(last_seen).max(SignedDuration::ZERO);
    let hours = age.as_secs_f64() / 3600.0;
    Signal {
        name: "recency".into(),
        value: hours,
        contribution: RECENCY_WEIGHT * 0.5f64.powf(age.div_duration_f64(RECENCY_HALF_LIFE)),
        reason: format!("last article {}", describe_age(age)),
    }
}

/// "just now", "25 minutes ago", "3 hours ago", "2 days ago".
fn describe_age(age: SignedDuration) -> String {
    let minutes = age.as_mins();
    let hours = age.as_hours();
    match minutes {
        0 => "just now".into(),
        1..60 => format!("{} ago", plural(minutes as usize, "minute", "minutes")),
        _ if hours < 48 => format!("{} ago", plural(hours as usize, "hour", "hours")),
        _ => format!("{} days ago", hours / 24),
    }
}

fn languages_signal(languages: &[String]) -> Signal {
    let n = languages.len();
    Signal {
        name: "languages".into(),
        value: n as f64,
        contribution: LANGUAGES_WEIGHT * n.saturating_sub(1) as f64,
        reason: format!(
            "reported in {} ({})",
            plural(n, "language", "languages"),
            languages.join(", ")
        ),
    }
}

/// The lead first, then the earliest member of each other outlet, at most [`MAX_SOURCES`].
fn sources(story: &Story) -> Vec<SourceLink> {
    let lead = story.lead_member().or(story.members.first());
    let mut picked: Vec<&StoryMember> = lead.into_iter().collect();
    let mut by_time: Vec<&StoryMember> = story.members.iter().collect();
    by_time.sort_by_key(|m| (m.time, m.article_id));
    for member in by_time {
        if picked.len() == MAX_SOURCES {
            break;
        }
        if !picked.iter().any(|p| p.outlet == member.outlet) {
            picked.push(member);
        }
    }
    picked
        .into_iter()
        .map(|m| SourceLink {
            url: m.url.clone(),
            outlet: m.outlet.clone(),
            title: m.title.clone(),
            lang: m.lang.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use gazette_core::StoryId;

    use super::*;
    use crate::test_support::{article, at_hours};

    /// A story with one member per `(outlet, lang, hours)`, the first being the lead.
    fn story(id: i64, members: &[(&str, &str, i64)]) -> (Story, Vec<Article>) {
        let articles: Vec<Article> = members
            .iter()
            .enumerate()
            .map(|(i, &(outlet, lang, hours))| {
                let mut a = article(
                    id * 100 + i as i64,
                    outlet,
                    Some(lang),
                    &format!("Story {id} seen by {outlet}"),
                    &format!("This is what {outlet} wrote about story number {id}, at length."),
                );
                a.discovered_at = at_hours(hours);
                a
            })
            .collect();
        let members = articles
            .iter()
            .map(|a| StoryMember {
                article_id: a.id,
                title: a.title.clone(),
                url: a.url.clone(),
                outlet: a.outlet.clone(),
                lang: a.lang().to_string(),
                time: a.effective_time(),
                added_at: a.discovered_at,
            })
            .collect();
        let story = Story {
            id: StoryId(id),
            title: format!("Story {id}"),
            lead: articles[0].id,
            members,
        };
        (story, articles)
    }

    fn rank_all(stories: &[(Story, Vec<Article>)], now: Timestamp) -> Vec<RankedStory> {
        let inputs: Vec<StoryInput<'_>> = stories
            .iter()
            .map(|(story, articles)| StoryInput { story, articles })
            .collect();
        rank(&inputs, now)
    }

    fn signal<'a>(ranked: &'a RankedStory, name: &str) -> &'a Signal {
        ranked
            .signals
            .iter()
            .find(|s| s.name == name)
            .expect("signal present")
    }

    #[test]
    fn more_outlets_beat_fewer() {
        let few = story(
            1,
            &[("a.fr", "fr", 0), ("a.fr", "fr", 0), ("b.fr", "fr", 0)],
        );
        let many = story(
            2,
            &[("a.fr", "fr", 0), ("b.fr", "fr", 0), ("c.fr", "fr", 0)],
        );
        let ranked = rank_all(&[few, many], at_hours(1));
        assert_eq!(ranked[0].story_id, StoryId(2));
        assert_eq!(ranked[0].outlet_count, 3);
        assert_eq!(signal(&ranked[0], "outlets").reason, "covered by 3 outlets");
        assert!(ranked[0].score > ranked[1].score);
    }

    #[test]
    fn fresher_beats_stale_at_equal_coverage() {
        let stale = story(1, &[("a.fr", "fr", 0), ("b.fr", "fr", 1)]);
        let fresh = story(2, &[("a.fr", "fr", 20), ("b.fr", "fr", 21)]);
        let ranked = rank_all(&[stale, fresh], at_hours(22));
        assert_eq!(ranked[0].story_id, StoryId(2));
        assert_eq!(
            signal(&ranked[0], "recency").reason,
            "last article 1 hour ago"
        );
        assert_eq!(
            signal(&ranked[1], "recency").reason,
            "last article 21 hours ago"
        );
    }

    #[test]
    fn signals_add_up_to_the_score() {
        let s = story(
            1,
            &[("a.fr", "fr", 0), ("b.de", "de", 3), ("c.com", "en", 5)],
        );
        let ranked = rank_all(&[s], at_hours(8));
        let r = &ranked[0];
        let names: Vec<&str> = r.signals.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["outlets", "velocity", "recency", "languages"]);
        let sum: f64 = r.signals.iter().map(|s| s.contribution).sum();
        assert!((r.score - sum).abs() < 1e-12);
        assert!(
            r.signals
                .iter()
                .all(|s| s.contribution >= 0.0 && !s.reason.is_empty())
        );
        assert_eq!(signal(r, "velocity").value, 2.0);
        assert_eq!(
            signal(r, "velocity").reason,
            "2 articles in the last 6 hours"
        );
        assert_eq!(
            signal(r, "languages").reason,
            "reported in 3 languages (de, en, fr)"
        );
        // Recency halves every 12 hours: 3 hours after the last article.
        let expected = RECENCY_WEIGHT * 0.5f64.powf(0.25);
        assert!((signal(r, "recency").contribution - expected).abs() < 1e-12);
    }

    #[test]
    fn summary_sentences_come_from_the_story() {
        let s = story(1, &[("a.fr", "fr", 0), ("b.fr", "fr", 1)]);
        let ranked = rank_all(std::slice::from_ref(&s), at_hours(2));
        let summary = &ranked[0].summary;
        assert!(!summary.is_empty() && summary.len() <= 3);
        let lead_text = &s.1[0].content.text;
        assert!(
            summary
                .iter()
                .all(|sentence| lead_text.contains(sentence.as_str()))
        );
    }

    #[test]
    fn every_field_is_filled() {
        let s = story(
            4,
            &[
                ("b.fr", "fr", 2),
                ("a.fr", "fr", 0),
                ("b.fr", "fr", 1),
                ("c.fr", "fr", 3),
            ],
        );
        let r = &rank_all(&[s], at_hours(3))[0];
        assert_eq!(r.title, "Story 4");
        assert_eq!(r.article_count, 4);
        assert_eq!(r.outlet_count, 3);
        assert_eq!(r.languages, ["fr"]);
        assert_eq!((r.first_seen, r.last_seen), (at_hours(0), at_hours(3)));
        assert!(!r.update);
        // Lead first, then one per other outlet, earliest first.
        let outlets: Vec<&str> = r.sources.iter().map(|s| s.outlet.as_str()).collect();
        assert_eq!(outlets, ["b.fr", "a.fr", "c.fr"]);
        assert_eq!(r.sources[0].url.as_str(), "https://b.fr/articles/400");
    }

    #[test]
    fn sources_are_capped() {
        let outlets = ["a.fr", "b.fr", "c.fr", "d.fr", "e.fr", "f.fr", "g.fr"];
        let members: Vec<(&str, &str, i64)> = outlets.iter().map(|&o| (o, "fr", 0)).collect();
        let r = &rank_all(&[story(1, &members)], at_hours(1))[0];
        assert_eq!(r.sources.len(), MAX_SOURCES);
        assert_eq!(r.outlet_count, 7);
    }

    #[test]
    fn ties_are_broken_by_recency_then_id() {
        let a = story(3, &[("a.fr", "fr", 0)]);
        let b = story(1, &[("a.fr", "fr", 0)]);
        let c = story(2, &[("a.fr", "fr", 0)]);
        let ids: Vec<i64> = rank_all(&[a, b, c], at_hours(1))
            .iter()
            .map(|r| r.story_id.0)
            .collect();
        assert_eq!(ids, [1, 2, 3]);
    }

    #[test]
    fn stories_without_members_are_left_out() {
        let (mut s, articles) = story(1, &[("a.fr", "fr", 0)]);
        s.members.clear();
        let inputs = [StoryInput {
            story: &s,
            articles: &articles,
        }];
        assert!(rank(&inputs, at_hours(1)).is_empty());
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(describe_age(SignedDuration::from_secs(20)), "just now");
        assert_eq!(describe_age(SignedDuration::from_mins(1)), "1 minute ago");
        assert_eq!(describe_age(SignedDuration::from_mins(125)), "2 hours ago");
        assert_eq!(describe_age(SignedDuration::from_hours(80)), "3 days ago");
    }
}
