//! Articles (table `articles`), unique by URL.
//!
//! The article row also holds its story membership (`story_id`, `story_seq`,
//! `story_added_at`); that part is managed by [`super::stories`].

use gazette_core::{
    Article, ArticleContent, ArticleId, EntryId, NewArticle, SearchHit, SourceId, StoryId,
};
use rusqlite::{Transaction, params};
use url::Url;

use super::codec::{
    Cols, OpResult, conflicting, micros, opt_text, query_all, query_opt, require, sql_limit, text,
    to_json,
};

const COLUMNS: &str = "id, source_id, entry_id, url, outlet, title, discovered_at, content_url, \
     canonical_url, content_title, authors, published, modified, lang, site_name, description, \
     image, body_text, quotes";

fn decode(row: Cols<'_>) -> OpResult<Article> {
    Ok(Article {
        id: ArticleId(row.get("id")?),
        source_id: SourceId(row.get("source_id")?),
        entry_id: row.get::<Option<i64>>("entry_id")?.map(EntryId),
        url: row.url("url")?,
        outlet: row.get("outlet")?,
        title: row.get("title")?,
        discovered_at: row.timestamp("discovered_at")?,
        content: ArticleContent {
            url: row.opt_url("content_url")?,
            canonical_url: row.opt_url("canonical_url")?,
            title: row.get("content_title")?,
            authors: row.json("authors")?,
            published: row.opt_timestamp("published")?,
            modified: row.opt_timestamp("modified")?,
            lang: row.get("lang")?,
            site_name: row.get("site_name")?,
            description: row.get("description")?,
            image: row.opt_url("image")?,
            text: row.get("body_text")?,
            quotes: row.json("quotes")?,
        },
    })
}

/// See [`gazette_core::Store::insert_article`]. The source (and the entry, when
/// given) must exist.
pub(crate) fn insert(tx: &Transaction<'_>, article: &NewArticle) -> OpResult<(ArticleId, bool)> {
    require(tx, "sources", "source", article.source_id.0)?;
    if let Some(entry) = article.entry_id {
        require(tx, "entries", "entry", entry.0)?;
    }
    let content = &article.content;
    let inserted = query_opt(
        tx,
        "INSERT INTO articles (source_id, entry_id, url, outlet, title, discovered_at, \
         effective_at, content_url, canonical_url, content_title, authors, published, modified, \
         lang, site_name, description, image, body_text, quotes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19) \
         ON CONFLICT (url) DO NOTHING RETURNING id",
        params![
            article.source_id.0,
            article.entry_id.map(|e| e.0),
            article.url.as_str(),
            text(&article.outlet),
            text(&article.title),
            micros(article.discovered_at),
            micros(article.effective_time()),
            content.url.as_ref().map(Url::as_str),
            content.canonical_url.as_ref().map(Url::as_str),
            opt_text(content.title.as_deref()),
            to_json(&content.authors)?,
            content.published.map(micros),
            content.modified.map(micros),
            opt_text(content.lang.as_deref()),
            opt_text(content.site_name.as_deref()),
            opt_text(content.description.as_deref()),
            content.image.as_ref().map(Url::as_str),
            text(&content.text),
            to_json(&content.quotes)?,
        ],
        |row| row.get("id"),
    )?;
    match inserted {
        Some(id) => Ok((ArticleId(id), true)),
        None => {
            let existing = query_opt(
                tx,
                "SELECT id FROM articles WHERE url = ?1",
                [article.url.as_str()],
                |row| row.get("id"),
            )?;
            let id = conflicting(existing, "article", &article.url)?;
            Ok((ArticleId(id), false))
        }
    }
}

pub(crate) fn by_id(tx: &Transaction<'_>, id: ArticleId) -> OpResult<Option<Article>> {
    let sql = format!("SELECT {COLUMNS} FROM articles WHERE id = ?1");
    query_opt(tx, &sql, [id.0], decode)
}

/// See [`gazette_core::Store::articles`]. The IDs go in as one JSON array
/// (`json_each`): one statement whatever their number.
pub(crate) fn by_ids(tx: &Transaction<'_>, ids: &[i64]) -> OpResult<Vec<Article>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM articles WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"
    );
    let ids = serde_json::to_string(ids).expect("integers serialise");
    query_all(tx, &sql, [ids], decode)
}

pub(crate) fn unassigned(tx: &Transaction<'_>, limit: usize) -> OpResult<Vec<Article>> {
    let sql = format!("SELECT {COLUMNS} FROM articles WHERE story_id IS NULL ORDER BY id LIMIT ?1");
    query_all(tx, &sql, [sql_limit(limit)], decode)
}

fn decode_hit(row: Cols<'_>) -> OpResult<SearchHit> {
    let story_id = row.get::<Option<i64>>("story_id")?.map(StoryId);
    Ok(SearchHit {
        article: decode(row)?,
        story_id,
    })
}

pub(crate) fn search(
    tx: &Transaction<'_>,
    words: &[String],
    limit: usize,
) -> OpResult<Vec<SearchHit>> {
    // Every word quoted: FTS5 reads no operator in them.
    let query = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ");
    let sql = format!(
        "SELECT {COLUMNS}, story_id FROM articles WHERE id IN \
         (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1) \
         ORDER BY effective_at DESC, id DESC LIMIT ?2"
    );
    query_all(tx, &sql, params![query, sql_limit(limit)], decode_hit)
}
