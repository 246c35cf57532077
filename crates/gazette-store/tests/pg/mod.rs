//! The PostgreSQL test harness: a fresh database per test on the server at
//! `GAZETTE_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`;
//! the URL's user must be allowed to create databases), named
//! `gazette_test_<pid>_<n>` and dropped with its [`Database`], also when the
//! test fails. The databases use ICU's `en-US` collation where the server has
//! it, so that the code meets a collation that does not compare text byte by
//! byte.
//!
//! When the server cannot be reached, [`Database::create`] says once, on
//! standard error past the test harness's capture, that the PostgreSQL tests
//! did not run and why, and returns `None`; with `CI=true` it panics instead,
//! because CI always has PostgreSQL.
//!
//! Used by `tests/postgres.rs` here and, through `#[path]`, by the `gazette`
//! binary's PostgreSQL CLI tests:
//!
//! ```ignore
//! let Some(db) = pg::Database::create().await else { return };
//! let store = gazette_store::PgStore::connect(&db.url).await.unwrap();
//! ```

#![allow(dead_code)] // each test crate uses a part

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::NoTls;

/// The server the tests use when `GAZETTE_TEST_POSTGRES` is not set.
const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn server_url() -> String {
    std::env::var("GAZETTE_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// The server URL without its password, for messages.
fn shown_server_url() -> String {
    let mut url: url::Url = match server_url().parse() {
        Ok(url) => url,
        Err(_) => return "GAZETTE_TEST_POSTGRES (not a URL)".to_owned(),
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    url.to_string()
}

fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true" | "1"))
}

/// Says once per test binary, past the harness's capture, that the tests did
/// not run; fails instead under CI.
fn not_run(why: impl std::fmt::Display) {
    let message = format!(
        "PostgreSQL tests did not run: {why} (server {}). Start PostgreSQL there or set \
         GAZETTE_TEST_POSTGRES to a server URL; see README.md, \"PostgreSQL\".",
        shown_server_url()
    );
    if in_ci() {
        panic!("{message} CI=true, where PostgreSQL is required.");
    }
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(std::io::stderr(), "\nwarning: {message}\n");
    });
}

/// A connection to the server's maintenance database.
async fn admin() -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = server_url()
        .parse()
        .expect("GAZETTE_TEST_POSTGRES is not a valid PostgreSQL URL");
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(5));
    }
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// An error and its sources, joined by ": ".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(&format!(": {e}"));
        source = e.source();
    }
    text
}

/// A database of its own for one test, dropped with this value.
pub struct Database {
    /// The database's name.
    pub name: String,
    /// Its URL on the test server.
    pub url: String,
}

impl Database {
    /// Creates an empty database; `None` when the server cannot be reached
    /// (after [`not_run`] said so).
    pub async fn create() -> Option<Database> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let admin = match admin().await {
            Ok(client) => client,
            Err(e) => {
                not_run(format_args!("cannot connect: {}", chain(&e)));
                return None;
            }
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("gazette_test_{}_{n}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        let icu = format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
             LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        );
        if admin.batch_execute(&icu).await.is_err() {
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        }
        let mut url: url::Url = server_url().parse().unwrap();
        url.set_path(&format!("/{name}"));
        Some(Database {
            name,
            url: url.to_string(),
        })
    }

    /// A raw connection to this database, bypassing the store.
    pub async fn raw(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls).await.unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    }
}

impl Drop for Database {
    /// Drops the database from a thread of its own (a test's runtime may be
    /// shutting down, and `Drop` cannot wait on it), forcing out the store's
    /// connections.
    fn drop(&mut self) {
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async {
                let admin = admin().await?;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "warning: could not drop the test database {}: {dropped:?}",
                self.name
            );
        }
    }
}
