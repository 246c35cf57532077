//! Sources and their polling state (table `sources`).

use std::borrow::Cow;

use gazette_core::{NewSource, PollState, Source, SourceId, StoreError};
use jiff::{SignedDuration, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Transaction, params, params_from_iter};
use url::Url;

use super::codec::{
    Cols, OpResult, TextEnum, conflicting, micros, opt_text, query_all, query_opt, require,
    sql_limit, text,
};

const COLUMNS: &str = "id, url, title, site_url, added_at, status, etag, last_modified, \
     next_poll_at, interval_secs, last_polled_at, last_success_at, last_error, last_error_at, \
     consecutive_failures";

fn decode(row: Cols<'_>) -> OpResult<Source> {
    Ok(Source {
        id: SourceId(row.get("id")?),
        url: row.url("url")?,
        title: row.get("title")?,
        site_url: row.opt_url("site_url")?,
        added_at: row.timestamp("added_at")?,
        poll: PollState {
            status: row.text_enum("status")?,
            etag: row.get("etag")?,
            last_modified: row.get("last_modified")?,
            next_poll_at: row.timestamp("next_poll_at")?,
            interval_secs: row.get("interval_secs")?,
            last_polled_at: row.opt_timestamp("last_polled_at")?,
            last_success_at: row.opt_timestamp("last_success_at")?,
            last_error: row.get("last_error")?,
            last_error_at: row.opt_timestamp("last_error_at")?,
            consecutive_failures: row.get("consecutive_failures")?,
        },
    })
}

/// The values that [`add`] and [`update`] write, bound as `?1`…`?13` in the
/// order of their statements: url, title, site_url, then the poll state.
fn written(
    url: &Url,
    title: &Option<String>,
    site_url: &Option<Url>,
    poll: &PollState,
) -> [Value; 13] {
    [
        url.to_string().into(),
        opt_text(title.as_deref()).map(Cow::into_owned).into(),
        site_url.as_ref().map(Url::to_string).into(),
        poll.status.as_sql().to_owned().into(),
        opt_text(poll.etag.as_deref()).map(Cow::into_owned).into(),
        opt_text(poll.last_modified.as_deref())
            .map(Cow::into_owned)
            .into(),
        micros(poll.next_poll_at).into(),
        i64::from(poll.interval_secs).into(),
        poll.last_polled_at.map(micros).into(),
        poll.last_success_at.map(micros).into(),
        opt_text(poll.last_error.as_deref())
            .map(Cow::into_owned)
            .into(),
        poll.last_error_at.map(micros).into(),
        i64::from(poll.consecutive_failures).into(),
    ]
}

/// See [`gazette_core::Store::add_source`]. A new source starts with
/// [`PollState::new`]: due at `now`.
pub(crate) fn add(
    tx: &Transaction<'_>,
    new: &NewSource,
    now: Timestamp,
) -> OpResult<(Source, bool)> {
    let values = written(&new.url, &new.title, &new.site_url, &PollState::new(now));
    let inserted = query_opt(
        tx,
        &format!(
            "INSERT INTO sources (url, title, site_url, status, etag, last_modified, \
             next_poll_at, interval_secs, last_polled_at, last_success_at, last_error, \
             last_error_at, consecutive_failures, added_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
             ON CONFLICT (url) DO NOTHING RETURNING {COLUMNS}"
        ),
        params_from_iter(values.into_iter().chain([micros(now).into()])),
        decode,
    )?;
    if let Some(source) = inserted {
        return Ok((source, true));
    }
    tx.prepare_cached(
        "UPDATE sources SET status = 'active', consecutive_failures = 0, next_poll_at = ?2 \
         WHERE url = ?1 AND status = 'disabled'",
    )?
    .execute(params![new.url.as_str(), micros(now)])?;
    let existing = conflicting(by_url(tx, &new.url)?, "source", &new.url)?;
    Ok((existing, false))
}

pub(crate) fn by_id(tx: &Transaction<'_>, id: SourceId) -> OpResult<Option<Source>> {
    let sql = format!("SELECT {COLUMNS} FROM sources WHERE id = ?1");
    query_opt(tx, &sql, [id.0], decode)
}

