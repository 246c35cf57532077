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
        "SELECT id, title, url, outlet, lang, effective_at, story_added_at FROM articles \
         WHERE story_id = ?1 ORDER BY story_seq",
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
    })
}

/// See [`gazette_core::Store::stories_since`]. A story's activity is its
/// latest member time ([`Story::last_seen`]); ties go to the newer story.
///
/// One query reads every member of every story with a member in the window,
/// in story and join order (the window's stories come from the time index;
/// their members from the membership index), and the stories are assembled
/// here: one pass over the rows instead of two queries per story.
pub(crate) fn since(tx: &Transaction<'_>, since: Timestamp) -> OpResult<Vec<Story>> {
    let rows = query_all(
        tx,
        "SELECT a.story_id, s.lead_article_id, l.title AS lead_title, a.id, a.title, a.url, \
         a.outlet, a.lang, a.effective_at, a.story_added_at \
         FROM articles a JOIN stories s ON s.id = a.story_id \
         JOIN articles l ON l.id = s.lead_article_id \
         WHERE a.story_id IN (SELECT story_id FROM articles \
                              WHERE story_id IS NOT NULL AND effective_at >= ?1) \
         ORDER BY a.story_id, a.story_seq",
        [micros(since)],
        |row| {
            Ok((
                StoryId(row.get("story_id")?),
                ArticleId(row.get("lead_article_id")?),
                row.get::<String>("lead_title")?,
                decode_member(row)?,
            ))
        },
    )?;
    let mut stories: Vec<Story> = Vec::new();
    for (id, lead, title, member) in rows {
        match stories.last_mut() {
            Some(story) if story.id == id => story.members.push(member),
            _ => stories.push(Story {
                id,
                title,
                lead,
                members: vec![member],
            }),
        }
    }
    stories.sort_by_key(|story| Reverse((story.last_seen(), story.id)));
    Ok(stories)
}
