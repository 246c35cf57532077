//! Ranking stories, with the reasons for each place.
//!
//! A story's score is the sum of explainable [`Signal`]s, each with a sentence
//! a reader can see:
//!
//! | signal | value | contribution |
//! |---|---|---|
//! | `outlets` (the main one) | distinct outlets, each counted with its source weight | `2 · ln(1 + Σ weights)` |
//! | `velocity` | articles in the last 6 hours (shown per hour) | `0.5 · ln(1 + n)` |
//! | `recency` | hours since the last article | `1.5 · 2^(−age / 12 h)` |
//! | `languages` | languages covered | `0.75 · ln n` (a spread, not a second outlet count) |
//! | `topics` | the channel's topics named in the story's headlines | `1.5` per topic, at most 3 |
//! | `entities` | salience: the share of the story's articles (those read for its summary) whose headline and lead name each of its three most named people, places or organisations | `0.5 · Σ shares` |
//!
//! A story whose headlines name one of the channel's mutes is left out, with
//! the word as its reason ([`Scored::muted`]).
//!
//! Ranking runs in two steps so that an edition over a large window stays
//! cheap: [`score`] needs only a story's members (outlets, times, headlines);
//! [`summarise`] reads the articles, and is run only for the stories an
//! edition may take: it adds the `entities` signal, which needs their text,
//! so the candidates are sorted again after it. [`rank`] does both for every story.
//!
//! ```
//! # use gazette_core::{Story, StoryId, ArticleId};
//! use gazette_stories::{RankContext, StoryInput, rank};
//! # let story = Story { id: StoryId(1), title: "Title".into(), lead: ArticleId(1), members: vec![] };
//! let ranked = rank(&[StoryInput { story: &story, articles: &[] }], &RankContext::default(), jiff::Timestamp::UNIX_EPOCH);
//! assert!(ranked.is_empty()); // a story without members has nothing to rank
//! ```

use std::collections::BTreeMap;

use gazette_core::{Article, RankedStory, Signal, SourceLink, Story, StoryId, StoryMember};
use gazette_text::fold;
use jiff::{SignedDuration, Timestamp};

use crate::summary::{key_quote, summary};

/// A story to rank and its member articles (as many as are at hand; at least
/// the lead for a summary).
#[derive(Debug, Clone, Copy)]
pub struct StoryInput<'a> {
    pub story: &'a Story,
    pub articles: &'a [Article],
}

/// What ranking takes from the configuration and the channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankContext {
    /// Weight of an outlet's coverage, by outlet (default 1).
    pub source_weights: BTreeMap<String, f64>,
    /// Words or phrases that boost a story naming them (a channel's topics).
    pub topics: Vec<String>,
    /// Words or phrases that keep a story naming them out (a channel's mutes).
    pub mutes: Vec<String>,
}

impl RankContext {
    fn weight(&self, outlet: &str) -> f64 {
        self.source_weights.get(outlet).copied().unwrap_or(1.0)
    }
}

/// A story's score and the signals that make it up.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub story_id: StoryId,
    pub score: f64,
    pub signals: Vec<Signal>,
    pub last_seen: Timestamp,
    /// The mute word the story names, when it is left out for it.
    pub muted: Option<String>,
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
/// Weight of the languages signal (times the log of their number): a spread,
/// kept below the outlets, which already count each language's outlets.
const LANGUAGES_WEIGHT: f64 = 0.75;
/// Boost per channel topic a story names.
const TOPIC_WEIGHT: f64 = 1.5;
/// Topics counted at most.
const MAX_TOPICS: usize = 3;
/// Most sources listed per story.
const MAX_SOURCES: usize = 5;
/// Weight of the entity-salience signal (times the sum of the shares).
const SALIENCE_WEIGHT: f64 = 0.5;
/// Entities counted in the salience signal.
const SALIENT_ENTITIES: usize = 3;

