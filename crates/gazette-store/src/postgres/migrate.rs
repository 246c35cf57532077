//! Schema migrations: the numbered SQL files of `migrations/postgres/`,
//! embedded in the binary and applied in order, each in its own transaction.
//!
//! The schema version is the highest `version` in table `gazette_schema` (0
//! when the table does not exist). Each migration's transaction first takes a
//! transaction-scoped advisory lock ([`LOCK_KEY`]), then creates that table
//! if needed and re-reads the version under the lock, so several nodes
//! starting at once on a new database apply every migration exactly once: the
//! others wait for the lock, then find the migration applied.

use gazette_core::StoreError;
use tokio_postgres::GenericClient;

use super::codec::Tx;

/// One step of the schema.
struct Migration {
    version: u32,
    sql: &'static str,
}

/// Every migration, by version; versions start at 1 and have no gaps. They
/// mirror `migrations/sqlite/` one for one.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/postgres/0002_source_models.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../migrations/postgres/0003_leases.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../migrations/postgres/0004_telegram.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("../../migrations/postgres/0005_email.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("../../migrations/postgres/0006_search.sql"),
    },
    Migration {
        version: 7,
        sql: include_str!("../../migrations/postgres/0007_window_index.sql"),
    },
    Migration {
        version: 8,
        sql: include_str!("../../migrations/postgres/0008_duplicates.sql"),
    },
    Migration {
        version: 9,
        sql: include_str!("../../migrations/postgres/0009_merged_stories.sql"),
    },
];

/// The schema version this build creates and understands.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The advisory lock that serialises migrations of one database ("gazette"
/// and a 1 in ASCII). Advisory locks are per database, so stores on other
/// databases of the same server do not wait for each other.
const LOCK_KEY: i64 = 0x6761_7a65_7474_6501;

/// The schema version of the database; 0 when gazette never migrated it.
pub(crate) async fn version(client: &impl GenericClient) -> Result<u32, tokio_postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('gazette_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let version: i32 = client
        .query_one("SELECT COALESCE(MAX(version), 0) FROM gazette_schema", &[])
        .await?
        .get(0);
    Ok(u32::try_from(version).unwrap_or(0))
}

/// Brings a database at version `found` to [`LATEST`], or fails with
/// `TooNew` when it is newer (also when another node upgraded it meanwhile).
pub(crate) async fn run(
    client: &mut deadpool_postgres::Object,
    found: u32,
) -> Result<(), StoreError> {
    if found > LATEST {
        return Err(StoreError::TooNew {
            found,
            known: LATEST,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let failed = |source: tokio_postgres::Error| StoreError::Migrate {
            version: migration.version,
            source: Box::new(source),
        };
        let tx = client.transaction().await.map_err(failed)?;
        match apply(&tx, migration).await.map_err(failed)? {
            Applied::Now => {
                tx.commit().await.map_err(failed)?;
                tracing::info!(version = migration.version, "applied schema migration");
            }
            Applied::Already => tx.rollback().await.map_err(failed)?,
            Applied::Newer(found) => {
                return Err(StoreError::TooNew {
                    found,
                    known: LATEST,
                });
            }
        }
    }
    Ok(())
}

/// What [`apply`] found.
enum Applied {
    /// The migration was applied in this transaction.
    Now,
    /// Another node applied it first.
    Already,
    /// Another node brought the schema beyond what this build knows.
    Newer(u32),
}

/// Applies one migration under the migration lock unless the database already has it.
async fn apply(tx: &Tx<'_>, migration: &Migration) -> Result<Applied, tokio_postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS gazette_schema ( \
             version    INTEGER     PRIMARY KEY, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let current = version(&**tx).await?;
    if current > LATEST {
        return Ok(Applied::Newer(current));
    }
    if current >= migration.version {
        return Ok(Applied::Already);
    }
    tx.batch_execute(migration.sql).await?;
    let version = i32::try_from(migration.version).unwrap_or(i32::MAX);
    tx.execute(
        "INSERT INTO gazette_schema (version) VALUES ($1)",
        &[&version],
    )
    .await?;
    Ok(Applied::Now)
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

    #[test]
    fn every_sqlite_migration_has_a_postgres_twin() {
        let dir = |backend: &str| -> Vec<String> {
            let path = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
            let mut names: Vec<String> = std::fs::read_dir(path)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(dir("postgres"), dir("sqlite"));
        assert_eq!(dir("postgres").len(), LATEST as usize);
    }
}
