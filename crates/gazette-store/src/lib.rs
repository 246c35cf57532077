//! Storage for gazette: implementations of [`gazette_core::Store`].
//!
//! Two backends with the same behaviour, both tested by the shared suite in
//! `tests/suite/`:
//!
//! * [`SqliteStore`], an SQLite file in WAL mode that several processes on one
//!   machine may open at once (the daemon and a `gazette feeds list`);
//! * [`PgStore`], a PostgreSQL database that several nodes share: fetch and
//!   delivery work is claimed with `FOR UPDATE SKIP LOCKED` leases, the
//!   scheduler holds a lease row.
//!
//! Schema migrations are numbered SQL files under `migrations/<backend>/`, one
//! for one between the backends, embedded in the binary and applied when a
//! store is opened. Conventions shared by the backends (`src/common.rs`):
//!
//! * instants are kept to the microsecond (finer digits are dropped), as
//!   64-bit integers so that SQL orders them;
//! * free text is stored with U+0000 replaced by U+FFFD (PostgreSQL's text
//!   cannot hold it);
//! * an edition is kept whole, as JSON, and returned exactly as composed;
//! * removing a source deletes its entries but keeps its articles: they keep the
//!   source's ID (never reused) and lose their entry.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gazette_core::StoreError> {
//! use gazette_core::{NewSource, Store};
//! use gazette_store::SqliteStore;
//!
//! let store = SqliteStore::open("gazette-data/gazette.db".as_ref())?;
//! let new = NewSource {
//!     url: "https://www.example.org/feed.xml".parse().unwrap(),
//!     title: None,
//!     site_url: None,
//! };
//! let (source, created) = store.add_source(&new, jiff::Timestamp::now()).await?;
//! assert!(created);
//! assert_eq!(store.due_sources(source.added_at, 10).await?, vec![source]);
//!
//! // The same on PostgreSQL (the database must exist; gazette migrates it).
//! let shared = gazette_store::PgStore::connect("postgres://gazette@db.internal/gazette").await?;
//! let (_, created) = shared.add_source(&new, jiff::Timestamp::now()).await?;
//! # Ok(())
//! # }
//! ```

mod common;
mod postgres;
mod sqlite;

pub use postgres::{PgOptions, PgStore};
pub use sqlite::SqliteStore;
