//! Named locks held by one node until they expire (table `locks`): the
//! scheduler's lock.
//!
//! A lease row rather than an advisory lock: an advisory lock belongs to a
//! database session, which a connection pool does not keep for one caller, and
//! it would ignore the `now` that callers (and tests) pass in.

use jiff::{SignedDuration, Timestamp};

use super::codec::{OpResult, Tx, execute, micros, query_opt, text};

/// See [`gazette_core::Store::try_lock_scheduler`]. One upsert: it inserts the
/// lock, or takes it over when it is `holder`'s or has expired; otherwise it
/// changes nothing and returns no row. Of two concurrent upserts of the same
/// name, the second waits for the first and then sees its row.
pub(crate) async fn try_lock(
    tx: &Tx<'_>,
    name: &str,
    holder: &str,
    now: Timestamp,
    ttl: SignedDuration,
) -> OpResult<bool> {
    let until = micros(now.checked_add(ttl)?);
    let taken = query_opt(
        tx,
        "INSERT INTO locks (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         expires_at = excluded.expires_at \
         WHERE locks.holder = excluded.holder OR locks.expires_at <= $4 \
         RETURNING holder",
        &[&name, &text(holder), &until, &micros(now)],
        |_| Ok(()),
    )
    .await?;
    Ok(taken.is_some())
}

/// See [`gazette_core::Store::unlock_scheduler`].
pub(crate) async fn unlock(tx: &Tx<'_>, name: &str, holder: &str) -> OpResult<bool> {
    let deleted = execute(
        tx,
        "DELETE FROM locks WHERE name = $1 AND holder = $2",
        &[&name, &text(holder)],
    )
    .await?;
    Ok(deleted > 0)
}
