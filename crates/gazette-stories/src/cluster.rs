//! Streaming grouping of articles into stories.
//!
//! Articles arrive one at a time, in arrival order, and each either joins an
//! open story or starts a new one; a decision is never revisited, so story IDs
//! are stable. The [`Clusterer`] holds, for each open story, the centroid of its
//! members' term vectors and its time span, plus document frequencies learnt
//! online from the members it holds.
//!
//! Similarity is the TF-IDF cosine between the article's term weights (title
//! terms weighted up, plus the head of the text) and a story's centroid, with
//! IDF computed from the current document frequencies when the comparison is
//! made. Only stories whose time span, widened by the window, contains the
//! article's time are compared (the time gate).
//!
//! The store owns stories; the clusterer only decides. The caller loop:
//!
//! ```
//! use gazette_core::{Article, StoryId, config::StoriesConfig};
//! use gazette_stories::{Assignment, Clusterer};
//!
//! fn place(clusterer: &mut Clusterer, article: &Article, next_id: &mut i64) -> StoryId {
//!     clusterer.evict(article.effective_time());
//!     let story = match clusterer.assign(article) {
//!         Assignment::Join { story, .. } => story,
//!         Assignment::New { .. } => {
//!             *next_id += 1; // in gazette, the store creates the story
//!             StoryId(*next_id)
//!         }
//!     };
//!     clusterer.add_member(story, article);
//!     story
//! }
//! # let _ = Clusterer::new(&StoriesConfig::default());
//! ```

use std::collections::{BTreeMap, HashMap};

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, StoryId};
use jiff::{SignedDuration, Timestamp};

use crate::features::{TermWeights, article_terms};

/// How many shared terms an [`Assignment::Join`] reports.
const SHARED_TERMS: usize = 5;

/// Decides which story each new article belongs to (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Clusterer {
    window: SignedDuration,
    threshold: f64,
    /// Open stories, ordered by ID so that ties go to the oldest story.
    stories: BTreeMap<StoryId, StoryState>,
    /// For each term, how many member articles of open stories contain it.
    doc_freq: HashMap<String, u32>,
    /// Member articles of open stories.
    docs: u32,
}

/// Where a new article goes, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum Assignment {
    /// The article joins `story`: its similarity to the story exceeds the threshold
    /// and is the highest among open stories.
    Join {
        story: StoryId,
        similarity: f64,
        /// The terms contributing most to the similarity, strongest first.
        shared_terms: Vec<String>,
    },
    /// The article starts a new story: no open story is similar enough.
    New {
        /// The similarity of the closest open story (0 when there is none).
        best_similarity: f64,
    },
}

/// What the clusterer keeps of an open story.
#[derive(Debug, Clone)]
struct StoryState {
    /// Sum of the members' unit-length term vectors (before IDF), and for each
    /// term the number of members containing it. Ordered for reproducible sums.
    centroid: BTreeMap<String, TermStats>,
    members: u32,
    first: Timestamp,
    last: Timestamp,
}

#[derive(Debug, Clone, Copy, Default)]
struct TermStats {
    weight: f64,
    docs: u32,
}

impl Clusterer {
    /// An empty clusterer using the window and threshold of `config`.
    pub fn new(config: &StoriesConfig) -> Self {
        Clusterer {
            window: config.window,
            threshold: config.threshold,
            stories: BTreeMap::new(),
            doc_freq: HashMap::new(),
            docs: 0,
        }
    }

    /// Registers `article` as a member of `story`: after [`assign`](Self::assign)
    /// decided (with the new story's ID for [`Assignment::New`]), or when
    /// rebuilding state from the store. Opens `story` if it is not open.
    pub fn add_member(&mut self, story: StoryId, article: &Article) {
        let time = article.effective_time();
        let state = self.stories.entry(story).or_insert_with(|| StoryState {
            centroid: BTreeMap::new(),
            members: 0,
            first: time,
            last: time,
        });
        state.members += 1;
        state.first = state.first.min(time);
        state.last = state.last.max(time);
        let terms = article_terms(article);
        let norm = terms.values().map(|w| w * w).sum::<f64>().sqrt();
        for (term, weight) in terms {
            let stats = state.centroid.entry(term.clone()).or_default();
            stats.weight += weight / norm;
            stats.docs += 1;
            *self.doc_freq.entry(term).or_default() += 1;
        }
        self.docs += 1;
    }

