//! Editions (table `editions`), unique by (channel, slot instant).
//!
//! The whole [`NewEdition`] is kept as JSON so that it comes back exactly as
//! composed (the slot's time zone included); `channel` and `slot_at` are
//! columns for the uniqueness constraint and the queries.

use gazette_core::store::EditionInsert;
use gazette_core::{Edition, EditionId, NewEdition};
use jiff::Timestamp;

use super::codec::{Cols, OpResult, Tx, conflicting, micros, query_all, query_opt, text, to_json};

fn decode(row: Cols<'_>) -> OpResult<Edition> {
    Ok(Edition {
        id: EditionId(row.get("id")?),
        edition: row.json("edition")?,
    })
}

/// See [`gazette_core::Store::insert_edition`]. Race-safe because the
/// uniqueness is the database's: of two inserts for one slot, the second
/// waits for the first to commit, then conflicts, and (at read committed) the
/// next statement sees the row it conflicted with.
pub(crate) async fn insert(tx: &Tx<'_>, edition: &NewEdition) -> OpResult<EditionInsert> {
    let slot = edition.slot.timestamp();
    let json = to_json(edition)?;
    let created = query_opt(
        tx,
        "INSERT INTO editions (channel, slot_at, slot, edition) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (channel, slot_at) DO NOTHING RETURNING id",
        &[
            &text(&edition.channel),
            &micros(slot),
            &edition.slot.to_string(),
            &json,
        ],
        |row| row.get("id"),
    )
    .await?;
    match created {
        Some(id) => Ok(EditionInsert::Created(Edition {
            id: EditionId(id),
            edition: edition.clone(),
        })),
        None => {
            let existing = for_slot(tx, &edition.channel, slot).await?;
            let key = format_args!("{} at {}", edition.channel, edition.slot);
            Ok(EditionInsert::Existing(conflicting(
                existing, "edition", key,
            )?))
        }
    }
}

pub(crate) async fn for_slot(
    tx: &Tx<'_>,
    channel: &str,
    slot: Timestamp,
) -> OpResult<Option<Edition>> {
    query_opt(
        tx,
        "SELECT id, edition FROM editions WHERE channel = $1 AND slot_at = $2",
        &[&text(channel), &micros(slot)],
        decode,
    )
    .await
}

pub(crate) async fn latest(tx: &Tx<'_>, channel: &str) -> OpResult<Option<Edition>> {
    query_opt(
        tx,
        "SELECT id, edition FROM editions WHERE channel = $1 ORDER BY slot_at DESC LIMIT 1",
        &[&text(channel)],
        decode,
    )
    .await
}

pub(crate) async fn since(tx: &Tx<'_>, channel: &str, since: Timestamp) -> OpResult<Vec<Edition>> {
    query_all(
        tx,
        "SELECT id, edition FROM editions WHERE channel = $1 AND slot_at >= $2 ORDER BY slot_at",
        &[&text(channel), &micros(since)],
        decode,
    )
    .await
}
