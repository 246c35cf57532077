//! Stories (table `stories`) and their membership (columns of `articles`).
//!
//! An article's `story_id` says which story it is in, so it is in at most one;
//! `story_seq` numbers a story's members in the order they joined. A story's
//! title is read from its lead article, so it always is the lead's title.

use std::cmp::Reverse;

use gazette_core::{ArticleId, StoreError, Story, StoryId, StoryMember};
use jiff::Timestamp;
use rusqlite::{Transaction, params};

use super::codec::{Cols, OpResult, micros, query_all, query_opt, require};

/// See [`gazette_core::Store::create_story`].
pub(crate) fn create(
    tx: &Transaction<'_>,
    article: ArticleId,
    now: Timestamp,
) -> OpResult<StoryId> {
    require(tx, "articles", "article", article.0)?;
    let id = tx
        .prepare_cached(
            "INSERT INTO stories (lead_article_id, created_at) VALUES (?1, ?2) RETURNING id",
        )?
        .query_row(params![article.0, micros(now)], |row| row.get(0))?;
    let story = StoryId(id);
    join(tx, story, article, now)?;
    Ok(story)
}

/// See [`gazette_core::Store::add_to_story`].
pub(crate) fn add(
    tx: &Transaction<'_>,
    story: StoryId,
    article: ArticleId,
    now: Timestamp,
) -> OpResult<()> {
    require(tx, "stories", "story", story.0)?;
    require(tx, "articles", "article", article.0)?;
    join(tx, story, article, now)
}

/// See [`gazette_core::Store::add_copy_to_story`].
pub(crate) fn add_copy(
    tx: &Transaction<'_>,
    story: StoryId,
    article: ArticleId,
    original: ArticleId,
    now: Timestamp,
) -> OpResult<()> {
    require(tx, "articles", "article", original.0)?;
    add(tx, story, article, now)?;
    tx.prepare_cached("UPDATE articles SET duplicate_of = ?2 WHERE id = ?1")?
        .execute(params![article.0, original.0])?;
    Ok(())
}

/// Makes an existing article the last member of an existing story, leaving
/// its previous story if any. An article already in `story` keeps its place.
fn join(tx: &Transaction<'_>, story: StoryId, article: ArticleId, now: Timestamp) -> OpResult<()> {
    tx.prepare_cached(
        "UPDATE articles SET story_id = ?1, story_added_at = ?3, \
         story_seq = (SELECT COALESCE(MAX(story_seq), 0) + 1 FROM articles WHERE story_id = ?1) \
         WHERE id = ?2 AND (story_id IS NULL OR story_id <> ?1)",
    )?
    .execute(params![story.0, article.0, micros(now)])?;
    Ok(())
}

/// See [`gazette_core::Store::merge_stories`]. `from`'s members are numbered
/// after `into`'s last; `from` and the stories merged into it before point at
/// `into` (one hop, always).
pub(crate) fn merge(tx: &Transaction<'_>, into: StoryId, from: StoryId) -> OpResult<()> {
    require(tx, "stories", "story", into.0)?;
    require(tx, "stories", "story", from.0)?;
    if into == from {
        return Ok(());
    }
    let last: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(story_seq), 0) FROM articles WHERE story_id = ?1")?
        .query_row([into.0], |row| row.get(0))?;
    tx.prepare_cached(
        "UPDATE articles SET story_id = ?1, story_seq = story_seq + ?3 WHERE story_id = ?2",
    )?
    .execute(params![into.0, from.0, last])?;
    tx.prepare_cached("UPDATE stories SET merged_into = ?1 WHERE id = ?2 OR merged_into = ?2")?
        .execute(params![into.0, from.0])?;
    Ok(())
}

