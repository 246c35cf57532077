//! The outbox (table `deliveries`): one row per (edition, sink, recipient, part).
//!
//! `not_before` is the lease expiry of a row being sent and the retry time of a
//! pending one, so "claimable" is one condition: open (`pending` or `sending`)
//! and `not_before` unset or passed.

use gazette_core::{Delivery, DeliveryId, DeliveryState, EditionId, NewDelivery, StoreError};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Transaction, params};

use super::codec::{Cols, OpResult, TextEnum, micros, query_all, require, sql_limit, text};

const COLUMNS: &str = "id, edition_id, sink, recipient, part, body, state, attempts, last_error, \
     remote_id, not_before, created_at, sent_at";

fn decode(row: Cols<'_>) -> OpResult<Delivery> {
    Ok(Delivery {
        id: DeliveryId(row.get("id")?),
        delivery: NewDelivery {
            edition_id: EditionId(row.get("edition_id")?),
            sink: row.get("sink")?,
            recipient: row.get("recipient")?,
            part: row.get("part")?,
            body: row.get("body")?,
        },
        state: row.text_enum("state")?,
        attempts: row.get("attempts")?,
        last_error: row.get("last_error")?,
        remote_id: row.get("remote_id")?,
        not_before: row.opt_timestamp("not_before")?,
        created_at: row.timestamp("created_at")?,
        sent_at: row.opt_timestamp("sent_at")?,
    })
}

/// See [`gazette_core::Store::enqueue_deliveries`]. Each row's edition must exist.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    rows: &[NewDelivery],
    now: Timestamp,
) -> OpResult<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (edition_id, sink, recipient, part, body, state, attempts, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6) \
         ON CONFLICT (edition_id, sink, recipient, part) DO NOTHING",
    )?;
    let mut created = 0;
    for row in rows {
        require(tx, "editions", "edition", row.edition_id.0)?;
        created += insert.execute(params![
            row.edition_id.0,
            text(&row.sink),
            text(&row.recipient),
            row.part,
            text(&row.body),
            micros(now),
        ])?;
    }
    Ok(created)
}

/// See [`gazette_core::Store::claim_deliveries`]: oldest rows first. Atomic
/// because it is one statement in a write transaction.
pub(crate) fn claim(
    tx: &Transaction<'_>,
    now: Timestamp,
    lease: SignedDuration,
    limit: usize,
) -> OpResult<Vec<Delivery>> {
    let sql = format!(
        "UPDATE deliveries SET state = 'sending', not_before = ?1, attempts = attempts + 1 \
         WHERE id IN ( \
             SELECT d.id FROM deliveries d \
             WHERE d.state IN ('pending', 'sending') \
               AND (d.not_before IS NULL OR d.not_before <= ?2) \
               AND NOT EXISTS ( \
                   SELECT 1 FROM deliveries earlier \
                   WHERE earlier.edition_id = d.edition_id AND earlier.sink = d.sink \
                     AND earlier.recipient = d.recipient AND earlier.part < d.part \
                     AND earlier.state <> 'sent') \
             ORDER BY d.id LIMIT ?3) \
         RETURNING {COLUMNS}"
    );
    let params = params![
        micros(now.checked_add(lease)?),
        micros(now),
        sql_limit(limit)
    ];
    let mut claimed = query_all(tx, &sql, params, decode)?;
    // RETURNING gives no order.
    claimed.sort_by_key(|d| d.id);
    Ok(claimed)
}

/// See [`gazette_core::Store::mark_delivery_sent`].
pub(crate) fn mark_sent(
    tx: &Transaction<'_>,
    id: DeliveryId,
    remote_id: Option<&str>,
    now: Timestamp,
) -> OpResult<()> {
    let updated = tx
        .prepare_cached(
            "UPDATE deliveries SET state = 'sent', remote_id = ?2, sent_at = ?3, not_before = NULL \
             WHERE id = ?1",
        )?
        .execute(params![id.0, remote_id.map(text), micros(now)])?;
    if updated == 0 {
        return Err(StoreError::NotFound {
            what: "delivery",
            id: id.0,
        }
        .into());
    }
    Ok(())
}

/// See [`gazette_core::Store::mark_delivery_failed`]. A row already sent stays
/// sent: a late failure report from an expired lease must not send it again.
pub(crate) fn mark_failed(
    tx: &Transaction<'_>,
    id: DeliveryId,
    error: &str,
    retry_at: Option<Timestamp>,
) -> OpResult<()> {
    let state = match retry_at {
        Some(_) => DeliveryState::Pending,
        None => DeliveryState::Failed,
    };
    let updated = tx
        .prepare_cached(
            "UPDATE deliveries SET state = ?2, last_error = ?3, not_before = ?4 \
             WHERE id = ?1 AND state <> 'sent'",
        )?
        .execute(params![
            id.0,
            state.as_sql(),
            text(error),
            retry_at.map(micros)
        ])?;
    if updated == 0 {
        require(tx, "deliveries", "delivery", id.0)?;
        tracing::warn!(
            delivery = id.0,
            error,
            "failure reported for a delivery already sent; ignored"
        );
    }
    Ok(())
}

pub(crate) fn for_edition(tx: &Transaction<'_>, edition: EditionId) -> OpResult<Vec<Delivery>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM deliveries WHERE edition_id = ?1 ORDER BY sink, recipient, part"
    );
    query_all(tx, &sql, [edition.0], decode)
}
