//! Feed entries (table `entries`), unique by (source, feed identifier).

use gazette_core::{Entry, EntryId, FeedEntry, SourceId};
use jiff::Timestamp;
use url::Url;

use super::codec::{
    Cols, OpResult, Tx, micros, opt_text, query_all, query_opt, require, sql_limit, text, to_json,
};

const COLUMNS: &str = "id, source_id, guid, first_seen, title, link, published, updated, \
     authors, summary, content_html, language, image";

fn decode(row: Cols<'_>) -> OpResult<Entry> {
    Ok(Entry {
        id: EntryId(row.get("id")?),
        source_id: SourceId(row.get("source_id")?),
        first_seen: row.timestamp("first_seen")?,
        item: FeedEntry {
            id: row.get("guid")?,
            title: row.get("title")?,
            link: row.opt_url("link")?,
            published: row.opt_timestamp("published")?,
            updated: row.opt_timestamp("updated")?,
            authors: row.json("authors")?,
            summary: row.get("summary")?,
            content_html: row.get("content_html")?,
            language: row.get("language")?,
            image: row.opt_url("image")?,
        },
    })
}

/// See [`gazette_core::Store::insert_entries`]. The entries returned are read
/// back from the rows, so they carry the stored precision of their instants.
pub(crate) async fn insert(
    tx: &Tx<'_>,
    source: SourceId,
    entries: &[FeedEntry],
    now: Timestamp,
) -> OpResult<Vec<Entry>> {
    require(tx, "sources", "source", source.0).await?;
    let sql = format!(
        "INSERT INTO entries (source_id, guid, first_seen, title, link, published, updated, \
         authors, summary, content_html, language, image) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (source_id, guid) DO NOTHING RETURNING {COLUMNS}"
    );
    // An entry stored by an earlier poll that died before its article was:
    // returned again so that this poll builds it (nothing lost across a crash).
    // One first seen now is this call's own (an ID repeated in the feed).
    let orphan = format!(
        "SELECT {COLUMNS} FROM entries e WHERE e.source_id = $1 AND e.guid = $2 \
         AND e.link IS NOT NULL AND e.first_seen < $3 \
         AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.entry_id = e.id) \
         AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = e.link)"
    );
    let first_seen = micros(now);
    let mut stored = Vec::new();
    for entry in entries {
        let authors = to_json(&entry.authors)?;
        let row = query_opt(
            tx,
            &sql,
            &[
                &source.0,
                &text(&entry.id),
                &first_seen,
                &opt_text(entry.title.as_deref()),
                &entry.link.as_ref().map(Url::as_str),
                &entry.published.map(micros),
                &entry.updated.map(micros),
                &authors,
                &opt_text(entry.summary.as_deref()),
                &opt_text(entry.content_html.as_deref()),
                &opt_text(entry.language.as_deref()),
                &entry.image.as_ref().map(Url::as_str),
            ],
            decode,
        )
        .await?;
        match row {
            Some(new) => stored.push(new),
            None => stored.extend(
                query_opt(
                    tx,
                    &orphan,
                    &[&source.0, &text(&entry.id), &first_seen],
                    decode,
                )
                .await?,
            ),
        }
    }
    Ok(stored)
}

/// See [`gazette_core::Store::recent_entry_times`]. Entries without a
/// publication time are left out: their first-seen time says when gazette
/// polled, not how often the feed publishes.
pub(crate) async fn recent_times(
    tx: &Tx<'_>,
    source: SourceId,
    limit: usize,
) -> OpResult<Vec<Timestamp>> {
    query_all(
        tx,
        "SELECT published FROM entries WHERE source_id = $1 AND published IS NOT NULL \
         ORDER BY published DESC, id DESC LIMIT $2",
        &[&source.0, &sql_limit(limit)],
        |row| row.timestamp("published"),
    )
    .await
}
