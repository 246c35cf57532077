//! Named locks held by one process until they expire (table `locks`): the
//! scheduler's lock.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Transaction, params};

use super::codec::{OpResult, micros, query_opt, text};

/// See [`gazette_core::Store::try_lock_scheduler`]. One upsert: it inserts the
/// lock, or takes it over when it is `holder`'s or has expired; otherwise it
/// changes nothing and returns no row.
pub(crate) fn try_lock(
    tx: &Transaction<'_>,
    name: &str,
    holder: &str,
    now: Timestamp,
    ttl: SignedDuration,
) -> OpResult<bool> {
    let until = micros(now.checked_add(ttl)?);
    let taken = query_opt(
        tx,
        "INSERT INTO locks (name, holder, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         expires_at = excluded.expires_at \
         WHERE locks.holder = excluded.holder OR locks.expires_at <= ?4 \
         RETURNING holder",
        params![name, text(holder), until, micros(now)],
        |_| Ok(()),
    )?;
    Ok(taken.is_some())
}

/// See [`gazette_core::Store::unlock_scheduler`].
pub(crate) fn unlock(tx: &Transaction<'_>, name: &str, holder: &str) -> OpResult<bool> {
    let deleted = tx
        .prepare_cached("DELETE FROM locks WHERE name = ?1 AND holder = ?2")?
        .execute(params![name, text(holder)])?;
    Ok(deleted > 0)
}
