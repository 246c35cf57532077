//! Stories (table `stories`) and their membership (columns of `articles`).
//!
//! An article's `story_id` says which story it is in, so it is in at most one;
//! `story_seq` numbers a story's members in the order they joined. A story's
//! title is read from its lead article, so it always is the lead's title.
//!
//! Stories are read in three queries whatever their number ([`load`]): the
//! heads, then every member, grouped here.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use gazette_core::{ArticleId, StoreError, Story, StoryId, StoryMember};
use jiff::Timestamp;

use super::codec::{Cols, OpResult, Tx, execute, micros, query_all, query_opt, require};

/// See [`gazette_core::Store::create_story`].
pub(crate) async fn create(tx: &Tx<'_>, article: ArticleId, now: Timestamp) -> OpResult<StoryId> {
    require(tx, "articles", "article", article.0).await?;
    let id = query_opt(
        tx,
        "INSERT INTO stories (lead_article_id, created_at) VALUES ($1, $2) RETURNING id",
        &[&article.0, &micros(now)],
        |row| row.get("id"),
    )
    .await?;
    let story = StoryId(id.ok_or_else(|| StoreError::Corrupt {
        what: "story",
        detail: "INSERT … RETURNING returned no row".into(),
    })?);
    join(tx, story, article, now).await?;
    Ok(story)
}

/// See [`gazette_core::Store::add_to_story`]. The story row is locked first
/// (`FOR NO KEY UPDATE`), so concurrent joins to one story number their
/// members one after the other.
pub(crate) async fn add(
    tx: &Tx<'_>,
    story: StoryId,
    article: ArticleId,
    now: Timestamp,
) -> OpResult<()> {
    let locked = query_opt(
        tx,
        "SELECT 1 FROM stories WHERE id = $1 FOR NO KEY UPDATE",
        &[&story.0],
        |_| Ok(()),
    )
    .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound {
            what: "story",
            id: story.0,
        }
        .into());
    }
    require(tx, "articles", "article", article.0).await?;
    join(tx, story, article, now).await
}

/// See [`gazette_core::Store::add_copy_to_story`].
pub(crate) async fn add_copy(
    tx: &Tx<'_>,
    story: StoryId,
    article: ArticleId,
    original: ArticleId,
    now: Timestamp,
) -> OpResult<()> {
    require(tx, "articles", "article", original.0).await?;
    add(tx, story, article, now).await?;
    execute(
        tx,
        "UPDATE articles SET duplicate_of = $2 WHERE id = $1",
        &[&article.0, &original.0],
    )
    .await?;
    Ok(())
}

/// Makes an existing article the last member of an existing story, leaving
/// its previous story if any. An article already in `story` keeps its place.
async fn join(tx: &Tx<'_>, story: StoryId, article: ArticleId, now: Timestamp) -> OpResult<()> {
    execute(
        tx,
        "UPDATE articles SET story_id = $1, story_added_at = $3, \
         story_seq = (SELECT COALESCE(MAX(story_seq), 0) + 1 FROM articles WHERE story_id = $1) \
         WHERE id = $2 AND (story_id IS NULL OR story_id <> $1)",
        &[&story.0, &article.0, &micros(now)],
    )
    .await?;
    Ok(())
}

/// See [`gazette_core::Store::set_story_lead`]. Fails with `NotFound` when the
/// story does not exist or the article is not one of its members.
pub(crate) async fn set_lead(tx: &Tx<'_>, story: StoryId, article: ArticleId) -> OpResult<()> {
    require(tx, "stories", "story", story.0).await?;
    let updated = execute(
        tx,
        "UPDATE stories SET lead_article_id = $2 WHERE id = $1 \
         AND EXISTS (SELECT 1 FROM articles WHERE id = $2 AND story_id = $1)",
        &[&story.0, &article.0],
    )
    .await?;
    if updated == 0 {
        return Err(StoreError::NotFound {
            what: "story member",
            id: article.0,
        }
        .into());
    }
    Ok(())
}

/// The story with its members in join order, if it exists.
pub(crate) async fn by_id(tx: &Tx<'_>, id: StoryId) -> OpResult<Option<Story>> {
    // A merged story is read as the story it became.
    let id = query_opt(
        tx,
        "SELECT COALESCE(merged_into, id) AS id FROM stories WHERE id = $1",
        &[&id.0],
        |row| row.get::<i64>("id"),
    )
    .await?
    .unwrap_or(id.0);
    Ok(load(tx, &[id]).await?.pop())
}

