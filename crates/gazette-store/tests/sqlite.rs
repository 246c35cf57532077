//! The shared store suite (`suite/`) run on [`SqliteStore`], plus what only an
//! SQLite file has: reopening, schema versions, pragmas.
//!
//! Every test gets a fresh database file in its own temporary directory.

#[macro_use]
mod suite;

use std::path::{Path, PathBuf};

use gazette_core::{NewSource, Store, StoreError};
use gazette_store::SqliteStore;
use tempfile::TempDir;

/// A fresh database file, deleted with the directory at the end of the test.
struct TestDb {
    _dir: TempDir,
    path: PathBuf,
    store: SqliteStore,
}

impl TestDb {
    fn new() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gazette.db");
        let store = SqliteStore::open(&path).unwrap();
        TestDb {
            _dir: dir,
            path,
            store,
        }
    }

    /// Another handle (its own connection) on the same file.
    fn second_handle(&self) -> SqliteStore {
        SqliteStore::open(&self.path).unwrap()
    }
}

/// One `#[tokio::test]` per suite function taking one store...
macro_rules! suite_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let db = TestDb::new();
            suite::$name(&db.store).await;
        }
    )*};
}

/// ...and per suite function taking two handles on the same database.
macro_rules! suite_tests_two_handles {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let db = TestDb::new();
            let second = db.second_handle();
            suite::$name(&db.store, &second).await;
        }
    )*};
}

every_suite_test!(suite_tests, suite_tests_two_handles);

// ---------------------------------------------------------------------------
// SQLite only
// ---------------------------------------------------------------------------

fn example_source() -> NewSource {
    NewSource {
        url: "https://example.org/feed.xml".parse().unwrap(),
        title: Some("Example".into()),
        site_url: None,
    }
}

/// The raw SQLite view of a database file, bypassing the store.
fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[tokio::test]
async fn data_survives_closing_and_reopening_the_file() {
    let db = TestDb::new();
    let now = jiff::Timestamp::UNIX_EPOCH;
    let (source, _) = db.store.add_source(&example_source(), now).await.unwrap();
    let TestDb { _dir, path, store } = db;
    drop(store);

    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.sources().await.unwrap(), vec![source]);
}

#[tokio::test]
async fn open_creates_missing_parent_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/gazette.db");
    let store = SqliteStore::open(&path).unwrap();
    assert!(path.is_file());
    assert!(store.sources().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_fresh_database_has_every_migration_applied() {
    let db = TestDb::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let files = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(db.store.schema_version().await.unwrap() as usize, files);
}

#[tokio::test]
async fn opening_a_database_with_a_newer_schema_is_too_new() {
    let db = TestDb::new();
    let known = db.store.schema_version().await.unwrap();
    raw(&db.path)
        .pragma_update(None, "user_version", known + 1)
        .unwrap();
    match SqliteStore::open(&db.path) {
        Err(StoreError::TooNew { found, known: k }) => assert_eq!((found, k), (known + 1, known)),
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn opening_a_file_that_is_not_a_database_fails_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not an SQLite database, just some text ".repeat(100),
    )
    .unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Open { location, .. }) => assert_eq!(location, path.display().to_string()),
        other => panic!("expected Open, got {other:?}"),
    }
}

#[test]
fn concurrent_opens_of_a_new_file_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gazette.db");
    let opened: Vec<Result<SqliteStore, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| SqliteStore::open(&path)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for store in opened {
        store.unwrap();
    }
}

#[tokio::test]
async fn integrity_check_of_a_fresh_database_is_ok() {
    let db = TestDb::new();
    db.store
        .add_source(&example_source(), jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    db.store.integrity_check().await.unwrap();
}

#[tokio::test]
async fn journal_mode_is_wal() {
    let db = TestDb::new();
    let mode: String = raw(&db.path)
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_second_process_can_read_while_the_store_is_open() {
    let db = TestDb::new();
    let now = jiff::Timestamp::UNIX_EPOCH;
    let (source, _) = db.store.add_source(&example_source(), now).await.unwrap();
    let reader = db.second_handle();
    assert_eq!(reader.sources().await.unwrap(), vec![source]);
}

#[tokio::test]
async fn a_write_waits_for_another_process_to_finish_writing() {
    let db = TestDb::new();
    let other = raw(&db.path);
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        other.execute_batch("COMMIT").unwrap();
    });
    let now = jiff::Timestamp::UNIX_EPOCH;
    let (_, created) = db.store.add_source(&example_source(), now).await.unwrap();
    assert!(created);
    release.join().unwrap();
}

#[tokio::test]
async fn hand_edited_invalid_values_are_reported_as_corrupt() {
    let db = TestDb::new();
    let now = jiff::Timestamp::UNIX_EPOCH;
    let (source, _) = db.store.add_source(&example_source(), now).await.unwrap();
    let edit = |sql: &str| {
        raw(&db.path).execute(sql, [source.id.0]).unwrap();
    };
    let expect_corrupt = |result: Result<_, StoreError>, expected: &str| match result {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, expected),
        other => panic!("expected Corrupt({expected}), got {other:?}"),
    };

    edit("UPDATE sources SET url = 'not a URL' WHERE id = ?1");
    expect_corrupt(db.store.source(source.id).await, "URL");
    edit("UPDATE sources SET url = 'https://example.org/', added_at = 1e300 WHERE id = ?1");
    expect_corrupt(db.store.source(source.id).await, "column value");
    edit("UPDATE sources SET added_at = 9223372036854775807 WHERE id = ?1");
    expect_corrupt(db.store.source(source.id).await, "timestamp");
}
