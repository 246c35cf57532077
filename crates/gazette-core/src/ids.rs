//! Identifier newtypes.
//!
//! Each row kind has its own ID type so that a `StoryId` can never be passed
//! where an `ArticleId` is expected. IDs are assigned by the store; they are
//! plain integers on the wire (`#[serde(transparent)]`).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A feed or site that gazette polls.
    SourceId
);
id_type!(
    /// An item seen in a feed.
    EntryId
);
id_type!(
    /// A stored article (one per URL).
    ArticleId
);
id_type!(
    /// A story: articles from one or more outlets about one event. Stable across editions.
    StoryId
);
id_type!(
    /// A composed edition of a channel for one slot.
    EditionId
);
id_type!(
    /// One outbox row: an edition part for one recipient of one sink.
    DeliveryId
);
