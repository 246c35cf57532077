//! Getting news in: feeds are discovered, fetched politely, parsed, and their
//! new entries turned into articles.
//!
//! - [`feed`]: RSS/Atom/JSON Feed bytes → [`gazette_core::ParsedFeed`] ([`feed::parse_feed`]).
//! - [`charset`]: deciding a document's encoding and decoding it to UTF-8.
//! - [`dates`]: the lenient date parser used for feeds.
//! - [`position`]: line/column of errors.

pub mod charset;
pub mod dates;
pub mod feed;
pub mod position;
mod text;
pub mod discover;
pub mod opml;
pub mod policy;
pub mod fetch;
