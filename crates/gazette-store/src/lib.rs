//! Storage for gazette: implementations of [`gazette_core::Store`].
//!
//! Today one backend, [`SqliteStore`], an SQLite file in WAL mode that several
//! processes may open at once (the daemon and a `gazette feeds list`). A
//! PostgreSQL backend will follow with the same behaviour; both must pass the
//! shared suite in `tests/suite/`.
//!
//! Schema migrations are numbered SQL files under `migrations/<backend>/`,
//! embedded in the binary and applied when a store is opened. Conventions
//! shared by the backends:
//!
//! * instants are kept to the microsecond (finer digits are dropped), as
//!   integers so that SQL orders them;
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
//! # Ok(())
//! # }
//! ```

mod sqlite;

pub use sqlite::SqliteStore;
