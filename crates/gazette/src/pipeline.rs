//! The pipeline's glue: the steps that read from the store, call a pure crate,
//! and write back. Commands, the daemon and the demo all go through here, so the
//! demo exercises exactly what `gazette run` does.

use std::collections::{HashMap, HashSet};

use gazette_core::config::{ChannelConfig, StoriesConfig};
use gazette_core::{Article, ArticleId, Edition, NewEdition, RankedStory, Store, Story, StoryId};
use gazette_editions::ComposeInput;
use gazette_stories::{Assignment, Clusterer, StoryInput};
use jiff::{SignedDuration, Timestamp, Zoned};

/// How far back the scheduler looks for editions already sent, to avoid repeats.
const HISTORY: SignedDuration = SignedDuration::from_hours(7 * 24);

/// What [`group_articles`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GroupReport {
    pub assigned: usize,
    pub new_stories: usize,
}

/// Assigns every article not yet in a story, in the order the articles were
/// stored: to an open story when similar enough, else to a new story. Then
/// each story that grew gets the most central article as its lead.
pub async fn group_articles(
    store: &dyn Store,
    config: &StoriesConfig,
    now: Timestamp,
) -> anyhow::Result<GroupReport> {
    let mut clusterer = Clusterer::new(config);
    // The open stories' articles, for the clusterer and for choosing leads.
    let mut members: HashMap<StoryId, Vec<Article>> = HashMap::new();
    for story in store.stories_since(now - config.window).await? {
        for member in &story.members {
            if let Some(article) = store.article(member.article_id).await? {
                clusterer.add_member(story.id, &article);
                members.entry(story.id).or_default().push(article);
            }
        }
    }
    let mut grown: HashSet<StoryId> = HashSet::new();
    let mut report = GroupReport::default();
    loop {
        let batch = store.unassigned_articles(500).await?;
        if batch.is_empty() {
            break;
        }
        for article in batch {
            let story = match clusterer.assign(&article) {
                Assignment::Join { story, .. } => {
                    store.add_to_story(story, article.id, now).await?;
                    story
                }
                Assignment::New { .. } => {
                    report.new_stories += 1;
                    store.create_story(article.id, now).await?
                }
            };
            clusterer.add_member(story, &article);
            members.entry(story).or_default().push(article);
            grown.insert(story);
            report.assigned += 1;
        }
    }
    for story in grown {
        let articles = &members[&story];
        if articles.len() > 1
            && let Some(lead) = gazette_stories::choose_lead(articles)
        {
            store.set_story_lead(story, lead).await?;
        }
    }
    Ok(report)
}

/// Stories with articles since `since`, each with its member articles.
pub async fn stories_with_articles(
    store: &dyn Store,
    since: Timestamp,
) -> anyhow::Result<Vec<(Story, Vec<Article>)>> {
    let mut out = Vec::new();
    let mut cache: HashMap<ArticleId, Article> = HashMap::new();
    for story in store.stories_since(since).await? {
        let mut articles = Vec::with_capacity(story.members.len());
        for member in &story.members {
            if let Some(a) = cache.get(&member.article_id) {
                articles.push(a.clone());
            } else if let Some(a) = store.article(member.article_id).await? {
                cache.insert(a.id, a.clone());
                articles.push(a);
            }
        }
        out.push((story, articles));
    }
    Ok(out)
}

/// Ranks loaded stories, best first.
pub fn rank(stories: &[(Story, Vec<Article>)], now: Timestamp) -> Vec<RankedStory> {
    let inputs: Vec<StoryInput<'_>> = stories
        .iter()
        .map(|(story, articles)| StoryInput { story, articles })
        .collect();
    gazette_stories::rank(&inputs, now)
}

/// Composes (without storing) the channel's edition for `slot`: `None` in a quiet period.
pub async fn compose_edition(
    store: &dyn Store,
    channel: &ChannelConfig,
    slot: &Zoned,
    now: Timestamp,
) -> anyhow::Result<Option<NewEdition>> {
    let slot_at = slot.timestamp();
    let history: Vec<Edition> = store
        .editions_since(&channel.name, slot_at - HISTORY)
        .await?
        .into_iter()
        .filter(|e| e.edition.slot.timestamp() < slot_at)
        .collect();
    let window_start = gazette_editions::window_start(channel, slot, history.last());
    // The edition shows the stories as they stood at the slot (or now, if earlier):
    // articles that arrived later belong to the next edition.
    let window_end = slot_at.min(now);
    let mut stories = stories_with_articles(store, window_start).await?;
    for (story, articles) in &mut stories {
        story.members.retain(|m| m.time <= window_end);
        articles.retain(|a| a.effective_time() <= window_end);
    }
    stories.retain(|(story, _)| !story.members.is_empty());
    let ranked = rank(&stories, now);
    Ok(gazette_editions::compose(ComposeInput {
        channel,
        slot: slot.clone(),
        now,
        window_start,
        history: &history,
        ranked,
    }))
}

/// The channel's stored edition for `slot`, composing and storing it first if
/// needed. `None` when the slot is quiet. Composed once per (channel, slot).
pub async fn edition_for_slot(
    store: &dyn Store,
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
    match compose_edition(store, channel, slot, now).await? {
        Some(new) => Ok(Some(store.insert_edition(&new).await?.into_edition())),
        None => Ok(None),
    }
}
