//! One pass over a stream of articles: each one placed in a story on arrival.
//!
//! [`StoryStream`] is what `gazette cluster` and `gazette bench cluster` drive:
//! it owns a [`Clusterer`], numbers new stories itself (1, 2, 3, … in order of
//! creation, never reused, so a story keeps its ID for as long as it lives) and
//! evicts stories that fell out of the time window before each article, which
//! bounds memory however long the stream is.
//!
//! Duplicates are settled first ([`DuplicateIndex`]): an article that copies
//! an earlier one of the window (same canonical URL, same words, or a near
//! SimHash) joins the original's story and is linked to the original
//! ([`Placed::duplicate`]); it does not weigh on the story's centroid, so a wire
//! copy republished forty times counts once there too.
//!
//! When an article joins a story while it was close enough to another too,
//! the two may merge (`stories.merge_threshold`): the younger into the older,
//! reported as [`Placed::absorbed`].
//!
//! ```
//! use gazette_core::config::StoriesConfig;
//! use gazette_stories::StoryStream;
//! # let article = |id: i64, title: &str| gazette_core::Article {
//! #     id: gazette_core::ArticleId(id), source_id: gazette_core::SourceId(1), entry_id: None,
//! #     url: format!("https://news.example/{id}").parse().unwrap(), outlet: "news.example".into(),
//! #     title: title.into(), discovered_at: jiff::Timestamp::UNIX_EPOCH,
//! #     content: gazette_core::ArticleContent { lang: Some("en".into()), ..Default::default() },
//! # };
//! let mut stream = StoryStream::new(&StoriesConfig::default());
//! let a = stream.push(&article(1, "Earthquake strikes northern Japan"));
//! let b = stream.push(&article(2, "Strong earthquake shakes northern Japan"));
//! let c = stream.push(&article(3, "Voters head to the polls in Brazil"));
//! assert_eq!(a.story, b.story);
//! assert_ne!(a.story, c.story);
//! ```

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, StoryId};

use crate::cluster::{Assignment, Clusterer, Features};
use crate::dedup::{Duplicate, DuplicateIndex, Keys};
use crate::embed::{Embedder, NoEmbedder};

/// Characters of the text embedded after the title (the lead).
const EMBED_LEAD_CHARS: usize = 300;
/// An article whose terms alone give a story this many times the threshold
/// is placed without asking the embedding model.
const DECIDED: f64 = 2.0;

/// Places articles in stories, one at a time (see the [module docs](self)).
#[derive(Debug)]
pub struct StoryStream {
    clusterer: Clusterer,
    duplicates: DuplicateIndex,
    window: jiff::SignedDuration,
    embedder: Box<dyn Embedder>,
    /// Articles the embedder was asked for and answered.
    embedded: u64,
    last_id: i64,
}

/// Where [`StoryStream::push`] placed an article, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub story: StoryId,
    /// Whether the article opened `story`.
    pub new: bool,
    /// The earlier article this one copies: then `assignment` is `None`.
    pub duplicate: Option<Duplicate>,
    /// The clusterer's decision for an original article.
    pub assignment: Option<Assignment>,
    /// A story merged into `story` after this article joined: its members
    /// now belong to `story`.
    pub absorbed: Option<StoryId>,
}

impl StoryStream {
    /// An empty stream with the window and thresholds of `config`.
    pub fn new(config: &StoriesConfig) -> Self {
        Self::with_embedder(config, Box::new(NoEmbedder))
    }

    /// An empty stream that embeds each original article's title and lead with `embedder`.
    pub fn with_embedder(config: &StoriesConfig, embedder: Box<dyn Embedder>) -> Self {
        StoryStream {
            embedder,
            embedded: 0,
            clusterer: Clusterer::new(config),
            duplicates: DuplicateIndex::new(),
            window: config.window,
            last_id: 0,
        }
    }

    /// Places `article`: evicts the stories closed at its time, then joins it
    /// to the best open story or opens a new one.
    pub fn push(&mut self, article: &Article) -> Placed {
        let time = article.effective_time();
        self.clusterer.evict(time);
        self.duplicates.evict(time - self.window);
        let keys = Keys::of(&article.url, &article.content.text);
        if let Some(duplicate) = self.duplicates.find(&keys) {
            self.clusterer.touch(duplicate.story, time);
            return Placed {
                story: duplicate.story,
                new: false,
                duplicate: Some(duplicate),
                assignment: None,
                absorbed: None,
            };
        }
        let (assignment, features, embedding) =
            assign_with_embedder(&self.clusterer, self.embedder.as_mut(), article);
        if embedding.is_some() {
            self.embedded += 1;
        }
        let (story, new) = match &assignment {
            Assignment::Join { story, .. } => (*story, false),
            Assignment::New { .. } => {
                self.last_id += 1;
                (StoryId(self.last_id), true)
            }
        };
        self.clusterer
            .add_member_features(story, features, embedding.as_deref());
        let merged = merge_bridged(
            &mut self.clusterer,
            &mut self.duplicates,
            story,
            &assignment,
        );
        let story = merged.map_or(story, |(into, _)| into);
        let absorbed = merged.map(|(_, from)| from);
        self.duplicates.insert(article.id, story, time, keys);
        Placed {
            story,
            new,
            duplicate: None,
            assignment: Some(assignment),
            absorbed,
        }
    }

    /// The clusterer, to inspect open stories.
    pub fn clusterer(&self) -> &Clusterer {
        &self.clusterer
    }

    /// How many articles were embedded (the others were duplicates, or
    /// placed by their terms alone, or the embedder had nothing to say).
    pub fn embedded(&self) -> u64 {
        self.embedded
    }