    /// Keeps `story` open as if an article had joined it at `time` (a duplicate,
    /// which does not change the centroid). Does nothing for a closed story.
    pub fn touch(&mut self, story: StoryId, time: Timestamp) {
        if let Some(state) = self.stories.get_mut(&story) {
            state.first = state.first.min(time);
            state.last = state.last.max(time);
        }
    }

    /// Where `article` would go, without changing any state.
    pub fn assign(&self, article: &Article) -> Assignment {
        let time = article.effective_time();
        let query = self.weigh(article_terms(article));
        let mut best: Option<(StoryId, &StoryState, f64)> = None;
        for (&id, state) in &self.stories {
            if !self.is_open_at(state, time) {
                continue;
            }
            let similarity = self.cosine(&query, state);
            if best.is_none_or(|(_, _, b)| similarity > b) {
                best = Some((id, state, similarity));
            }
        }
        match best {
            Some((story, state, similarity)) if similarity > self.threshold => Assignment::Join {
                story,
                similarity,
                shared_terms: self.shared_terms(&query, state),
            },
            _ => Assignment::New {
                best_similarity: best.map_or(0.0, |(_, _, s)| s),
            },
        }
    }

    /// Forgets the stories whose last article is older than `now - window`,
    /// and their members' document frequencies.
    pub fn evict(&mut self, now: Timestamp) {
        let cutoff = now - self.window;
        let (closed, open) = std::mem::take(&mut self.stories)
            .into_iter()
            .partition(|(_, state)| state.last < cutoff);
        self.stories = open;
        for state in closed.into_values() {
            self.docs -= state.members;
            for (term, stats) in state.centroid {
                if let Some(df) = self.doc_freq.get_mut(&term) {
                    *df -= stats.docs;
                    if *df == 0 {
                        self.doc_freq.remove(&term);
                    }
                }
            }
        }
    }

    /// The number of open stories.
    pub fn open_stories(&self) -> usize {
        self.stories.len()
    }

    /// Whether an article at `time` may join the story: within the window of its span.
    fn is_open_at(&self, state: &StoryState, time: Timestamp) -> bool {
        state.first - self.window <= time && time <= state.last + self.window
    }

    /// Smoothed inverse document frequency of `term` among the open stories' members.
    fn idf(&self, term: &str) -> f64 {
        let df = self.doc_freq.get(term).copied().unwrap_or(0);
        ((1.0 + f64::from(self.docs)) / (1.0 + f64::from(df))).ln() + 1.0
    }

    /// The article's TF-IDF vector.
    fn weigh(&self, terms: TermWeights) -> Vec<(String, f64)> {
        terms
            .into_iter()
            .map(|(term, weight)| {
                let idf = self.idf(&term);
                (term, weight * idf)
            })
            .collect()
    }

