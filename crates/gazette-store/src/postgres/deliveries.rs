//! The outbox (table `deliveries`): one row per (edition, sink, recipient, part).
//!
//! `not_before` is the lease expiry of a row being sent and the retry time of a
//! pending one, so "claimable" is one condition: open (`pending` or `sending`)
//! and `not_before` unset or passed.

use gazette_core::{Delivery, DeliveryId, DeliveryState, EditionId, NewDelivery, StoreError};
use jiff::{SignedDuration, Timestamp};

use super::codec::{
    Cols, OpResult, Param, TextEnum, Tx, execute, micros, query_all, require, sql_limit, text,
};

const COLUMNS: &str = "id, edition_id, sink, recipient, part, body, state, attempts, last_error, \
     remote_id, not_before, created_at, sent_at";

fn decode(row: Cols<'_>) -> OpResult<Delivery> {
    Ok(Delivery {
        id: DeliveryId(row.get("id")?),
        delivery: NewDelivery {
            edition_id: EditionId(row.get("edition_id")?),
            sink: row.get("sink")?,
            recipient: row.get("recipient")?,
            part: row.u32("part")?,
            body: row.get("body")?,
        },
        state: row.text_enum("state")?,
        attempts: row.u32("attempts")?,
        last_error: row.get("last_error")?,
        remote_id: row.get("remote_id")?,
        not_before: row.opt_timestamp("not_before")?,
        created_at: row.timestamp("created_at")?,
        sent_at: row.opt_timestamp("sent_at")?,
    })
}

/// See [`gazette_core::Store::enqueue_deliveries`]. Each row's edition must exist.
pub(crate) async fn enqueue(tx: &Tx<'_>, rows: &[NewDelivery], now: Timestamp) -> OpResult<usize> {
    let created_at = micros(now);
    let mut created = 0;
    for row in rows {
        require(tx, "editions", "edition", row.edition_id.0).await?;
        created += execute(
            tx,
            "INSERT INTO deliveries (edition_id, sink, recipient, part, body, state, attempts, \
             created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6) \
             ON CONFLICT (edition_id, sink, recipient, part) DO NOTHING",
            &[
                &row.edition_id.0,
                &text(&row.sink),
                &text(&row.recipient),
                &i64::from(row.part),
                &text(&row.body),
                &created_at,
            ],
        )
        .await?;
    }
    Ok(usize::try_from(created).unwrap_or(usize::MAX))
}

/// See [`gazette_core::Store::claim_deliveries`]: oldest rows first. The
/// claimable rows are locked with `FOR UPDATE SKIP LOCKED`, so two nodes
/// claiming at once pass over each other's rows instead of waiting for them
/// (or taking them twice); a row claimed and committed by another node
/// meanwhile is checked again after the lock and left out.
pub(crate) async fn claim(
    tx: &Tx<'_>,
    now: Timestamp,
    lease: SignedDuration,
    limit: usize,
) -> OpResult<Vec<Delivery>> {
    let sql = format!(
        "WITH claimable AS MATERIALIZED ( \
             SELECT d.id FROM deliveries d \
             WHERE d.state IN ('pending', 'sending') \
               AND (d.not_before IS NULL OR d.not_before <= $2) \
               AND NOT EXISTS ( \
                   SELECT 1 FROM deliveries earlier \
                   WHERE earlier.edition_id = d.edition_id AND earlier.sink = d.sink \
                     AND earlier.recipient = d.recipient AND earlier.part < d.part \
                     AND earlier.state <> 'sent') \
             ORDER BY d.id LIMIT $3 \
             FOR UPDATE OF d SKIP LOCKED) \
         UPDATE deliveries SET state = 'sending', not_before = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM claimable) \
         RETURNING {COLUMNS}"
    );
    let until = micros(now.checked_add(lease)?);
    let params: [Param<'_>; 3] = [&until, &micros(now), &sql_limit(limit)];
    let mut claimed = query_all(tx, &sql, &params, decode).await?;
    // RETURNING gives no order.
    claimed.sort_by_key(|d| d.id);
    Ok(claimed)
}

/// See [`gazette_core::Store::mark_delivery_sent`].
pub(crate) async fn mark_sent(
    tx: &Tx<'_>,
    id: DeliveryId,
    remote_id: Option<&str>,
    now: Timestamp,
) -> OpResult<()> {
    let updated = execute(
        tx,
        "UPDATE deliveries SET state = 'sent', remote_id = $2, sent_at = $3, not_before = NULL \
         WHERE id = $1",
        &[&id.0, &remote_id.map(text), &micros(now)],
    )
    .await?;
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
pub(crate) async fn mark_failed(
    tx: &Tx<'_>,
    id: DeliveryId,
    error: &str,
    retry_at: Option<Timestamp>,
) -> OpResult<()> {
    let state = match retry_at {
        Some(_) => DeliveryState::Pending,
        None => DeliveryState::Failed,
    };
    let updated = execute(
        tx,
        "UPDATE deliveries SET state = $2, last_error = $3, not_before = $4 \
         WHERE id = $1 AND state <> 'sent'",
        &[&id.0, &state.as_sql(), &text(error), &retry_at.map(micros)],
    )
    .await?;
    if updated == 0 {
        require(tx, "deliveries", "delivery", id.0).await?;
        tracing::warn!(
            delivery = id.0,
            error,
            "failure reported for a delivery already sent; ignored"
        );
    }
    Ok(())
}

/// The rows of an edition by sink, recipient and part; text in byte order
/// (`COLLATE "C"`), as SQLite compares it, whatever the database's locale.
pub(crate) async fn for_edition(tx: &Tx<'_>, edition: EditionId) -> OpResult<Vec<Delivery>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM deliveries WHERE edition_id = $1 \
         ORDER BY sink COLLATE \"C\", recipient COLLATE \"C\", part"
    );
    query_all(tx, &sql, &[&edition.0], decode).await
}
