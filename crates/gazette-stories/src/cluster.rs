//! Streaming grouping of articles into stories.
//!
//! Articles arrive one at a time, in arrival order, and each either joins an
//! open story or starts a new one; a decision is never revisited, so story IDs
//! are stable. Two open stories may merge later, when an article bridges them
//! and their centroids have converged ([`Clusterer::mergeable`]): the older
//! keeps its ID. The [`Clusterer`] holds, for each open story, the centroid of its
//! members' term vectors (capped to its heaviest terms) and its time span, plus
//! document frequencies learnt online from the members it holds, and an
//! inverted index from each term to the open stories holding it: an article is
//! compared only with the stories it shares a term with.
//!
//! Similarity is the TF-IDF cosine between the article's term weights (title
//! terms weighted up, plus the head of the text) and a story's centroid, with
//! IDF computed from the current document frequencies when the comparison is
//! made (a story's norm is refreshed when a member joins). Only stories whose
//! time span, widened by the window, contains the article's time are compared
//! (the time gate).
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

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, StoryId};
use jiff::{SignedDuration, Timestamp};

use crate::features::{TermWeights, article_terms};

/// How many shared terms an [`Assignment::Join`] reports.
const SHARED_TERMS: usize = 5;
/// Terms a story's centroid keeps: past twice as many, the lightest are
/// dropped down to this many (a story of a thousand articles stays as cheap
/// to compare as one of fifty).
const CENTROID_TERMS: usize = 400;
/// Candidates whose norm is recomputed with the current IDF before the choice
/// (the norm cached when the last member joined drifts as the IDF changes).
const RECHECKED: usize = 3;
/// Similarities closer than this are equal (floating-point sums in varying order).
const TIE_EPSILON: f64 = 1e-9;
/// Eviction scans the open stories at most once per this part of the window.
const EVICTION_STEPS: i32 = 72;

/// Embeddings seen before the running mean is subtracted from new ones (the
/// mean of a handful of texts is mostly those texts).
const CENTRING_AFTER: u32 = 20;

/// A term's number in the vocabulary.
type TermId = u32;

/// Decides which story each new article belongs to (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Clusterer {
    window: SignedDuration,
    threshold: f64,
    /// `stories.merge_threshold`: see [`mergeable`](Self::mergeable).
    merge_threshold: f64,
    /// `stories.embedding.floor` and `.weight` (see [`assign_embedded`](Self::assign_embedded)).
    embedding: gazette_core::config::EmbeddingConfig,
    /// Sum and count of every embedding seen: their mean is subtracted from
    /// each new one (sentence models put all texts in a narrow cone, with
    /// cosines of 0.8–0.9 between unrelated texts; centred, related texts stand out).
    embedding_sum: Vec<f64>,
    embeddings: u32,
    /// Open stories, ordered by ID so that ties go to the oldest story.
    stories: BTreeMap<StoryId, StoryState>,
    /// Terms of open stories' centroids → their number.
    vocabulary: HashMap<String, TermId>,
    /// By term number: the term and how many members of open stories hold it
    /// in their story's centroid (0: a free number).
    terms: Vec<(String, u32)>,
    free: Vec<TermId>,
    /// By term number: the open stories whose centroid holds the term, with
    /// the term's weight there (a copy of the centroid's, so that scoring a
    /// query reads one list per term and looks nothing up).
    postings: Vec<Vec<Posting>>,
    /// By slot: the open story holding it. A story's slot numbers it densely
    /// while it is open, so that scoring sums into an array, not a map.
    slots: Vec<StoryId>,
    /// Slots of evicted stories, to reuse.
    free_slots: Vec<u32>,
    /// `ln n` for n = 0, 1, 2, …: the IDF's logarithms, read from here
    /// rather than computed for every term of every compared story.
    ln: Vec<f64>,
    /// Member articles of open stories.
    docs: u32,
    /// No eviction scan before this time.
    next_eviction: Option<Timestamp>,
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
        /// The runner-up, when the article is above the threshold for it
        /// too: evidence that the two stories are one (see
        /// [`Clusterer::mergeable`]).
        also: Option<StoryId>,
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
    /// Its slot (see [`Clusterer::slots`]).
    slot: u32,
    /// Sum of the members' unit-length term vectors (before IDF), and for each
    /// term the number of members containing it.
    centroid: HashMap<TermId, TermStats>,
    /// The centroid's TF-IDF norm, as of the last member.
    norm: f64,
    /// Sum of the members' unit embeddings, when the members have some.
    embedding: Option<Vec<f32>>,
    /// Members counted in `embedding`.
    embedded: u32,
    /// The members' languages (primary subtags), when known.
    languages: Vec<Box<str>>,
    members: u32,
    first: Timestamp,
    last: Timestamp,
}

