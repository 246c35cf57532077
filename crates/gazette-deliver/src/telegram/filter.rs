//! An edition as one subscriber wants it: only the stories matching their
//! topics (all when they have none), none matching what they muted, with the
//! labels in their language.
//!
//! A word or phrase matches a story when each of its words begins a word of
//! the story's title, summary, key quote or source titles, compared folded
//! (case and accents ignored): `climat` matches "Climatique", `élection
//! européenne` matches "les élections européennes".
//!
//! ```
//! # use gazette_core::{NewEdition, RankedStory};
//! use gazette_deliver::telegram::filter::phrase_matches;
//! assert!(phrase_matches("Les élections européennes approchent", "election europeenne"));
//! assert!(!phrase_matches("Le football ce soir", "foot ball"));
//! ```

use std::collections::HashSet;

use gazette_core::{NewEdition, RankedStory};

/// Whether every word of `phrase` begins a word of `text` (both folded).
pub fn phrase_matches(text: &str, phrase: &str) -> bool {
    let folded = gazette_text::fold(text);
    let words: HashSet<&str> = gazette_text::words(&folded).collect();
    let wanted = gazette_text::fold(phrase);
    let mut any = false;
    for w in gazette_text::words(&wanted) {
        any = true;
        if !words.iter().any(|word| word.starts_with(w)) {
            return false;
        }
    }
    any
}

/// The text a story is matched against.
fn story_text(story: &RankedStory) -> String {
    let mut text = story.title.clone();
    for part in &story.summary {
        text.push('\n');
        text.push_str(part);
    }
    if let Some(q) = &story.key_quote {
        text.push('\n');
        text.push_str(&q.text);
    }
    for s in &story.sources {
        text.push('\n');
        text.push_str(&s.title);
    }
    text
}

/// Whether `story` matches any of `phrases`.
pub fn story_matches(story: &RankedStory, phrases: &[String]) -> bool {
    let text = story_text(story);
    phrases.iter().any(|p| phrase_matches(&text, p))
}

/// The edition for a subscriber: their topics and mutes applied, labels in
/// `lang`. `None` when their filters leave no story of a non-empty edition.
pub fn for_subscriber(
    edition: &NewEdition,
    lang: &str,
    topics: &[String],
    mutes: &[String],
) -> Option<NewEdition> {
    let stories: Vec<RankedStory> = edition
        .stories
        .iter()
        .filter(|s| topics.is_empty() || story_matches(s, topics))
        .filter(|s| !story_matches(s, mutes))
        .cloned()
        .collect();
    if stories.is_empty() && !edition.stories.is_empty() {
        return None;
    }
    Some(NewEdition {
        lang: lang.to_string(),
        stories,
        ..edition.clone()
    })
}

#[cfg(test)]
mod tests {
    use gazette_core::{SourceLink, StoryId};

    use super::*;

    fn story(id: i64, title: &str) -> RankedStory {
        RankedStory {
            story_id: StoryId(id),
            title: title.into(),
            score: 1.0,
            signals: vec![],
            summary: vec![],
            key_quote: None,
            sources: vec![SourceLink {
                url: "https://x.example/".parse().unwrap(),
                outlet: "x.example".into(),
                title: title.into(),
                lang: "fr".into(),
            }],
            outlet_count: 1,
            article_count: 1,
            languages: vec!["fr".into()],
            first_seen: jiff::Timestamp::UNIX_EPOCH,
            last_seen: jiff::Timestamp::UNIX_EPOCH,
            update: false,
        }
    }

    fn edition(stories: Vec<RankedStory>) -> NewEdition {
        NewEdition {
            channel: "briefing".into(),
            slot: "2026-01-15T07:30:00+01:00[Europe/Paris]".parse().unwrap(),
            window_start: jiff::Timestamp::UNIX_EPOCH,
            window_end: jiff::Timestamp::UNIX_EPOCH,
            composed_at: jiff::Timestamp::UNIX_EPOCH,
            lang: "en".into(),
            stories,
        }
    }

    fn ids(e: &NewEdition) -> Vec<i64> {
        e.stories.iter().map(|s| s.story_id.0).collect()
    }

    #[test]
    fn topics_keep_and_mutes_drop_stories() {
        let e = edition(vec![
            story(1, "Réforme des retraites : la grève continue"),
            story(2, "Ligue 1 : le PSG s'impose"),
            story(3, "Climat : record de chaleur en janvier"),
        ]);
        let topics = vec!["climatique".into(), "greve".into()];
        assert_eq!(ids(&for_subscriber(&e, "fr", &[], &[]).unwrap()), [1, 2, 3]);
        assert_eq!(ids(&for_subscriber(&e, "fr", &topics, &[]).unwrap()), [1]);
        let topics = vec!["climat".into(), "grève".into()];
        assert_eq!(
            ids(&for_subscriber(&e, "fr", &topics, &[]).unwrap()),
            [1, 3]
        );
        let mutes = vec!["PSG".into()];
        let muted = for_subscriber(&e, "fr", &[], &mutes).unwrap();
        assert_eq!(ids(&muted), [1, 3]);
        assert_eq!(muted.lang, "fr");
    }

    #[test]
    fn filters_that_leave_nothing_give_no_edition() {
        let e = edition(vec![story(1, "Ligue 1 : le PSG s'impose")]);
        assert_eq!(for_subscriber(&e, "en", &["rugby".into()], &[]), None);
        assert!(for_subscriber(&edition(vec![]), "en", &["rugby".into()], &[]).is_some());
    }
}