/// Scores, summarises and orders `inputs`, best first. Stories without members
/// and muted stories are left out. Ties go to the most recently updated story,
/// then the lowest ID.
pub fn rank(inputs: &[StoryInput<'_>], context: &RankContext, now: Timestamp) -> Vec<RankedStory> {
    let by_id: BTreeMap<StoryId, &StoryInput<'_>> =
        inputs.iter().map(|i| (i.story.id, i)).collect();
    let stories: Vec<&Story> = inputs.iter().map(|i| i.story).collect();
    let mut ranked: Vec<RankedStory> = rank_scores(&stories, context, now)
        .into_iter()
        .filter(|s| s.muted.is_none())
        .map(|scored| {
            let input = by_id[&scored.story_id];
            summarise(scored, input.story, input.articles, context)
        })
        .collect();
    sort_ranked(&mut ranked);
    ranked
}

/// Orders summarised stories best first (after [`summarise`] has added the
/// signals that need the articles): score, then the freshest, then the oldest ID.
pub fn sort_ranked(ranked: &mut [RankedStory]) {
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.story_id.cmp(&b.story_id))
    });
}

/// Scores `stories` from their members alone, best first (muted ones included,
/// marked). Stories without members are left out.
pub fn rank_scores(stories: &[&Story], context: &RankContext, now: Timestamp) -> Vec<Scored> {
    let mut scored: Vec<Scored> = stories
        .iter()
        .filter_map(|story| score(story, context, now))
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.story_id.cmp(&b.story_id))
    });
    scored
}

/// The signals of one story, from its members; `None` without members.
pub fn score(story: &Story, context: &RankContext, now: Timestamp) -> Option<Scored> {
    let last_seen = story.last_seen()?;
    let languages: Vec<String> = story.languages().into_iter().map(str::to_string).collect();
    // Folding every headline costs; only topics and mutes need it.
    let headlines: Vec<String> = if context.topics.is_empty() && context.mutes.is_empty() {
        Vec::new()
    } else {
        story.members.iter().map(|m| fold(&m.title)).collect()
    };
    let mut signals = vec![
        outlets_signal(story, context),
        velocity_signal(&story.members, now),
        recency_signal(last_seen, now),
        languages_signal(&languages),
    ];
    let topics: Vec<&str> = context
        .topics
        .iter()
        .filter(|t| names(&headlines, t))
        .map(String::as_str)
        .collect();
    if !topics.is_empty() {
        signals.push(topics_signal(&topics));
    }
    Some(Scored {
        story_id: story.id,
        score: signals.iter().map(|s| s.contribution).sum(),
        signals,
        last_seen,
        muted: context.mutes.iter().find(|m| names(&headlines, m)).cloned(),
    })
}

/// The full [`RankedStory`] of a scored story: summary, key quote and sources
/// from its articles (lead first).
pub fn summarise(
    scored: Scored,
    story: &Story,
    articles: &[Article],
    context: &RankContext,
) -> RankedStory {
    let languages: Vec<String> = story.languages().into_iter().map(str::to_string).collect();
    let (summary, key_quote) = without_repeats(
        summary(story.lead, articles),
        key_quote(story.lead, articles),
    );
    let salience = salience_signal(articles);
    let score = scored.score + salience.contribution;
    let mut signals = scored.signals;
    signals.push(salience);
    RankedStory {
        story_id: story.id,
        title: story.title.clone(),
        score,
        signals,
        summary,
        key_quote,
        sources: sources(story, context),
        outlet_count: count(story.outlets().len()),
        article_count: count(story.members.len()),
        languages,
        first_seen: story.first_seen().unwrap_or(scored.last_seen),
        last_seen: scored.last_seen,
        update: false,
    }
}

/// A summary and key quote that do not say the same thing twice: a summary
/// sentence that carries the quote is dropped, unless it is the only one, in
/// which case the quote is.
fn without_repeats(
    mut summary: Vec<String>,
    quote: Option<gazette_core::Quote>,
) -> (Vec<String>, Option<gazette_core::Quote>) {
    let Some(q) = quote else {
        return (summary, None);
    };
    let quoted = fold(&q.text);
    let carries = |sentence: &String| fold(sentence).contains(quoted.trim_end_matches([',', '.']));
    if summary.iter().any(carries) {
        if summary.len() == 1 {
            return (summary, None);
        }
        summary.retain(|s| !carries(s));
    }
    (summary, Some(q))
}