/// See [`gazette_core::Store::set_story_lead`]. Fails with `NotFound` when the
/// story does not exist or the article is not one of its members.
pub(crate) fn set_lead(tx: &Transaction<'_>, story: StoryId, article: ArticleId) -> OpResult<()> {
    require(tx, "stories", "story", story.0)?;
    let updated = tx
        .prepare_cached(
            "UPDATE stories SET lead_article_id = ?2 WHERE id = ?1 \
             AND EXISTS (SELECT 1 FROM articles WHERE id = ?2 AND story_id = ?1)",
        )?
        .execute(params![story.0, article.0])?;
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
pub(crate) fn by_id(tx: &Transaction<'_>, id: StoryId) -> OpResult<Option<Story>> {
    // A merged story is read as the story it became.
    let id = query_opt(
        tx,
        "SELECT COALESCE(merged_into, id) AS id FROM stories WHERE id = ?1",
        [id.0],
        |row| row.get::<i64>("id"),
    )?
    .map_or(id, StoryId);
    let head = query_opt(
        tx,
        "SELECT s.lead_article_id, a.title FROM stories s \
         JOIN articles a ON a.id = s.lead_article_id WHERE s.id = ?1",
        [id.0],
        |row| {
            Ok((
                ArticleId(row.get("lead_article_id")?),
                row.get::<String>("title")?,
            ))
        },
    )?;
    let Some((lead, title)) = head else {
        return Ok(None);
    };
    let members = query_all(
        tx,
        &format!("SELECT {MEMBER_COLUMNS} FROM articles WHERE story_id = ?1 ORDER BY story_seq"),
        [id.0],
        decode_member,
    )?;
    Ok(Some(Story {
        id,
        title,
        lead,
        members,
    }))
}

/// The member columns, in the order [`decode_member_at`] reads them. The
/// membership index (`articles_story`, migration 7) covers them, so the window
/// is read from the index alone.
const MEMBER_COLUMNS: &str =
    "id, title, url, outlet, lang, effective_at, story_added_at, duplicate_of";

fn decode_member(row: Cols<'_>) -> OpResult<StoryMember> {
    decode_member_at(&row, 0)
}

/// A member from [`MEMBER_COLUMNS`] starting at column `first` (by position:
/// this runs for every article of an edition's window).
fn decode_member_at(row: &Cols<'_>, first: usize) -> OpResult<StoryMember> {
    Ok(StoryMember {
        article_id: ArticleId(row.at(first)?),
        title: row.at(first + 1)?,
        url: row.url_at(first + 2)?,
        outlet: row.at(first + 3)?,
        // As `Article::lang`: `und` when unknown.
        lang: row
            .at::<Option<String>>(first + 4)?
            .unwrap_or_else(|| "und".to_owned()),
        time: row.timestamp_at(first + 5)?,
        added_at: row.timestamp_at(first + 6)?,
        duplicate_of: row.at::<Option<i64>>(first + 7)?.map(ArticleId),
    })
}

/// See [`gazette_core::Store::stories_since`]. A story's activity is its
/// latest member time ([`Story::last_seen`]); ties go to the newer story.
///
/// Two queries: the window's stories with their lead's title (the stories
/// come from the time index), then every member of those stories in story
/// and join order, read from the covering membership index alone; the
/// stories are assembled here in one pass over the rows.
pub(crate) fn since(tx: &Transaction<'_>, since: Timestamp) -> OpResult<Vec<Story>> {
    const IN_WINDOW: &str =
        "SELECT story_id FROM articles WHERE story_id IS NOT NULL AND effective_at >= ?1";
    let heads = query_all(
        tx,
        &format!(
            "SELECT s.id, s.lead_article_id, l.title FROM stories s \
             JOIN articles l ON l.id = s.lead_article_id \
             WHERE s.id IN ({IN_WINDOW}) ORDER BY s.id"
        ),
        [micros(since)],
        |row| {
            Ok(Story {
                id: StoryId(row.at(0)?),
                lead: ArticleId(row.at(1)?),
                title: row.at(2)?,
                members: Vec::new(),
            })
        },
    )?;
    let mut stories = heads;
    let rows = query_all(
        tx,
        &format!(
            "SELECT story_id, {MEMBER_COLUMNS} FROM articles \
             WHERE story_id IN ({IN_WINDOW}) ORDER BY story_id, story_seq"
        ),
        [micros(since)],
        |row| Ok((StoryId(row.at(0)?), decode_member_at(&row, 1)?)),
    )?;
    // Both lists are in story order: walk them together.
    let mut at = 0;
    for (id, member) in rows {
        while at < stories.len() && stories[at].id < id {
            at += 1;
        }
        match stories.get_mut(at) {
            Some(story) if story.id == id => story.members.push(member),
            _ => {
                let detail = format_args!("article in story {} without the story", id.0);
                return Err(crate::common::corrupt("story membership", detail).into());
            }
        }
    }
    stories.sort_by_cached_key(|story| Reverse((story.last_seen(), story.id)));
    Ok(stories)
}