/// See [`gazette_core::Store::merge_stories`]. Both story rows are locked
/// (`FOR NO KEY UPDATE`, in ID order) as joins lock them; `from`'s members
/// are numbered after `into`'s last; `from` and the stories merged into it
/// before point at `into` (one hop, always).
pub(crate) async fn merge(tx: &Tx<'_>, into: StoryId, from: StoryId) -> OpResult<()> {
    let locked: Vec<i64> = query_all(
        tx,
        "SELECT id FROM stories WHERE id = $1 OR id = $2 ORDER BY id FOR NO KEY UPDATE",
        &[&into.0, &from.0],
        |row| row.get("id"),
    )
    .await?;
    for story in [into, from] {
        if !locked.contains(&story.0) {
            return Err(StoreError::NotFound {
                what: "story",
                id: story.0,
            }
            .into());
        }
    }
    if into == from {
        return Ok(());
    }
    let last = query_opt(
        tx,
        "SELECT COALESCE(MAX(story_seq), 0) AS last FROM articles WHERE story_id = $1",
        &[&into.0],
        |row| row.get::<i64>("last"),
    )
    .await?
    .unwrap_or(0);
    execute(
        tx,
        "UPDATE articles SET story_id = $1, story_seq = story_seq + $3 WHERE story_id = $2",
        &[&into.0, &from.0, &last],
    )
    .await?;
    execute(
        tx,
        "UPDATE stories SET merged_into = $1 WHERE id = $2 OR merged_into = $2",
        &[&into.0, &from.0],
    )
    .await?;
    Ok(())
}

/// See [`gazette_core::Store::stories_since`]. A story's activity is its
/// latest member time ([`Story::last_seen`]); ties go to the newer story.
pub(crate) async fn since(tx: &Tx<'_>, since: Timestamp) -> OpResult<Vec<Story>> {
    let ids: Vec<i64> = query_all(
        tx,
        "SELECT DISTINCT story_id FROM articles WHERE story_id IS NOT NULL AND effective_at >= $1",
        &[&micros(since)],
        |row| row.get("story_id"),
    )
    .await?;
    let mut stories = load(tx, &ids).await?;
    stories.sort_by_key(|story| Reverse((story.last_seen(), story.id)));
    Ok(stories)
}

/// The stories with these IDs that exist, with their members, by ID.
async fn load(tx: &Tx<'_>, ids: &[i64]) -> OpResult<Vec<Story>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let heads = query_all(
        tx,
        "SELECT s.id, s.lead_article_id, a.title FROM stories s \
         JOIN articles a ON a.id = s.lead_article_id WHERE s.id = ANY($1)",
        &[&ids],
        |row| {
            Ok((
                StoryId(row.get("id")?),
                ArticleId(row.get("lead_article_id")?),
                row.get::<String>("title")?,
            ))
        },
    )
    .await?;
    let mut stories: BTreeMap<StoryId, Story> = heads
        .into_iter()
        .map(|(id, lead, title)| {
            let story = Story {
                id,
                title,
                lead,
                members: Vec::new(),
            };
            (id, story)
        })
        .collect();
    let members = query_all(
        tx,
        "SELECT story_id, id, title, url, outlet, lang, effective_at, story_added_at, duplicate_of \
         FROM articles WHERE story_id = ANY($1) ORDER BY story_id, story_seq",
        &[&ids],
        |row| Ok((StoryId(row.get("story_id")?), decode_member(row)?)),
    )
    .await?;
    for (story, member) in members {
        if let Some(story) = stories.get_mut(&story) {
            story.members.push(member);
        }
    }
    Ok(stories.into_values().collect())
}

fn decode_member(row: Cols<'_>) -> OpResult<StoryMember> {
    Ok(StoryMember {
        article_id: ArticleId(row.get("id")?),
        title: row.get("title")?,
        url: row.url("url")?,
        outlet: row.get("outlet")?,
        // As `Article::lang`: `und` when unknown.
        lang: row
            .get::<Option<String>>("lang")?
            .unwrap_or_else(|| "und".to_owned()),
        time: row.timestamp("effective_at")?,
        added_at: row.timestamp("story_added_at")?,
        duplicate_of: row.get::<Option<i64>>("duplicate_of")?.map(ArticleId),
    })
}