pub(crate) fn by_url(tx: &Transaction<'_>, url: &Url) -> OpResult<Option<Source>> {
    let sql = format!("SELECT {COLUMNS} FROM sources WHERE url = ?1");
    query_opt(tx, &sql, [url.as_str()], decode)
}

pub(crate) fn all(tx: &Transaction<'_>) -> OpResult<Vec<Source>> {
    query_all(
        tx,
        &format!("SELECT {COLUMNS} FROM sources ORDER BY id"),
        [],
        decode,
    )
}

/// Deletes the source; its entries go with it (`ON DELETE CASCADE`) and its
/// articles lose their entry but keep their source ID.
pub(crate) fn remove(tx: &Transaction<'_>, id: SourceId) -> OpResult<bool> {
    let deleted = tx
        .prepare_cached("DELETE FROM sources WHERE id = ?1")?
        .execute([id.0])?;
    Ok(deleted > 0)
}

pub(crate) fn due(tx: &Transaction<'_>, now: Timestamp, limit: usize) -> OpResult<Vec<Source>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sources WHERE status = 'active' AND next_poll_at <= ?1 \
         ORDER BY next_poll_at, id LIMIT ?2"
    );
    query_all(tx, &sql, params![micros(now), sql_limit(limit)], decode)
}

/// See [`gazette_core::Store::claim_due_sources`]. Atomic because it is one
/// statement in a write transaction, which SQLite runs one at a time.
pub(crate) fn claim_due(
    tx: &Transaction<'_>,
    now: Timestamp,
    lease: SignedDuration,
    limit: usize,
) -> OpResult<Vec<Source>> {
    let sql = format!(
        "UPDATE sources SET claimed_until = ?1 WHERE id IN ( \
             SELECT id FROM sources WHERE status = 'active' AND next_poll_at <= ?2 \
               AND (claimed_until IS NULL OR claimed_until <= ?2) \
             ORDER BY next_poll_at, id LIMIT ?3) \
         RETURNING {COLUMNS}"
    );
    let until = micros(now.checked_add(lease)?);
    let mut claimed = query_all(
        tx,
        &sql,
        params![until, micros(now), sql_limit(limit)],
        decode,
    )?;
    // RETURNING gives no order.
    claimed.sort_by_key(|s| (s.poll.next_poll_at, s.id));
    Ok(claimed)
}

/// See [`gazette_core::Store::update_source`]: also ends the source's claim.
pub(crate) fn update(tx: &Transaction<'_>, source: &Source) -> OpResult<()> {
    let values = written(&source.url, &source.title, &source.site_url, &source.poll);
    let updated = tx
        .prepare_cached(
            "UPDATE sources SET url = ?1, title = ?2, site_url = ?3, status = ?4, etag = ?5, \
             last_modified = ?6, next_poll_at = ?7, interval_secs = ?8, last_polled_at = ?9, \
             last_success_at = ?10, last_error = ?11, last_error_at = ?12, \
             consecutive_failures = ?13, claimed_until = NULL \
             WHERE id = ?14",
        )?
        .execute(params_from_iter(
            values.into_iter().chain([source.id.0.into()]),
        ))?;
    if updated == 0 {
        return Err(StoreError::NotFound {
            what: "source",
            id: source.id.0,
        }
        .into());
    }
    Ok(())
}

/// See [`gazette_core::Store::source_model`].
pub(crate) fn model(tx: &Transaction<'_>, id: SourceId, kind: &str) -> OpResult<Option<String>> {
    query_opt(
        tx,
        "SELECT model FROM source_models WHERE source_id = ?1 AND kind = ?2",
        params![id.0, text(kind)],
        |row| row.get("model"),
    )
}

/// See [`gazette_core::Store::set_source_model`].
pub(crate) fn set_model(
    tx: &Transaction<'_>,
    id: SourceId,
    kind: &str,
    model: &str,
    now: Timestamp,
) -> OpResult<()> {
    require(tx, "sources", "source", id.0)?;
    tx.prepare_cached(
        "INSERT INTO source_models (source_id, kind, model, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (source_id, kind) DO UPDATE SET model = excluded.model, \
         updated_at = excluded.updated_at",
    )?
    .execute(params![id.0, text(kind), text(model), micros(now)])?;
    Ok(())
}