/// Whether one of the folded headlines names `phrase`: the folded phrase
/// starting at a word boundary (so "climat" also finds "climatique").
fn names(headlines: &[String], phrase: &str) -> bool {
    let phrase = fold(phrase.trim());
    !phrase.is_empty()
        && headlines.iter().any(|h| {
            h.match_indices(phrase.as_str()).any(|(i, _)| {
                h[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
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

/// Fewest words a headline needs for its copies to be told apart by it.
const COPY_TITLE_WORDS: usize = 4;

/// The outlets that covered the story with their own article: an outlet whose
/// only members repeat, word for word, a headline another outlet published
/// first (a wire copy) does not count.
fn independent_outlets(story: &Story) -> std::collections::BTreeSet<&str> {
    let mut first_outlet: std::collections::HashMap<String, &str> =
        std::collections::HashMap::new();
    let mut outlets = std::collections::BTreeSet::new();
    for member in &story.members {
        // A copy of another member's text (found by the duplicate index).
        if member.duplicate_of.is_some() {
            continue;
        }
        let title = fold(&member.title);
        let words: Vec<&str> = title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() < COPY_TITLE_WORDS {
            outlets.insert(member.outlet.as_str());
            continue;
        }
        let first = *first_outlet
            .entry(words.join(" "))
            .or_insert(member.outlet.as_str());
        if first == member.outlet {
            outlets.insert(member.outlet.as_str());
        }
    }
    outlets
}

fn outlets_signal(story: &Story, context: &RankContext) -> Signal {
    let outlets = independent_outlets(story);
    let weighted: f64 = outlets.iter().map(|o| context.weight(o)).sum();
    let n = outlets.len();
    let mut reason = format!("covered by {}", plural(n, "outlet", "outlets"));
    let copies = story.outlets().len() - n;
    if copies > 0 {
        reason.push_str(&format!(
            " (and {} repeating another's story)",
            plural(copies, "outlet", "outlets")
        ));
    }
    if (weighted - n as f64).abs() > 1e-9 {
        reason.push_str(&format!(" (weighted {weighted:.1})"));
    }
    Signal {
        name: "outlets".into(),
        value: n as f64,
        contribution: OUTLETS_WEIGHT * weighted.ln_1p(),
        reason,
    }
}

fn topics_signal(topics: &[&str]) -> Signal {
    let n = topics.len().min(MAX_TOPICS);
    Signal {
        name: "topics".into(),
        value: topics.len() as f64,
        contribution: TOPIC_WEIGHT * n as f64,
        reason: format!("about your topics: {}", topics.join(", ")),
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
        contribution: LANGUAGES_WEIGHT * (n.max(1) as f64).ln(),
        reason: format!(
            "reported in {} ({})",
            plural(n, "language", "languages"),
            languages.join(", ")
        ),
    }
}

/// Entity salience: the story's most named entities and the share of its
/// articles whose headline or first paragraph names each. A story about
/// someone or somewhere named throughout its coverage is a clearer story than
/// one whose articles share only words. One article alone shares nothing.
fn salience_signal(articles: &[Article]) -> Signal {
    let n = articles.len();
    let mut named: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for article in articles {
        let lead = article.content.text.split("\n\n").next().unwrap_or("");
        let text = format!("{}\n\n{lead}", article.title);
        let found = gazette_text::entities::find(&text);
        let mut keys: Vec<(String, String)> = found
            .entities
            .into_iter()
            .map(|e| (e.key, e.text))
            .collect();
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        for (key, name) in keys {
            named.entry(key).or_insert((0, name)).0 += 1;
        }
    }
    let mut top: Vec<(usize, String)> = named.into_values().filter(|(c, _)| *c >= 2).collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    top.truncate(SALIENT_ENTITIES);
    if n < 2 || top.is_empty() {
        return Signal {
            name: "entities".into(),
            value: 0.0,
            contribution: 0.0,
            reason: "no person, place or organisation named across its articles".into(),
        };
    }
    let value: f64 = top.iter().map(|(c, _)| *c as f64 / n as f64).sum();
    let names: Vec<String> = top
        .iter()
        .map(|(c, name)| format!("{name} ({c} of {n})"))
        .collect();
    Signal {
        name: "entities".into(),
        value,
        contribution: SALIENCE_WEIGHT * value,
        reason: format!("names {}", names.join(", ")),
    }
}

/// The lead first, then the earliest member of each other outlet (heavier
/// outlets first), at most [`MAX_SOURCES`].
fn sources(story: &Story, context: &RankContext) -> Vec<SourceLink> {
    let lead = story.lead_member().or(story.members.first());
    let mut picked: Vec<&StoryMember> = lead.into_iter().collect();
    let mut by_time: Vec<&StoryMember> = story.members.iter().collect();
    by_time.sort_by(|a, b| {
        context
            .weight(&b.outlet)
            .total_cmp(&context.weight(&a.outlet))
            .then_with(|| (a.time, a.article_id).cmp(&(b.time, b.article_id)))
    });
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
                duplicate_of: None,
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
        rank(&inputs, &RankContext::default(), now)
    }

    fn signal<'a>(ranked: &'a RankedStory, name: &str) -> &'a Signal {
        ranked
            .signals
            .iter()
            .find(|s| s.name == name)
            .expect("signal present")
    }

    #[test]
    fn a_wire_copy_counts_once_in_coverage() {
        let (mut copied, articles) = story(
            1,
            &[("wire.fr", "fr", 0), ("b.fr", "fr", 0), ("c.fr", "fr", 0)],
        );
        let (own, own_articles) = story(
            2,
            &[("wire.fr", "fr", 0), ("b.fr", "fr", 0), ("c.fr", "fr", 0)],
        );
        // b.fr and c.fr republish the wire's headline word for word.
        for member in &mut copied.members {
            member.title = "Le Parlement adopte la réforme des retraites".into();
        }
        assert_eq!(independent_outlets(&copied).len(), 1);
        assert_eq!(independent_outlets(&own).len(), 3);
        let ranked = rank_all(&[(copied, articles), (own, own_articles)], at_hours(1));
        assert_eq!(ranked[0].story_id, StoryId(2));
        let copies = ranked.iter().find(|r| r.story_id == StoryId(1)).unwrap();
        assert_eq!(
            signal(copies, "outlets").reason,
            "covered by 1 outlet (and 2 outlets repeating another's story)"
        );
    }

    #[test]
    fn an_outlet_whose_member_copies_another_text_counts_once() {
        // Different headlines, but b.fr's and c.fr's texts were found to copy
        // a.fr's (the duplicate index linked them).
        let (mut copied, articles) = story(
            1,
            &[("a.fr", "fr", 0), ("b.fr", "fr", 0), ("c.fr", "fr", 0)],
        );
        let original = copied.members[0].article_id;
        copied.members[1].duplicate_of = Some(original);
        copied.members[2].duplicate_of = Some(original);
        let ranked = rank_all(&[(copied, articles)], at_hours(1));
        assert_eq!(
            signal(&ranked[0], "outlets").reason,
            "covered by 1 outlet (and 2 outlets repeating another's story)"
        );
        assert_eq!(signal(&ranked[0], "outlets").value, 1.0);
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
        assert_eq!(
            names,
            ["outlets", "velocity", "recency", "languages", "entities"]
        );
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
        assert!(rank(&inputs, &RankContext::default(), at_hours(1)).is_empty());
    }

    #[test]
    fn source_weights_scale_coverage() {
        let s = story(1, &[("wire.example", "en", 0), ("blog.example", "en", 0)]);
        let plain = rank_all(std::slice::from_ref(&s), at_hours(1))[0].score;
        let context = RankContext {
            source_weights: [("wire.example".to_string(), 3.0)].into(),
            ..RankContext::default()
        };
        let inputs = [StoryInput {
            story: &s.0,
            articles: &s.1,
        }];
        let weighted = &rank(&inputs, &context, at_hours(1))[0];
        assert!(weighted.score > plain);
        assert_eq!(
            signal(weighted, "outlets").reason,
            "covered by 2 outlets (weighted 4.0)"
        );
        // The lead comes first, then the other outlets.
        assert_eq!(weighted.sources[0].outlet, "wire.example");
        assert_eq!(weighted.sources[1].outlet, "blog.example");
    }

    #[test]
    fn topics_boost_and_mutes_leave_out() {
        let mut a = story(1, &[("a.fr", "fr", 0)]);
        a.0.members[0].title = "Sommet sur le climat à Paris".into();
        let mut b = story(2, &[("a.fr", "fr", 0), ("b.fr", "fr", 0)]);
        b.0.members[0].title = "Football : le PSG l'emporte".into();
        let context = RankContext {
            topics: vec!["Climat".into()],
            mutes: vec!["football".into()],
            ..RankContext::default()
        };
        let stories = [&a.0, &b.0];
        let scored = rank_scores(&stories, &context, at_hours(1));
        let muted = scored.iter().find(|s| s.story_id == StoryId(2)).unwrap();
        assert_eq!(muted.muted.as_deref(), Some("football"));
        let inputs = [
            StoryInput {
                story: &a.0,
                articles: &a.1,
            },
            StoryInput {
                story: &b.0,
                articles: &b.1,
            },
        ];
        let ranked = rank(&inputs, &context, at_hours(1));
        assert_eq!(ranked.len(), 1, "the muted story is left out");
        assert_eq!(
            signal(&ranked[0], "topics").reason,
            "about your topics: Climat"
        );
        // A topic matches at a word boundary only.
        assert!(names(&[fold("Le climatologue parle")], "climat"));
        assert!(!names(&[fold("Anticlimat")], "climat"));
    }

    #[test]
    fn the_key_quote_is_not_repeated_in_the_summary() {
        let quote = gazette_core::Quote {
            text: "We have never seen gusts like these in January,".into(),
            speaker: None,
        };
        let summary = vec![
            "Winds swept across Brittany overnight.".to_string(),
            "\"We have never seen gusts like these in January,\" a forecaster said.".to_string(),
        ];
        let (s, q) = without_repeats(summary.clone(), Some(quote.clone()));
        assert_eq!(s, ["Winds swept across Brittany overnight."]);
        assert_eq!(q, Some(quote.clone()));
        let (s, q) = without_repeats(summary[1..].to_vec(), Some(quote));
        assert_eq!(s.len(), 1);
        assert_eq!(q, None);
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(describe_age(SignedDuration::from_secs(20)), "just now");
        assert_eq!(describe_age(SignedDuration::from_mins(1)), "1 minute ago");
        assert_eq!(describe_age(SignedDuration::from_mins(125)), "2 hours ago");
        assert_eq!(describe_age(SignedDuration::from_hours(80)), "3 days ago");
    }

    #[test]
    fn entity_salience_counts_the_articles_naming_each_entity() {
        let texts = [
            (
                "Sergueï Lavrov à Moscou",
                "Sergueï Lavrov a parlé de la Syrie lundi.",
            ),
            (
                "Lavrov parle de la Syrie",
                "Le ministre Sergueï Lavrov a reçu son homologue à Moscou.",
            ),
            (
                "Conférence à Moscou",
                "Une conférence de presse s'est tenue à Moscou.",
            ),
        ];
        let articles: Vec<Article> = texts
            .iter()
            .enumerate()
            .map(|(i, (title, text))| article(i as i64, "a.example", Some("fr"), title, text))
            .collect();
        let signal = salience_signal(&articles);
        assert_eq!(signal.name, "entities");
        // Moscou in 3 of 3, Sergueï Lavrov in 2 of 3, Syrie in 2 of 3.
        assert!(
            (signal.value - (1.0 + 2.0 / 3.0 + 2.0 / 3.0)).abs() < 1e-9,
            "{signal:?}"
        );
        assert!((signal.contribution - SALIENCE_WEIGHT * signal.value).abs() < 1e-9);
        assert!(
            signal.reason.contains("Moscou (3 of 3)"),
            "{}",
            signal.reason
        );
        assert!(
            signal.reason.contains("Lavrov (2 of 3)"),
            "{}",
            signal.reason
        );

        // One article shares nothing with another.
        let alone = salience_signal(&articles[..1]);
        assert_eq!(alone.contribution, 0.0);
    }

    #[test]
    fn the_entity_signal_can_reorder_summarised_stories() {
        let mut a = story(1, &[("a.example", "fr", 1), ("b.example", "fr", 1)]);
        let mut b = story(2, &[("a.example", "fr", 1), ("b.example", "fr", 1)]);
        for (i, art) in b.1.iter_mut().enumerate() {
            art.title = format!("Emmanuel Macron à Berlin, étape {i}");
        }
        for (i, art) in a.1.iter_mut().enumerate() {
            art.title = format!("une réunion, étape {i}");
        }
        let ranked = rank_all(&[a, b], at_hours(0));
        assert_eq!(ranked[0].story_id, StoryId(2), "{ranked:#?}");
        assert!(
            ranked[0]
                .signals
                .iter()
                .any(|s| s.name == "entities" && s.contribution > 0.0)
        );
        assert!(ranked[0].score > ranked[1].score);
    }
}