/// What the clusterer reads of an article: its weighted terms (the costly
/// part: stems, entities, name skeletons), its time and its language.
#[derive(Debug, Clone)]
pub struct Features {
    terms: TermWeights,
    time: Timestamp,
    language: Option<String>,
}

impl Features {
    /// Computes `article`'s features.
    pub fn of(article: &Article) -> Self {
        Features {
            terms: article_terms(article),
            time: article.effective_time(),
            language: primary_language(article),
        }
    }
}

/// The article's language as a lower-case primary subtag (`fr` for `fr-CA`).
fn primary_language(article: &Article) -> Option<String> {
    let lang = article.content.lang.as_deref()?.trim();
    let primary = lang.split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty() && primary != "und").then_some(primary)
}

/// See [`Clusterer::centred_query`].
struct CentredQuery {
    vector: Vec<f32>,
    mean_dot: f64,
    spread: f64,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    story: StoryId,
    /// The story's slot (see [`Clusterer::slots`]).
    slot: u32,
    weight: f64,
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
            merge_threshold: config.merge_threshold,
            embedding: config.embedding.clone(),
            embedding_sum: Vec::new(),
            embeddings: 0,
            stories: BTreeMap::new(),
            vocabulary: HashMap::default(),
            terms: Vec::new(),
            free: Vec::new(),
            postings: Vec::new(),
            slots: Vec::new(),
            free_slots: Vec::new(),
            ln: vec![f64::NEG_INFINITY, 0.0],
            docs: 0,
            next_eviction: None,
        }
    }

    /// Registers `article` as a member of `story`: after [`assign`](Self::assign)
    /// decided (with the new story's ID for [`Assignment::New`]), or when
    /// rebuilding state from the store. Opens `story` if it is not open.
    pub fn add_member(&mut self, story: StoryId, article: &Article) {
        self.add_member_embedded(story, article, None);
    }

    /// [`add_member`](Self::add_member) with the article's embedding (see
    /// [`Embedder`](crate::embed::Embedder)).
    pub fn add_member_embedded(
        &mut self,
        story: StoryId,
        article: &Article,
        embedding: Option<&[f32]>,
    ) {
        self.add_member_features(story, Features::of(article), embedding);
    }

    /// [`add_member_embedded`](Self::add_member_embedded) with the article's
    /// [`Features`], when [`assign_features`](Self::assign_features) already
    /// computed them (they are the costly part).
    pub fn add_member_features(
        &mut self,
        story: StoryId,
        features: Features,
        embedding: Option<&[f32]>,
    ) {
        let Features {
            terms,
            time,
            language,
        } = features;
        let norm = terms.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        let slots = &mut self.slots;
        let free_slots = &mut self.free_slots;
        let mut state = self.stories.remove(&story).unwrap_or_else(|| StoryState {
            slot: match free_slots.pop() {
                Some(slot) => {
                    slots[slot as usize] = story;
                    slot
                }
                None => {
                    slots.push(story);
                    u32::try_from(slots.len() - 1).expect("fewer than 2^32 open stories")
                }
            },
            centroid: HashMap::default(),
            norm: 0.0,
            embedding: None,
            embedded: 0,
            languages: Vec::new(),
            members: 0,
            first: time,
            last: time,
        });
        state.members += 1;
        if let Some(lang) = language
            && !state.languages.iter().any(|l| **l == *lang)
        {
            state.languages.push(lang.into());
        }
        state.first = state.first.min(time);
        state.last = state.last.max(time);
        if norm > 0.0 {
            for (term, weight) in terms {
                let id = self.intern(term);
                let stats = state.centroid.entry(id).or_default();
                stats.weight += weight / norm;
                stats.docs += 1;
                let postings = &mut self.postings[id as usize];
                if stats.docs == 1 {
                    postings.push(Posting {
                        story,
                        slot: state.slot,
                        weight: stats.weight,
                    });
                } else if let Some(posting) = postings.iter_mut().find(|p| p.story == story) {
                    posting.weight = stats.weight;
                }
                self.terms[id as usize].1 += 1;
            }
        }
        if let Some(e) = embedding {
            let unit = crate::embed::normalised(e.to_vec());
            if self.embedding_sum.len() != unit.len() {
                self.embedding_sum = vec![0.0; unit.len()];
                self.embeddings = 0;
            }
            self.embedding_sum
                .iter_mut()
                .zip(&unit)
                .for_each(|(s, x)| *s += f64::from(*x));
            self.embeddings += 1;
            match &mut state.embedding {
                Some(sum) if sum.len() == unit.len() => {
                    sum.iter_mut().zip(&unit).for_each(|(s, x)| *s += x);
                    state.embedded += 1;
                }
                slot => {
                    *slot = Some(unit);
                    state.embedded = 1;
                }
            }
        }
        self.docs += 1;
        while self.ln.len() < self.docs as usize + 2 {
            self.ln.push((self.ln.len() as f64).ln());
        }
        if state.centroid.len() > 2 * CENTROID_TERMS {
            self.prune(story, &mut state);
        }
        state.norm = self.story_norm(&state);
        self.stories.insert(story, state);
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
        self.assign_embedded(article, None)
    }

    /// The article's embedding as compared with stories: unit length, minus
    /// the mean of the embeddings seen so far, unit length again; with
    /// `μ·q` and the typical distance of a unit embedding from the mean,
    /// `√(1 − |μ|²)`. `None` until enough embeddings were seen for the mean
    /// to mean something (before, every pair of texts looks alike).
    fn centred_query(&self, e: &[f32]) -> Option<CentredQuery> {
        if self.embeddings < CENTRING_AFTER || self.embedding_sum.len() != e.len() {
            return None;
        }
        let n = f64::from(self.embeddings);
        let unit = crate::embed::normalised(e.to_vec());
        let mean: Vec<f64> = self.embedding_sum.iter().map(|s| s / n).collect();
        let centred: Vec<f32> = unit
            .iter()
            .zip(&mean)
            .map(|(x, m)| (f64::from(*x) - m) as f32)
            .collect();
        let vector = crate::embed::normalised(centred);
        let mean_dot = vector
            .iter()
            .zip(&mean)
            .map(|(q, m)| f64::from(*q) * m)
            .sum();
        let spread = (1.0 - mean.iter().map(|m| m * m).sum::<f64>())
            .max(1e-6)
            .sqrt();
        Some(CentredQuery {
            vector,
            mean_dot,
            spread,
        })
    }

    /// [`assign`](Self::assign) with the article's embedding: the similarity
    /// to a story with embeddings is the TF-IDF cosine plus
    /// `weight · max(0, cos − floor) / (1 − floor)` (`stories.embedding.weight`
    /// and `.floor`), where `cos` is the mean cosine between the article's
    /// centred embedding and the story members' (average linkage: a story
    /// whose members disagree pulls less than one whose members agree).
    pub fn assign_embedded(&self, article: &Article, embedding: Option<&[f32]>) -> Assignment {
        self.assign_features(&Features::of(article), embedding)
    }

    /// [`assign_embedded`](Self::assign_embedded) from the article's
    /// [`Features`], so that one computation serves assigning and adding.
    pub fn assign_features(&self, features: &Features, embedding: Option<&[f32]>) -> Assignment {
        let time = features.time;
        let embedding = embedding.and_then(|e| self.centred_query(e));
        let language = features.language.as_deref();
        let query = self.weigh(&features.terms);
        let query_norm = query.iter().map(|(_, _, w)| w * w).sum::<f64>().sqrt();
        // Dot products with the stories sharing a term, through the postings.
        // By slot; `touched` lists the slots reached, in the order reached.
        let mut dots = vec![0.0f64; self.slots.len()];
        let mut reached = vec![false; self.slots.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(_, id, weight) in &query {
            let Some(id) = id else { continue };
            let idf = self.idf_of(id);
            for posting in &self.postings[id as usize] {
                let slot = posting.slot as usize;
                dots[slot] += weight * posting.weight * idf;
                if !reached[slot] {
                    reached[slot] = true;
                    touched.push(posting.slot);
                }
            }
        }
        if let Some(query) = &embedding {
            for state in self.stories.values() {
                if state
                    .embedding
                    .as_ref()
                    .is_some_and(|e| e.len() == query.vector.len())
                    && !reached[state.slot as usize]
                {
                    reached[state.slot as usize] = true;
                    touched.push(state.slot);
                }
            }
        }
        // (story, similarity with the cached norm, dot product, embedding bonus)
        let mut candidates: Vec<(StoryId, f64, f64, f64)> = Vec::with_capacity(touched.len());
        for slot in touched {
            let story = self.slots[slot as usize];
            let dot = dots[slot as usize];
            let state = &self.stories[&story];
            if !self.is_open_at(state, time) {
                continue;
            }
            let similarity = if state.norm > 0.0 && query_norm > 0.0 {
                dot / (query_norm * state.norm)
            } else {
                0.0
            };
            let mut bonus = 0.0;
            if let (Some(query), Some(sum)) = (&embedding, &state.embedding)
                && state.embedded > 0
                && sum.len() == query.vector.len()
            {
                // Mean over the members of cos(m − μ, q′), each member's
                // distance to the mean taken as the typical one.
                let dot: f32 = sum.iter().zip(&query.vector).map(|(a, b)| a * b).sum();
                let cos =
                    (f64::from(dot) / f64::from(state.embedded) - query.mean_dot) / query.spread;
                // Across languages the TF-IDF cosine sees only names
                // and numbers: the model's word counts for more there.
                let across = language.is_some_and(|lang| {
                    !state.languages.is_empty() && !state.languages.iter().any(|l| **l == *lang)
                });
                let (floor, weight) = if across {
                    (self.embedding.cross_floor, self.embedding.cross_weight)
                } else {
                    (self.embedding.floor, self.embedding.weight)
                };
                bonus = weight * ((cos - floor).max(0.0) / (1.0 - floor));
            }
            candidates.push((story, similarity + bonus, dot, bonus));
        }
        // The best few are compared again with their norm under today's IDF.
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut best: Option<(StoryId, f64)> = None;
        let mut runner_up: Option<(StoryId, f64)> = None;
        for &(story, _, dot, bonus) in candidates.iter().take(RECHECKED) {
            let norm = self.story_norm(&self.stories[&story]);
            let similarity = if norm > 0.0 && query_norm > 0.0 {
                dot / (query_norm * norm)
            } else {
                0.0
            } + bonus;
            // Sums over hash maps add in varying orders: similarities a few
            // ulps apart are a tie, and a tie goes to the oldest story.
            let better = |(b, bs): (StoryId, f64)| {
                similarity > bs + TIE_EPSILON
                    || ((similarity - bs).abs() <= TIE_EPSILON && story < b)
            };
            if best.is_none_or(better) {
                runner_up = best;
                best = Some((story, similarity));
            } else if runner_up.is_none_or(better) {
                runner_up = Some((story, similarity));
            }
        }
        match best {
            Some((story, similarity)) if similarity > self.threshold => Assignment::Join {
                story,
                similarity,
                shared_terms: self.shared_terms(&query, &self.stories[&story]),
                also: runner_up
                    .filter(|&(_, s)| s > self.threshold)
                    .map(|(story, _)| story),
            },
            _ => Assignment::New {
                best_similarity: best.map_or(0.0, |(_, s)| s),
            },
        }
    }

    /// Whether `story` should merge with `other`, and their similarity:
    /// when the cosine of their centroids exceeds `stories.merge_threshold`.
    /// Two stories that opened apart (their first articles too different)
    /// converge as articles bridging them arrive; call this after a member
    /// joined `story` when it was above the threshold for `other` too
    /// ([`Assignment::Join::also`]): that article is the new evidence.
    pub fn mergeable(&self, story: StoryId, other: StoryId) -> Option<f64> {
        if self.merge_threshold >= 1.0 {
            return None;
        }
        Some(self.story_similarity(story, other)?).filter(|&s| s > self.merge_threshold)
    }

    /// The cosine of two open stories' centroids under the current IDF;
    /// `None` unless both are open, distinct and have terms.
    pub fn story_similarity(&self, a: StoryId, b: StoryId) -> Option<f64> {
        let (a, b) = (self.stories.get(&a)?, self.stories.get(&b)?);
        if a.slot == b.slot {
            return None;
        }
        let (small, large) = if a.centroid.len() <= b.centroid.len() {
            (a, b)
        } else {
            (b, a)
        };
        let dot: f64 = small
            .centroid
            .iter()
            .filter_map(|(id, stats)| {
                let other = large.centroid.get(id)?;
                Some(stats.weight * other.weight * self.idf_of(*id).powi(2))
            })
            .sum();
        let norms = self.story_norm(a) * self.story_norm(b);
        (norms > 0.0).then(|| dot / norms)
    }

    /// Moves every member of open story `from` into open story `into`:
    /// centroid, embeddings, languages and time span; `from` is closed.
    /// Does nothing unless both are open and distinct.
    pub fn merge(&mut self, into: StoryId, from: StoryId) {
        if into == from || !self.stories.contains_key(&into) {
            return;
        }
        let Some(absorbed) = self.stories.remove(&from) else {
            return;
        };
        let mut state = self.stories.remove(&into).expect("checked above");
        self.free_slots.push(absorbed.slot);
        for (id, stats) in absorbed.centroid {
            let postings = &mut self.postings[id as usize];
            postings.retain(|p| p.story != from);
            let merged = state.centroid.entry(id).or_default();
            merged.weight += stats.weight;
            merged.docs += stats.docs;
            match postings.iter_mut().find(|p| p.story == into) {
                Some(posting) => posting.weight = merged.weight,
                None => postings.push(Posting {
                    story: into,
                    slot: state.slot,
                    weight: merged.weight,
                }),
            }
        }
        match (&mut state.embedding, absorbed.embedding) {
            (Some(sum), Some(other)) if sum.len() == other.len() => {
                sum.iter_mut().zip(&other).for_each(|(s, x)| *s += x);
                state.embedded += absorbed.embedded;
            }
            (slot @ None, Some(other)) => {
                *slot = Some(other);
                state.embedded = absorbed.embedded;
            }
            _ => {}
        }
        for lang in absorbed.languages {
            if !state.languages.contains(&lang) {
                state.languages.push(lang);
            }
        }
        state.members += absorbed.members;
        state.first = state.first.min(absorbed.first);
        state.last = state.last.max(absorbed.last);
        if state.centroid.len() > 2 * CENTROID_TERMS {
            self.prune(into, &mut state);
        }
        state.norm = self.story_norm(&state);
        self.stories.insert(into, state);
    }

    /// Forgets the stories whose last article is older than `now - window`,
    /// and their members' document frequencies. The scan runs at most once
    /// per 1/72 of the window; stories past their time are kept out of
    /// [`assign`](Self::assign) by the time gate meanwhile.
    pub fn evict(&mut self, now: Timestamp) {
        if self.next_eviction.is_some_and(|next| now < next) {
            return;
        }
        self.next_eviction = Some(now + self.window / EVICTION_STEPS);
        let cutoff = now - self.window;
        let closed: Vec<StoryId> = self
            .stories
            .iter()
            .filter(|(_, state)| state.last < cutoff)
            .map(|(&id, _)| id)
            .collect();
        for story in closed {
            self.close(story);
        }
    }

    /// Forgets open story `story` (as [`evict`](Self::evict) does when its
    /// time has passed) and its members' document frequencies; nothing when
    /// it is not open.
    pub fn close(&mut self, story: StoryId) {
        let Some(state) = self.stories.remove(&story) else {
            return;
        };
        self.free_slots.push(state.slot);
        self.docs -= state.members;
        for (id, stats) in state.centroid {
            self.forget(id, story, stats.docs);
        }
    }

    /// The similarity above which an article joins a story (`stories.threshold`).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Whether `story` is open (not evicted, not merged into another).
    pub fn is_open(&self, story: StoryId) -> bool {
        self.stories.contains_key(&story)
    }

    /// The number of open stories.
    pub fn open_stories(&self) -> usize {
        self.stories.len()
    }

    /// Terms in the vocabulary of the open stories.
    pub fn vocabulary_len(&self) -> usize {
        self.vocabulary.len()
    }

    /// How many members of open stories hold `term` in their story's centroid.
    pub fn document_frequency(&self, term: &str) -> u32 {
        self.vocabulary
            .get(term)
            .map_or(0, |&id| self.terms[id as usize].1)
    }

    fn intern(&mut self, term: String) -> TermId {
        if let Some(&id) = self.vocabulary.get(&term) {
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => {
                self.terms[id as usize] = (term.clone(), 0);
                id
            }
            None => {
                self.terms.push((term.clone(), 0));
                self.postings.push(Vec::new());
                TermId::try_from(self.terms.len() - 1).expect("fewer than 2^32 terms")
            }
        };
        self.vocabulary.insert(term, id);
        id
    }

    /// Takes `story`'s `docs` members off term `id`, and the story off its postings.
    fn forget(&mut self, id: TermId, story: StoryId, docs: u32) {
        let slot = &mut self.terms[id as usize];
        slot.1 -= docs;
        self.postings[id as usize].retain(|p| p.story != story);
        if slot.1 == 0 {
            let term = std::mem::take(&mut slot.0);
            self.vocabulary.remove(&term);
            self.free.push(id);
        }
    }

    /// Keeps the [`CENTROID_TERMS`] heaviest terms of a story's centroid.
    fn prune(&mut self, story: StoryId, state: &mut StoryState) {
        let mut weights: Vec<(TermId, f64)> = state
            .centroid
            .iter()
            .map(|(&id, stats)| (id, stats.weight * self.idf_of(id)))
            .collect();
        weights.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(id, _) in &weights[CENTROID_TERMS..] {
            let stats = state.centroid.remove(&id).expect("listed above");
            self.forget(id, story, stats.docs);
        }
    }

    /// Whether an article at `time` may join the story: within the window of its span.
    fn is_open_at(&self, state: &StoryState, time: Timestamp) -> bool {
        state.first - self.window <= time && time <= state.last + self.window
    }

    /// Smoothed inverse document frequency of a term held by `df` members of open stories.
    fn idf(&self, df: u32) -> f64 {
        // ln((1 + docs) / (1 + df)) + 1; df ≤ docs, and `ln` covers docs + 1.
        match (
            self.ln.get(self.docs as usize + 1),
            self.ln.get(df as usize + 1),
        ) {
            (Some(a), Some(b)) => a - b + 1.0,
            _ => ((1.0 + f64::from(self.docs)) / (1.0 + f64::from(df))).ln() + 1.0,
        }
    }

    fn idf_of(&self, id: TermId) -> f64 {
        self.idf(self.terms[id as usize].1)
    }

    fn story_norm(&self, state: &StoryState) -> f64 {
        state
            .centroid
            .iter()
            .map(|(&id, stats)| (stats.weight * self.idf_of(id)).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// The article's TF-IDF vector: each term, its number when known, its weight.
    fn weigh<'a>(&self, terms: &'a TermWeights) -> Vec<(&'a str, Option<TermId>, f64)> {
        terms
            .iter()
            .map(|(term, weight)| {
                let weight = *weight;
                let id = self.vocabulary.get(term).copied();
                let df = id.map_or(0, |id| self.terms[id as usize].1);
                let idf = self.idf(df);
                (term.as_str(), id, weight * idf)
            })
            .collect()
    }

    fn shared_terms(
        &self,
        query: &[(&str, Option<TermId>, f64)],
        state: &StoryState,
    ) -> Vec<String> {
        let mut shared: Vec<(&str, f64)> = query
            .iter()
            .filter_map(|&(term, id, weight)| {
                let stats = state.centroid.get(&id?)?;
                Some((term, weight * stats.weight * self.idf_of(id?)))
            })
            .collect();
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
    use crate::test_support::{article, at_hours, forked};

    fn config() -> StoriesConfig {
        StoriesConfig {
            window: SignedDuration::from_hours(72),
            threshold: 0.2,
            merge_threshold: 0.6,
            embedding: Default::default(),
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
                also,
            } => {
                assert_eq!(also, None, "the election story is far");
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
        assert_eq!(c.document_frequency("earthquak"), 0);
        assert_eq!(c.document_frequency("brazil"), 1);

        c.evict(at_hours(200));
        assert_eq!(c.open_stories(), 0);
        assert_eq!(c.docs, 0);
        assert_eq!(c.vocabulary_len(), 0);
        assert!(c.postings.iter().all(Vec::is_empty));
    }

    #[test]
    fn an_embedding_links_headlines_without_shared_terms() {
        // Sentence models put every text in a narrow cone: topic k is the
        // cone's axis plus a little of basis vector k, so two unrelated texts
        // have a raw cosine of about 0.89.
        let topic = |k: usize| -> Vec<f32> {
            let mut v = vec![0.4f32; 6];
            v[k] += 0.35;
            v
        };
        let mut c = Clusterer::new(&config());
        let ja = article(1, "a.example", Some("ja"), "安倍元首相が銃撃され死亡", "");
        let other = article(3, "c.example", Some("de"), "Wahlen in Brasilien", "");
        c.add_member_embedded(StoryId(1), &ja, Some(&topic(0)));
        c.add_member_embedded(StoryId(2), &other, Some(&topic(1)));
        let de = |id| {
            article(
                id,
                "b.example",
                Some("de"),
                "Ehemaliger Regierungschef erschossen",
                "",
            )
        };
        assert!(matches!(c.assign(&de(2)), Assignment::New { .. }));
        // Before the mean of the cone is known, embeddings add nothing.
        assert!(matches!(
            c.assign_embedded(&de(2), Some(&topic(0))),
            Assignment::New { .. }
        ));
        for n in 0..CENTRING_AFTER {
            let k = 2 + (n as usize) % 4;
            let lang = ["en", "fr", "es", "pt"][k - 2];
            let a = article(
                100 + i64::from(n),
                "d.example",
                Some(lang),
                &format!("Nachricht {n}"),
                "",
            );
            c.add_member_embedded(StoryId(100 + i64::from(n)), &a, Some(&topic(k)));
        }
        let Assignment::Join {
            story,
            similarity: across,
            ..
        } = c.assign_embedded(&de(2), Some(&topic(0)))
        else {
            panic!("the embedding links the headlines across languages");
        };
        assert_eq!(story, StoryId(1));
        // In one language the terms can speak: the model counts for less.
        let Assignment::Join {
            story,
            similarity: within,
            ..
        } = c.assign_embedded(&de(2), Some(&topic(1)))
        else {
            panic!("the embedding links the headlines in one language");
        };
        assert_eq!(story, StoryId(2));
        assert!(within < across, "{within} < {across}");
    }

    #[test]
    fn stories_bridged_by_new_articles_become_mergeable() {
        let (flood, dam, bridge) = forked();
        let bridges = [bridge(3), bridge(4)];
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(1), &flood);
        assert!(matches!(c.assign(&dam), Assignment::New { .. }));
        c.add_member(StoryId(2), &dam);
        let apart = c.story_similarity(StoryId(1), StoryId(2));
        assert_eq!(apart, Some(0.0), "no shared term");
        // An article of one story alone brings no evidence of the other.
        let Assignment::Join { also, .. } = c.assign(&flood) else {
            panic!("joins");
        };
        assert_eq!(also, None);
        for bridge in &bridges {
            // A bridging article is above the threshold for both stories.
            let Assignment::Join { story, also, .. } = c.assign(bridge) else {
                panic!("a bridging article joins one of the two");
            };
            assert_eq!(
                also,
                Some(if story == StoryId(1) {
                    StoryId(2)
                } else {
                    StoryId(1)
                })
            );
            c.add_member(story, bridge);
        }
        let close = c.story_similarity(StoryId(1), StoryId(2)).unwrap();
        assert_eq!(c.story_similarity(StoryId(2), StoryId(1)), Some(close));
        assert!(close > 0.2, "{close}");
        // The configured threshold decides.
        assert_eq!(c.mergeable(StoryId(1), StoryId(2)), None, "0.6 > {close}");
        let eager = Clusterer {
            merge_threshold: close - 0.01,
            ..c.clone()
        };
        assert_eq!(eager.mergeable(StoryId(1), StoryId(2)), Some(close));
        assert_eq!(eager.mergeable(StoryId(1), StoryId(1)), None);
        assert_eq!(eager.mergeable(StoryId(1), StoryId(7)), None);
        let never = Clusterer {
            merge_threshold: 1.0,
            ..c.clone()
        };
        assert_eq!(never.mergeable(StoryId(1), StoryId(2)), None);
    }

    #[test]
    fn a_merge_moves_members_terms_and_postings_to_the_older_story() {
        let (flood, dam, bridge) = forked();
        let bridges = [bridge(3), bridge(4)];
        let mut c = Clusterer::new(&config());
        c.add_member(StoryId(1), &flood);
        c.add_member(StoryId(2), &dam);
        c.add_member(StoryId(1), &bridges[0]);
        let docs = c.docs;
        let df = c.document_frequency("albufera");
        c.merge(StoryId(1), StoryId(2));
        assert_eq!(c.open_stories(), 1);
        assert!(!c.is_open(StoryId(2)));
        assert_eq!((c.docs, c.document_frequency("albufera")), (docs, df));
        assert!(
            c.postings
                .iter()
                .flatten()
                .all(|p| p.story == StoryId(1) && c.slots[p.slot as usize] == StoryId(1))
        );
        // The merged centroid is the sum of the two: an article like the
        // absorbed story's first goes to the merged story.
        let Assignment::Join { story, .. } = c.assign(&dam) else {
            panic!("joins the merged story");
        };
        assert_eq!(story, StoryId(1));
        // Merging into a closed story, or a story into itself, does nothing.
        c.merge(StoryId(2), StoryId(1));
        c.merge(StoryId(1), StoryId(1));
        assert!(c.is_open(StoryId(1)));
        // A new story reuses the freed slot.
        c.add_member(StoryId(3), &quake(9));
        assert_eq!(c.slots.len(), 2);
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