    /// Articles the duplicate index remembers (those of the window).
    pub fn remembered(&self) -> usize {
        self.duplicates.len()
    }
}

/// After an article joined `story` as `assignment` says: when it was above
/// the threshold for another story too and the two stories' centroids have
/// converged ([`Clusterer::mergeable`]), merges the younger into the older,
/// whose ID lives on, in the clusterer and the duplicate index. Returns
/// `(into, from)` when it merged. `StoryStream` and the daemon's pass call it.
pub fn merge_bridged(
    clusterer: &mut Clusterer,
    duplicates: &mut DuplicateIndex,
    story: StoryId,
    assignment: &Assignment,
) -> Option<(StoryId, StoryId)> {
    let Assignment::Join {
        also: Some(other), ..
    } = *assignment
    else {
        return None;
    };
    clusterer.mergeable(story, other)?;
    let (into, from) = (story.min(other), story.max(other));
    clusterer.merge(into, from);
    duplicates.rename(from, into);
    Some((into, from))
}

/// Where `article` goes, asking `embedder` only when the terms leave the
/// choice open (the model is slow, tens of texts a second): an article the
/// terms alone place firmly in a story is never embedded. Returns the
/// article's features and the embedding when one was made, for
/// [`Clusterer::add_member_features`].
pub fn assign_with_embedder(
    clusterer: &Clusterer,
    embedder: &mut dyn Embedder,
    article: &Article,
) -> (Assignment, Features, Option<Vec<f32>>) {
    let features = Features::of(article);
    let assignment = clusterer.assign_features(&features, None);
    let decided = matches!(assignment, Assignment::Join { similarity, .. }
        if similarity >= DECIDED * clusterer.threshold());
    if decided {
        return (assignment, features, None);
    }
    let lead: String = article
        .content
        .text
        .chars()
        .take(EMBED_LEAD_CHARS)
        .collect();
    let text = format!("{}\n{lead}", article.title);
    match embedder.embed(&text, article.content.lang.as_deref()) {
        Some(embedding) => (
            clusterer.assign_features(&features, Some(&embedding)),
            features,
            Some(embedding),
        ),
        None => (assignment, features, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::article;

    const WIRE: &str = "The central bank raised its main interest rate by a quarter of a percentage point on Thursday, \
        the third increase this year, saying inflation remained too high and that further moves could follow \
        if prices kept rising faster than expected over the coming months, according to a statement released \
        after the meeting of its monetary policy committee in the capital.";

    #[test]
    fn a_wire_copy_joins_its_original_and_is_linked_to_it() {
        let mut stream = StoryStream::new(&StoriesConfig::default());
        let original = stream.push(&article(
            1,
            "wire.example",
            Some("en"),
            "Bank raises rates",
            WIRE,
        ));
        assert!(original.new && original.duplicate.is_none());
        let other = stream.push(&article(
            2,
            "b.example",
            Some("en"),
            "Storm hits the coast",
            "Wind and rain.",
        ));
        assert_ne!(other.story, original.story);
        let copy = stream.push(&article(
            3,
            "c.example",
            Some("en"),
            "Central bank raises rates",
            WIRE,
        ));
        assert_eq!(copy.story, original.story);
        assert_eq!(
            copy.duplicate.map(|d| d.original),
            Some(gazette_core::ArticleId(1))
        );
        assert_eq!(copy.assignment, None);
    }

    #[test]
    fn converging_stories_merge_into_the_older_one() {
        let config = StoriesConfig {
            threshold: 0.2,
            merge_threshold: 0.25,
            ..StoriesConfig::default()
        };
        let (flood, dam, bridge) = crate::test_support::forked();
        let never = StoriesConfig {
            merge_threshold: 1.0,
            ..config.clone()
        };
        for (config, merges) in [(config, true), (never, false)] {
            let mut stream = StoryStream::new(&config);
            assert_eq!(stream.push(&flood).story, StoryId(1));
            assert_eq!(stream.push(&dam).story, StoryId(2));
            let placed: Vec<Placed> = (3..6).map(|id| stream.push(&bridge(id))).collect();
            let merge = placed.iter().find(|p| p.absorbed.is_some());
            assert_eq!(merge.is_some(), merges, "{placed:?}");
            if let Some(merge) = merge {
                assert_eq!(
                    (merge.story, merge.absorbed),
                    (StoryId(1), Some(StoryId(2)))
                );
                assert_eq!(stream.clusterer().open_stories(), 1);
                // Later articles go to the merged story, and so does a copy
                // of an article of the absorbed one.
                assert!(
                    placed
                        .iter()
                        .skip_while(|p| p.absorbed.is_none())
                        .all(|p| p.story == StoryId(1))
                );
                let mut copy = dam.clone();
                copy.id = gazette_core::ArticleId(9);
                let placed = stream.push(&copy);
                assert!(placed.duplicate.is_some());
                assert_eq!(placed.story, StoryId(1));
            }
        }
    }

    #[test]
    fn story_ids_count_up_and_are_never_reused() {
        let config = StoriesConfig {
            window: jiff::SignedDuration::from_hours(1),
            ..StoriesConfig::default()
        };
        let mut stream = StoryStream::new(&config);
        let mut a = article(1, "a.example", Some("en"), "Earthquake strikes Japan", "");
        let first = stream.push(&a);
        a.discovered_at += jiff::SignedDuration::from_hours(5);
        a.id = gazette_core::ArticleId(2);
        let second = stream.push(&a);
        assert_eq!(stream.clusterer().open_stories(), 1);
        assert_eq!((first.story, second.story), (StoryId(1), StoryId(2)));
    }
}
