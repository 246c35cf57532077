//! Schema migrations: the numbered SQL files of `migrations/sqlite/`, embedded
//! in the binary and applied in order, each in its own write transaction.
//!
//! The schema version is SQLite's `PRAGMA user_version` (0 for a new file). It is
//! re-read inside each migration's transaction, so two processes opening a new
//! file at once apply every migration exactly once.

use gazette_core::StoreError;
use rusqlite::{Connection, TransactionBehavior};

/// One step of the schema.
struct Migration {
    version: u32,
    sql: &'static str,
}

/// Every migration, by version; versions start at 1 and have no gaps.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/sqlite/0002_source_models.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../migrations/sqlite/0003_leases.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../migrations/sqlite/0004_telegram.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("../../migrations/sqlite/0005_email.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("../../migrations/sqlite/0006_search.sql"),
    },
    Migration {
        version: 7,
        sql: include_str!("../../migrations/sqlite/0007_window_index.sql"),
    },
    Migration {
        version: 8,
        sql: include_str!("../../migrations/sqlite/0008_duplicates.sql"),
    },
    Migration {
        version: 9,
        sql: include_str!("../../migrations/sqlite/0009_merged_stories.sql"),
    },
];

/// The schema version this build creates and understands.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The schema version of the database.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Brings a database at version `found` to [`LATEST`], or fails with
/// `TooNew` when it is newer.
pub(crate) fn run(conn: &mut Connection, found: u32) -> Result<(), StoreError> {
    if found > LATEST {
        return Err(StoreError::TooNew {
            found,
            known: LATEST,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let applied = apply(conn, migration).map_err(|source| StoreError::Migrate {
            version: migration.version,
            source: Box::new(source),
        })?;
        if applied {
            tracing::info!(version = migration.version, "applied schema migration");
        }
    }
    Ok(())
}

/// Applies one migration unless the database already has it (another process
/// may have got there first). Returns whether it was applied.
fn apply(conn: &mut Connection, migration: &Migration) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if version(&tx)? >= migration.version {
        return Ok(false);
    }
    tx.execute_batch(migration.sql)?;
    tx.pragma_update(None, "user_version", migration.version)?;
    tx.commit()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_start_at_one_without_gaps() {
        let versions: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<u32> = (1..=LATEST).collect();
        assert_eq!(versions, expected);
    }
}
