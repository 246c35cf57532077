//! The vocabulary of gazette: domain types, IDs, configuration types and the
//! traits at the boundaries between pipeline stages.
//!
//! Everything that flows through the pipeline is defined here, in pipeline order
//! (see `DESIGN.md` §2):
//!
//! [`Source`] → [`FeedEntry`]/[`Entry`] → [`Page`] → [`Article`] → [`Analysis`] →
//! [`Story`] → [`RankedStory`] → [`Edition`] → [`Rendered`] → [`Delivery`].
//!
//! Domain types know nothing about SQL or HTTP: the store crate maps them to rows,
//! the ingest crate fills them from responses. Identifiers are newtypes ([`ids`]),
//! instants are [`jiff::Timestamp`] (UTC), edition slots are [`jiff::Zoned`]
//! because a schedule lives in the reader's time zone.
//!
//! ```
//! use gazette_core::{Source, SourceId};
//! let url: url::Url = "https://www.example.org/feed.xml".parse().unwrap();
//! let source = Source::new(SourceId(1), url, jiff::Timestamp::UNIX_EPOCH);
//! assert_eq!(source.outlet(), "example.org");
//! ```

pub mod config;
pub mod ids;
pub mod model;
pub mod report;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use ids::*;
pub use model::*;
pub use store::{NodeLock, Store, StoreError};
