//! Sources and their polling state (table `sources`), and fetch claims.

use std::borrow::Cow;

use gazette_core::{NewSource, PollState, Source, SourceId, StoreError};
use jiff::{SignedDuration, Timestamp};
use url::Url;

use super::codec::{
    Cols, OpResult, Param, TextEnum, Tx, conflicting, execute, micros, opt_text, query_all,
    query_opt, require, sql_limit, text,
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
            interval_secs: row.u32("interval_secs")?,
            last_polled_at: row.opt_timestamp("last_polled_at")?,
            last_success_at: row.opt_timestamp("last_success_at")?,
            last_error: row.get("last_error")?,
            last_error_at: row.opt_timestamp("last_error_at")?,
            consecutive_failures: row.u32("consecutive_failures")?,
        },
    })
}

/// The values that [`add`] and [`update`] write, bound as `$1`…`$13` in the
/// order of their statements: url, title, site_url, then the poll state.
struct Written<'a> {
    url: &'a str,
    title: Option<Cow<'a, str>>,
    site_url: Option<&'a str>,
    status: &'static str,
    etag: Option<Cow<'a, str>>,
    last_modified: Option<Cow<'a, str>>,
    next_poll_at: i64,
    interval_secs: i64,
    last_polled_at: Option<i64>,
    last_success_at: Option<i64>,
    last_error: Option<Cow<'a, str>>,
    last_error_at: Option<i64>,
    consecutive_failures: i64,
}

impl<'a> Written<'a> {
    fn new(
        url: &'a Url,
        title: &'a Option<String>,
        site_url: &'a Option<Url>,
        poll: &'a PollState,
    ) -> Self {
        Written {
            url: url.as_str(),
            title: opt_text(title.as_deref()),
            site_url: site_url.as_ref().map(Url::as_str),
            status: poll.status.as_sql(),
            etag: opt_text(poll.etag.as_deref()),
            last_modified: opt_text(poll.last_modified.as_deref()),
            next_poll_at: micros(poll.next_poll_at),
            interval_secs: i64::from(poll.interval_secs),
            last_polled_at: poll.last_polled_at.map(micros),
            last_success_at: poll.last_success_at.map(micros),
            last_error: opt_text(poll.last_error.as_deref()),
            last_error_at: poll.last_error_at.map(micros),
            consecutive_failures: i64::from(poll.consecutive_failures),
        }
    }

    /// The 13 values followed by `extra`.
    fn params<'p>(&'p self, extra: Param<'p>) -> [Param<'p>; 14] {
        [
            &self.url,
            &self.title,
            &self.site_url,
            &self.status,
            &self.etag,
            &self.last_modified,
            &self.next_poll_at,
            &self.interval_secs,
            &self.last_polled_at,
            &self.last_success_at,
            &self.last_error,
            &self.last_error_at,
            &self.consecutive_failures,
            extra,
        ]
    }
}

/// See [`gazette_core::Store::add_source`]. A new source starts with
/// [`PollState::new`]: due at `now`.
pub(crate) async fn add(tx: &Tx<'_>, new: &NewSource, now: Timestamp) -> OpResult<(Source, bool)> {
    let poll = PollState::new(now);
    let written = Written::new(&new.url, &new.title, &new.site_url, &poll);
    let added_at = micros(now);
    let inserted = query_opt(
        tx,
        &format!(
            "INSERT INTO sources (url, title, site_url, status, etag, last_modified, \
             next_poll_at, interval_secs, last_polled_at, last_success_at, last_error, \
             last_error_at, consecutive_failures, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (url) DO NOTHING RETURNING {COLUMNS}"
        ),
        &written.params(&added_at),
        decode,
    )
    .await?;
    if let Some(source) = inserted {
        return Ok((source, true));
    }
    execute(
        tx,
        "UPDATE sources SET status = 'active', consecutive_failures = 0, next_poll_at = $2 \
         WHERE url = $1 AND status = 'disabled'",
        &[&new.url.as_str(), &added_at],
    )
    .await?;
    let existing = conflicting(by_url(tx, &new.url).await?, "source", &new.url)?;
    Ok((existing, false))
}

pub(crate) async fn by_id(tx: &Tx<'_>, id: SourceId) -> OpResult<Option<Source>> {
    let sql = format!("SELECT {COLUMNS} FROM sources WHERE id = $1");
    query_opt(tx, &sql, &[&id.0], decode).await
}