    /// Each query term's contribution to the (unnormalised) dot product with the story.
    fn contributions<'q>(
        &self,
        query: &'q [(String, f64)],
        state: &StoryState,
    ) -> impl Iterator<Item = (&'q str, f64)> {
        query.iter().filter_map(|(term, weight)| {
            let stats = state.centroid.get(term)?;
            Some((term.as_str(), weight * stats.weight * self.idf(term)))
        })
    }

    fn cosine(&self, query: &[(String, f64)], state: &StoryState) -> f64 {
        let dot: f64 = self.contributions(query, state).map(|(_, c)| c).sum();
        if dot == 0.0 {
            return 0.0;
        }
        let query_norm = query.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        let story_norm = state
            .centroid
            .iter()
            .map(|(term, stats)| (stats.weight * self.idf(term)).powi(2))
            .sum::<f64>()
            .sqrt();
        dot / (query_norm * story_norm)
    }

    fn shared_terms(&self, query: &[(String, f64)], state: &StoryState) -> Vec<String> {
        let mut shared: Vec<(&str, f64)> = self.contributions(query, state).collect();
        shared.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        shared
            .into_iter()
            .take(SHARED_TERMS)
            .map(|(term, _)| term.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{article, at_hours};

    fn config() -> StoriesConfig {
        StoriesConfig {
            window: SignedDuration::from_hours(72),
            threshold: 0.2,
        }
    }

    fn quake(id: i64) -> Article {
        article(
            id,
            "a.example",
            Some("en"),
            "Earthquake strikes northern Japan",
            "A strong earthquake struck northern Japan on Monday, shaking buildings in Sendai.",
        )
    }

    fn election(id: i64) -> Article {
        article(
            id,
            "b.example",
            Some("en"),
            "Voters head to the polls in Brazil",
            "Brazilians vote on Sunday in a presidential election between Lula and Bolsonaro.",
        )
    }

    #[test]
    fn first_article_starts_a_story() {
        let c = Clusterer::new(&config());
        assert_eq!(
            c.assign(&quake(1)),
            Assignment::New {
                best_similarity: 0.0
            }
        );
    }

    #[test]
    fn similar_article_joins_and_explains_why() {
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(7), &quake(1));
        c.add_member(StoryId(8), &election(2));
        let follow_up = article(
            3,
            "c.example",
            Some("en"),
            "Japan earthquake: Sendai buildings damaged",
            "Buildings in Sendai were damaged when the earthquake hit northern Japan.",
        );
        match c.assign(&follow_up) {
            Assignment::Join {
                story,
                similarity,
                shared_terms,
            } => {
                assert_eq!(story, StoryId(7));
                assert!(similarity > 0.2 && similarity <= 1.0 + 1e-9, "{similarity}");
                assert!(
                    shared_terms.contains(&"earthquak".to_string()),
                    "{shared_terms:?}"
                );
                assert!(shared_terms.len() <= SHARED_TERMS);
            }
            other => panic!("expected a join, got {other:?}"),
        }
    }

    #[test]
    fn unrelated_article_starts_a_new_story() {
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(1), &quake(1));
        match c.assign(&election(2)) {
            Assignment::New { best_similarity } => assert!(best_similarity < 0.2),
            other => panic!("expected a new story, got {other:?}"),
        }
    }

    #[test]
    fn identical_article_has_similarity_one() {
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(1), &quake(1));
        let Assignment::Join { similarity, .. } = c.assign(&quake(2)) else {
            panic!("an identical article joins");
        };
        assert!((similarity - 1.0).abs() < 1e-9, "{similarity}");
    }

    #[test]
    fn assign_does_not_change_state() {
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(1), &quake(1));
        let first = c.assign(&quake(2));
        assert_eq!(c.assign(&quake(2)), first);
        assert_eq!(c.open_stories(), 1);
    }

    #[test]
    fn time_gate_keeps_articles_out_of_stale_stories() {
        let mut c = Clusterer::new(&config());
        let mut old = quake(1);
        old.discovered_at = at_hours(0);
        c.add_member(StoryId(1), &old);
        let mut late = quake(2);
        late.discovered_at = at_hours(73);
        assert_eq!(
            c.assign(&late),
            Assignment::New {
                best_similarity: 0.0
            }
        );
        late.discovered_at = at_hours(71);
        assert!(matches!(c.assign(&late), Assignment::Join { .. }));
    }

    #[test]
    fn evict_forgets_stories_and_their_document_frequencies() {
        let mut c = Clusterer::new(&config());
        let mut old = quake(1);
        old.discovered_at = at_hours(0);
        c.add_member(StoryId(1), &old);
        let mut recent = election(2);
        recent.discovered_at = at_hours(48);
        c.add_member(StoryId(2), &recent);

        c.evict(at_hours(80));
        assert_eq!(c.open_stories(), 1);
        assert_eq!(c.docs, 1);
        assert!(!c.doc_freq.contains_key("earthquak"));
        assert_eq!(c.doc_freq.get("brazil"), Some(&1));

        c.evict(at_hours(200));
        assert_eq!(c.open_stories(), 0);
        assert_eq!(c.docs, 0);
        assert!(c.doc_freq.is_empty());
    }

    #[test]
    fn ties_go_to_the_oldest_story() {
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(5), &quake(1));
        c.add_member(StoryId(3), &quake(2));
        let Assignment::Join { story, .. } = c.assign(&quake(3)) else {
            panic!("joins one of two identical stories");
        };
        assert_eq!(story, StoryId(3));
    }
}
