//! Getting news in: feeds are discovered, fetched politely, parsed, and their
//! new entries turned into articles.
//!
//! - [`feed`]: RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes → [`gazette_core::ParsedFeed`]
//!   ([`feed::parse_feed`]), with [`charset`] deciding the encoding and
//!   [`dates`] reading the dates real feeds carry.
//! - [`discover`]: the feeds a web page advertises ([`discover::discover_feeds`]).
//! - [`opml`]: subscription lists in and out ([`opml::parse_opml`], [`opml::write_opml`]).
//! - [`fetch`]: the polite HTTP client ([`fetch::Fetcher`]): conditional GET,
//!   per-host limits, redirects checked hop by hop, deadlines, body caps, an
//!   SSRF guard.
//! - [`policy`]: when a source is polled next, backoff, disabling. Pure.
//! - [`ingest`]: one pass over the due sources ([`ingest::Ingester::run_once`])
//!   and `gazette feeds add` ([`ingest::Ingester::add_feed`]).
//!
//! ```
//! use gazette_ingest::feed::parse_feed;
//! let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
//!   <entry><id>1</id><title>Hello</title><link href="https://blog.example/1"/>
//!   <updated>2024-05-01T10:00:00Z</updated></entry></feed>"#;
//! let feed = parse_feed(atom, None, None).unwrap();
//! assert_eq!(feed.title.as_deref(), Some("Blog"));
//! assert_eq!(feed.entries[0].link.as_ref().unwrap().as_str(), "https://blog.example/1");
//! ```

pub mod charset;
pub mod dates;
pub mod discover;
pub mod feed;
pub mod fetch;
pub mod ingest;
pub mod opml;
pub mod policy;
pub mod position;
mod text;

pub use discover::{DiscoveredFeed, discover_feeds};
pub use feed::{FeedError, parse_feed, parse_feed_limited};
pub use fetch::{Accept, Conditional, FetchError, FetchOutcome, Fetcher};
pub use ingest::{AddError, AddOutcome, IngestReport, Ingester, NoProgress, Progress};
pub use opml::{OpmlError, OpmlFeed, parse_opml, write_opml};
