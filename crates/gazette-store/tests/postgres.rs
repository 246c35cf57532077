//! The shared store suite (`suite/`) run on [`PgStore`], plus what only a
//! PostgreSQL server has: several stores (nodes) on one database claiming,
//! locking and migrating at once; reconnecting; schema versions.
//!
//! Every test creates its own database and drops it at the end ([`pg`]: the
//! server is `GAZETTE_TEST_POSTGRES`, by default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When the server cannot be
//! reached, the tests here do not pass silently: they say on standard error
//! that the PostgreSQL tests did not run and why, then return; with `CI=true`
//! they fail instead, because CI always has PostgreSQL.

mod pg;
#[macro_use]
mod suite;

use std::collections::BTreeSet;

use gazette_core::{DeliveryId, NewDelivery, NewEdition, NewSource, SourceId, Store, StoreError};
use gazette_store::PgStore;
use jiff::{SignedDuration, Timestamp};
use pg::Database;

/// A fresh database with a store on it.
struct TestDb {
    // Dropped before `db`, which then drops the database.
    store: PgStore,
    db: Database,
}

impl TestDb {
    async fn new() -> Option<TestDb> {
        let db = Database::create().await?;
        let store = PgStore::connect(&db.url).await.unwrap();
        Some(TestDb { store, db })
    }

    /// Another store (its own pool) on the same database: another node.
    async fn another_node(&self) -> PgStore {
        PgStore::connect(&self.db.url).await.unwrap()
    }
}

/// One `#[tokio::test]` per suite function taking one store...
macro_rules! suite_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(db) = TestDb::new().await else { return };
            suite::$name(&db.store).await;
        }
    )*};
}

/// ...and per suite function taking two handles: two stores on one database.
macro_rules! suite_tests_two_handles {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(db) = TestDb::new().await else { return };
            let second = db.another_node().await;
            suite::$name(&db.store, &second).await;
        }
    )*};
}

every_suite_test!(suite_tests, suite_tests_two_handles);

// ---------------------------------------------------------------------------
// PostgreSQL only
// ---------------------------------------------------------------------------

fn t0() -> Timestamp {
    "2026-03-01T06:00:00Z".parse().unwrap()
}

fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn example_source() -> NewSource {
    NewSource {
        url: "https://example.org/feed.xml".parse().unwrap(),
        title: Some("Example".into()),
        site_url: None,
    }
}

