//! The command line on a PostgreSQL store (`store = "postgres://…"`): feeds
//! imported, listed and removed through the binary land in the database.
//!
//! The database comes from the store crate's PostgreSQL test harness (a fresh
//! database per test, dropped after it; `GAZETTE_TEST_POSTGRES` names the
//! server). Without a reachable server these tests say that they did not run
//! and why, and fail under `CI=true`.

#[path = "../../gazette-store/tests/pg/mod.rs"]
mod pg;

use std::path::Path;

use assert_cmd::Command;
use gazette_core::Store;
use gazette_store::PgStore;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `gazette` run in `dir` on the store at `store`, with no other
/// configuration from the caller's environment.
fn gazette(dir: &Path, store: &str) -> Command {
    let mut cmd = Command::cargo_bin("gazette").expect("the binary is built");
    cmd.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("GAZETTE_STORE", store);
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn feed_urls(output: &std::process::Output) -> Vec<String> {
    assert!(output.status.success(), "{}", stderr(output));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn feeds_import_list_and_remove_on_postgresql() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(pg::Database::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    let out = gazette(dir.path(), &db.url)
        .args(["feeds", "import"])
        .arg(fixture("feeds.opml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list = |dir: &Path| {
        gazette(dir, &db.url)
            .args(["feeds", "list", "--format", "json"])
            .output()
            .unwrap()
    };
    let expected = [
        "https://alpha.example/feed.xml",
        "https://beta.example/atom.xml",
        "https://gamma.example/rss",
    ];
    assert_eq!(feed_urls(&list(dir.path())), expected);

    // Another working directory (another node) sees the same feeds, and
    // importing again adds nothing.
    let elsewhere = tempfile::tempdir().unwrap();
    gazette(elsewhere.path(), &db.url)
        .args(["feeds", "import"])
        .arg(fixture("feeds.opml"))
        .assert()
        .success();
    assert_eq!(feed_urls(&list(elsewhere.path())), expected);

    gazette(dir.path(), &db.url)
        .args(["feeds", "remove", "https://beta.example/atom.xml"])
        .assert()
        .success();

    // The feeds are in the database, not in an SQLite file beside it.
    let stored = runtime.block_on(async {
        let store = PgStore::connect(&db.url).await.unwrap();
        store.sources().await.unwrap()
    });
    let urls: Vec<&str> = stored.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(urls, [expected[0], expected[2]]);
    assert!(!dir.path().join("gazette-data/gazette.db").exists());
}

#[test]
fn an_unreachable_postgresql_server_exits_one_and_names_it_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1 of the loopback address.
    let out = gazette(dir.path(), "postgres://gazette:s3cret@127.0.0.1:1/news")
        .args(["feeds", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("postgres://gazette@127.0.0.1:1/news"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}