pub(crate) async fn by_url(tx: &Tx<'_>, url: &Url) -> OpResult<Option<Source>> {
    let sql = format!("SELECT {COLUMNS} FROM sources WHERE url = $1");
    query_opt(tx, &sql, &[&url.as_str()], decode).await
}

pub(crate) async fn all(tx: &Tx<'_>) -> OpResult<Vec<Source>> {
    let sql = format!("SELECT {COLUMNS} FROM sources ORDER BY id");
    query_all(tx, &sql, &[], decode).await
}

/// Deletes the source; its entries and models go with it (`ON DELETE
/// CASCADE`) and its articles lose their entry but keep their source ID.
pub(crate) async fn remove(tx: &Tx<'_>, id: SourceId) -> OpResult<bool> {
    let deleted = execute(tx, "DELETE FROM sources WHERE id = $1", &[&id.0]).await?;
    Ok(deleted > 0)
}

pub(crate) async fn due(tx: &Tx<'_>, now: Timestamp, limit: usize) -> OpResult<Vec<Source>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sources WHERE status = 'active' AND next_poll_at <= $1 \
         ORDER BY next_poll_at, id LIMIT $2"
    );
    query_all(tx, &sql, &[&micros(now), &sql_limit(limit)], decode).await
}

/// See [`gazette_core::Store::claim_due_sources`]. The claimable rows are
/// locked with `FOR UPDATE SKIP LOCKED`, so a concurrent claim passes over the
/// rows this one is taking instead of waiting for them; a row another claim
/// took and committed meanwhile is checked again after the lock and left out.
pub(crate) async fn claim_due(
    tx: &Tx<'_>,
    now: Timestamp,
    lease: SignedDuration,
    limit: usize,
) -> OpResult<Vec<Source>> {
    let sql = format!(
        "WITH claimable AS MATERIALIZED ( \
             SELECT id FROM sources WHERE status = 'active' AND next_poll_at <= $2 \
               AND (claimed_until IS NULL OR claimed_until <= $2) \
             ORDER BY next_poll_at, id LIMIT $3 \
             FOR UPDATE SKIP LOCKED) \
         UPDATE sources SET claimed_until = $1 WHERE id IN (SELECT id FROM claimable) \
         RETURNING {COLUMNS}"
    );
    let until = micros(now.checked_add(lease)?);
    let params: [Param<'_>; 3] = [&until, &micros(now), &sql_limit(limit)];
    let mut claimed = query_all(tx, &sql, &params, decode).await?;
    // RETURNING gives no order.
    claimed.sort_by_key(|s| (s.poll.next_poll_at, s.id));
    Ok(claimed)
}

/// See [`gazette_core::Store::update_source`]: also ends the source's claim.
pub(crate) async fn update(tx: &Tx<'_>, source: &Source) -> OpResult<()> {
    let written = Written::new(&source.url, &source.title, &source.site_url, &source.poll);
    let updated = execute(
        tx,
        "UPDATE sources SET url = $1, title = $2, site_url = $3, status = $4, etag = $5, \
         last_modified = $6, next_poll_at = $7, interval_secs = $8, last_polled_at = $9, \
         last_success_at = $10, last_error = $11, last_error_at = $12, \
         consecutive_failures = $13, claimed_until = NULL \
         WHERE id = $14",
        &written.params(&source.id.0),
    )
    .await?;
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
pub(crate) async fn model(tx: &Tx<'_>, id: SourceId, kind: &str) -> OpResult<Option<String>> {
    query_opt(
        tx,
        "SELECT model FROM source_models WHERE source_id = $1 AND kind = $2",
        &[&id.0, &text(kind)],
        |row| row.get("model"),
    )
    .await
}

/// See [`gazette_core::Store::set_source_model`].
pub(crate) async fn set_model(
    tx: &Tx<'_>,
    id: SourceId,
    kind: &str,
    model: &str,
    now: Timestamp,
) -> OpResult<()> {
    require(tx, "sources", "source", id.0).await?;
    execute(
        tx,
        "INSERT INTO source_models (source_id, kind, model, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (source_id, kind) DO UPDATE SET model = excluded.model, \
         updated_at = excluded.updated_at",
        &[&id.0, &text(kind), &text(model), &micros(now)],
    )
    .await?;
    Ok(())
}