/// `n` stores on the test database, the test's own first.
async fn nodes(db: &TestDb, n: usize) -> Vec<PgStore> {
    let mut stores = vec![db.store.clone()];
    for _ in 1..n {
        stores.push(db.another_node().await);
    }
    stores
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_nodes_claiming_deliveries_never_share_a_row() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let slot: jiff::Zoned = "2026-03-01T07:00:00+01:00[Europe/Paris]".parse().unwrap();
    let edition = NewEdition {
        channel: "morning".into(),
        window_start: slot.timestamp() - SignedDuration::from_hours(12),
        window_end: slot.timestamp(),
        composed_at: slot.timestamp(),
        slot,
        lang: "en".into(),
        stories: vec![],
    };
    let edition = db
        .store
        .insert_edition(&edition)
        .await
        .unwrap()
        .into_edition();
    let rows: Vec<NewDelivery> = (0..200)
        .map(|i| NewDelivery {
            edition_id: edition.id,
            sink: "telegram".into(),
            recipient: format!("chat-{i}"),
            part: 0,
            body: format!("for chat {i}"),
        })
        .collect();
    assert_eq!(db.store.enqueue_deliveries(&rows, t0()).await.unwrap(), 200);

    let workers: Vec<_> = nodes(&db, 4)
        .await
        .into_iter()
        .map(|store| {
            tokio::spawn(async move {
                let mut claimed: Vec<DeliveryId> = Vec::new();
                loop {
                    let batch = store.claim_deliveries(t0(), minutes(5), 7).await.unwrap();
                    if batch.is_empty() {
                        return claimed;
                    }
                    claimed.extend(batch.iter().map(|d| d.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<DeliveryId> = all.iter().copied().collect();
    assert_eq!(all.len(), 200, "every row claimed exactly once");
    assert_eq!(distinct.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_nodes_claiming_sources_never_poll_one_twice() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    for i in 0..200 {
        let new = NewSource {
            url: format!("https://feed{i}.example/rss").parse().unwrap(),
            title: None,
            site_url: None,
        };
        db.store.add_source(&new, t0()).await.unwrap();
    }
    let workers: Vec<_> = nodes(&db, 4)
        .await
        .into_iter()
        .map(|store| {
            tokio::spawn(async move {
                let mut claimed: Vec<SourceId> = Vec::new();
                loop {
                    let batch = store.claim_due_sources(t0(), minutes(10), 7).await.unwrap();
                    if batch.is_empty() {
                        return claimed;
                    }
                    claimed.extend(batch.iter().map(|s| s.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<SourceId> = all.iter().copied().collect();
    assert_eq!(all.len(), 200, "every source claimed exactly once");
    assert_eq!(distinct.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_four_nodes_one_gets_the_scheduler_lock() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let attempts: Vec<_> = nodes(&db, 4)
        .await
        .into_iter()
        .enumerate()
        .map(|(i, store)| {
            tokio::spawn(async move {
                store
                    .try_lock_scheduler(&format!("node-{i}"), t0(), minutes(1))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut holders = 0;
    for attempt in attempts {
        holders += usize::from(attempt.await.unwrap());
    }
    assert_eq!(holders, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_at_once_on_a_new_database_migrate_it_once() {
    let Some(db) = Database::create().await else {
        return;
    };
    let opening: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { PgStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for open in opening {
        stores.push(open.await.unwrap().unwrap());
    }
    let files = migration_files();
    for store in &stores {
        assert_eq!(store.schema_version().await.unwrap() as usize, files);
    }
    let rows = db
        .raw()
        .await
        .query("SELECT version FROM gazette_schema ORDER BY version", &[])
        .await
        .unwrap();
    let versions: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let expected: Vec<i32> = (1..=files as i32).collect();
    assert_eq!(versions, expected);
}

fn migration_files() -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    std::fs::read_dir(dir).unwrap().count()
}

#[tokio::test]
async fn a_fresh_database_has_every_migration_applied() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    assert_eq!(
        db.store.schema_version().await.unwrap() as usize,
        migration_files()
    );
}

#[tokio::test]
async fn data_survives_reconnecting() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let (source, _) = db.store.add_source(&example_source(), t0()).await.unwrap();
    let TestDb { store, db } = db;
    drop(store);

    let reconnected = PgStore::connect(&db.url).await.unwrap();
    assert_eq!(reconnected.sources().await.unwrap(), vec![source]);
    let again = reconnected
        .add_source(&example_source(), t0())
        .await
        .unwrap();
    assert!(!again.1, "the same source, not a second one");
}

#[tokio::test]
async fn opening_a_database_with_a_newer_schema_is_too_new() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let known = db.store.schema_version().await.unwrap();
    let newer = i32::try_from(known + 1).unwrap();
    db.db
        .raw()
        .await
        .execute(
            "INSERT INTO gazette_schema (version) VALUES ($1)",
            &[&newer],
        )
        .await
        .unwrap();
    match PgStore::connect(&db.db.url).await {
        Err(StoreError::TooNew { found, known: k }) => assert_eq!((found, k), (known + 1, known)),
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[tokio::test]
async fn connecting_to_a_missing_database_fails_to_open() {
    // Only to know that the server is there.
    let Some(db) = Database::create().await else {
        return;
    };
    let mut url: url::Url = db.url.parse().unwrap();
    url.set_path("/gazette_test_no_such_database");
    match PgStore::connect(url.as_str()).await {
        Err(StoreError::Open { location, source }) => {
            assert!(
                location.ends_with("/gazette_test_no_such_database"),
                "{location}"
            );
            assert!(
                format!("{source:?}").contains("does not exist"),
                "{source:?}"
            );
        }
        other => panic!("expected Open, got {other:?}"),
    }
}

#[tokio::test]
async fn hand_edited_invalid_values_are_reported_as_corrupt() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let (source, _) = db.store.add_source(&example_source(), t0()).await.unwrap();
    let raw = db.db.raw().await;
    let expect_corrupt = |result: Result<_, StoreError>, expected: &str| match result {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, expected),
        other => panic!("expected Corrupt({expected}), got {other:?}"),
    };
    let edit = |sql: &'static str| {
        let raw = &raw;
        async move { raw.execute(sql, &[&source.id.0]).await.unwrap() }
    };

    edit("UPDATE sources SET url = 'not a URL' WHERE id = $1").await;
    expect_corrupt(db.store.source(source.id).await, "URL");
    edit(
        "UPDATE sources SET url = 'https://example.org/', interval_secs = 5000000000 WHERE id = $1",
    )
    .await;
    expect_corrupt(db.store.source(source.id).await, "column value");
    edit("UPDATE sources SET interval_secs = 0, added_at = 9223372036854775807 WHERE id = $1")
        .await;
    expect_corrupt(db.store.source(source.id).await, "timestamp");
}

#[tokio::test]
async fn the_store_never_shows_a_password_in_its_location() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let mut url: url::Url = db.db.url.parse().unwrap();
    if url.password().is_none() {
        // Trust authentication ignores a password, so the connection works.
        let _ = url.set_password(Some("s3cret"));
    }
    let password = url.password().unwrap().to_owned();
    let store = PgStore::connect(url.as_str()).await.unwrap();
    assert!(!store.location().contains(&password));
    assert!(store.location().ends_with(&format!("/{}", db.db.name)));
}

/// Ends every session of the store on the test database, as a server
/// restart or an administrator would.
async fn drop_store_connections(db: &Database) {
    let dropped = db
        .raw()
        .await
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND application_name = 'gazette'",
            &[&db.name],
        )
        .await
        .unwrap();
    assert!(!dropped.is_empty(), "the store had a connection to drop");
}

#[tokio::test]
async fn operations_survive_the_server_dropping_the_stores_connections() {
    let Some(db) = TestDb::new().await else {
        return;
    };
    let (source, _) = db.store.add_source(&example_source(), t0()).await.unwrap();
    drop_store_connections(&db.db).await;
    assert_eq!(db.store.sources().await.unwrap(), vec![source.clone()]);
    drop_store_connections(&db.db).await;
    let mut polled = source.clone();
    polled.poll.consecutive_failures = 1;
    db.store.update_source(&polled).await.unwrap();
    assert_eq!(db.store.source(source.id).await.unwrap(), Some(polled));
}
