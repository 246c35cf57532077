//! The storage contract.
//!
//! [`Store`] is what every stage that keeps state talks to. Backends live in the
//! `gazette-store` crate (SQLite and PostgreSQL) and must pass the same
//! shared test suite. Methods take `now` explicitly so that tests and the demo
//! control the clock.
//!
//! Every method is atomic: it either applies all of its effect or none.
//!
//! Rules every backend keeps (the shared suite in `gazette-store/tests/suite`
//! checks them):
//! - instants are stored with microsecond precision (finer digits are dropped);
//! - a lease or `not_before` equal to `now` has passed;
//! - IDs are never reused, even after a row is removed;
//! - free text is stored with U+0000 replaced by U+FFFD (PostgreSQL's text
//!   cannot hold it); JSON values keep it.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use url::Url;

use crate::ids::*;
use crate::model::*;

/// The locks that nodes sharing a store take so that one of them at a time
/// does some work ([`Store::try_lock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeLock {
    /// Grouping articles into stories and composing editions (`gazette run`'s scheduler).
    Scheduler,
    /// Long polling the bot's updates (Telegram answers two pollers with 409).
    TelegramPolling,
}

impl NodeLock {
    /// The lock's name in the store.
    pub fn name(self) -> &'static str {
        match self {
            NodeLock::Scheduler => "scheduler",
            NodeLock::TelegramPolling => "telegram-polling",
        }
    }
}

/// Errors from a store backend. The backend's own error is kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the store at {location}")]
    Open {
        location: String,
        #[source]
        source: BoxError,
    },
    /// A schema migration failed; the store is left at the previous version.
    #[error("migration to schema version {version} failed")]
    Migrate {
        version: u32,
        #[source]
        source: BoxError,
    },
    /// The store's schema is newer than this binary understands.
    #[error(
        "the store has schema version {found}, newer than this gazette (which knows up to {known}); upgrade gazette"
    )]
    TooNew { found: u32, known: u32 },
    /// A query failed.
    #[error("store operation `{op}` failed")]
    Query {
        op: &'static str,
        #[source]
        source: BoxError,
    },
    /// A stored value could not be decoded (the database was edited by hand or is corrupt).
    #[error("stored {what} is invalid: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// The operation refers to a row that does not exist.
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
}

/// A boxed error from a backend driver.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The result of [`Store::insert_edition`].
#[derive(Debug, Clone, PartialEq)]
pub enum EditionInsert {
    /// The edition was stored now.
    Created(Edition),
    /// An edition for this (channel, slot) already existed; it is returned unchanged.
    Existing(Edition),
}

impl EditionInsert {
    /// The stored edition, whichever way.
    pub fn into_edition(self) -> Edition {
        match self {
            EditionInsert::Created(e) | EditionInsert::Existing(e) => e,
        }
    }
}

/// Persistent state of gazette. Implementations must be safe to share between
/// tasks (`Send + Sync`) and, for backends that support it, between processes.
#[async_trait]
pub trait Store: Send + Sync {
    // ----- sources -------------------------------------------------------

    /// Adds a source. When a source with the same URL exists, it is returned
    /// with `false` and left unchanged, except that a disabled source is re-enabled
    /// (status active, failures reset, due now).
    async fn add_source(&self, new: &NewSource, now: Timestamp) -> StoreResult<(Source, bool)>;

    /// The source with this ID, if any.
    async fn source(&self, id: SourceId) -> StoreResult<Option<Source>>;

    /// The source with exactly this feed URL, if any.
    async fn source_by_url(&self, url: &Url) -> StoreResult<Option<Source>>;

    /// All sources, ordered by ID.
    async fn sources(&self) -> StoreResult<Vec<Source>>;

    /// Removes a source and its entries; its articles stay (stories may cite them).
    /// Returns false when there was no such source.
    async fn remove_source(&self, id: SourceId) -> StoreResult<bool>;

    /// Active sources whose `next_poll_at` is at or before `now`, earliest first,
    /// at most `limit`. Claims ([`Store::claim_due_sources`]) are ignored: this
    /// is the schedule as it stands.
    async fn due_sources(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Source>>;

    /// Claims up to `limit` sources for polling, so that several pollers (nodes
    /// or processes on one store) never poll the same feed at once.
    ///
    /// A source is claimable when it is due as in [`Store::due_sources`] and
    /// not claimed, or its claim has expired (a claim until `now` has passed).
    /// Each source returned is claimed until `now + lease`; the claim ends
    /// early when [`Store::update_source`] records the poll's outcome. A poller
    /// that dies leaves its claims to expire, and the sources are claimed again
    /// then. Sources come earliest `next_poll_at` first, then by ID, as
    /// [`Store::source`] would return them. Two concurrent calls never return
    /// the same source.
    async fn claim_due_sources(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Source>>;

    /// Writes a source's URL, title, site URL and polling state, and ends its
    /// claim if it has one (see [`Store::claim_due_sources`]).
    /// Fails with `NotFound` when the source was removed meanwhile.
    async fn update_source(&self, source: &Source) -> StoreResult<()>;

    /// A model a pipeline stage learnt about this source (e.g. `"boilerplate"`
    /// for extraction), as that stage serialised it; `None` when there is none.
    async fn source_model(&self, source: SourceId, kind: &str) -> StoreResult<Option<String>>;

    /// Stores a source's model of this kind, replacing any previous one. Fails
    /// with `NotFound` when the source does not exist. Removed with the source.
    async fn set_source_model(
        &self,
        source: SourceId,
        kind: &str,
        model: &str,
        now: Timestamp,
    ) -> StoreResult<()>;

    // ----- entries -------------------------------------------------------

    /// Stores the entries of a source that were not seen before (by the entry's
    /// `id` within the source) and returns them, with their IDs, in input order.
    /// Entries already stored are skipped, not updated, unless they are orphans:
    /// an entry with a link whose article was never stored (no article from
    /// that entry, none at that link: the poll that stored it died first) is
    /// returned again, so that the caller builds its article now.
    async fn insert_entries(
        &self,
        source: SourceId,
        entries: &[FeedEntry],
        now: Timestamp,
    ) -> StoreResult<Vec<Entry>>;

    /// The publication times of a source's most recent entries (newest first,
    /// at most `limit`; entries without a publication time are left out), used
    /// to adapt the polling interval.
    async fn recent_entry_times(
        &self,
        source: SourceId,
        limit: usize,
    ) -> StoreResult<Vec<Timestamp>>;

    // ----- articles ------------------------------------------------------

    /// Stores an article unless one with the same URL exists. Returns its ID and
    /// whether it was created.
    async fn insert_article(&self, article: &NewArticle) -> StoreResult<(ArticleId, bool)>;

    /// The article with this ID, if any.
    async fn article(&self, id: ArticleId) -> StoreResult<Option<Article>>;

    /// The articles with these IDs that exist, in ID order (one query: what
    /// rebuilding the window's stories reads).
    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>>;

    /// Articles not yet assigned to a story, in the order they were stored.
    async fn unassigned_articles(&self, limit: usize) -> StoreResult<Vec<Article>>;

    // ----- stories -------------------------------------------------------

    /// Creates a story whose first member and lead is `article`.
    async fn create_story(&self, article: ArticleId, now: Timestamp) -> StoreResult<StoryId>;

    /// Adds an article to a story. An article belongs to at most one story;
    /// adding it again moves it.
    async fn add_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Adds `article`, a copy of `original` (see [`StoryMember::duplicate_of`]),
    /// to `story`, the original's story.
    async fn add_copy_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        original: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Merges story `from` into story `into`: `from`'s members join `into`
    /// after its own, in their order, each keeping when it joined; `from`
    /// then has no member and [`story`](Self::story) of `from` gives `into`.
    /// Nothing happens when they are the same story. `NotFound` when either
    /// does not exist.
    async fn merge_stories(&self, into: StoryId, from: StoryId) -> StoreResult<()>;

    /// Makes `article` (a member) the story's lead; the story takes its title.
    async fn set_story_lead(&self, story: StoryId, article: ArticleId) -> StoreResult<()>;

    /// The story with its members, if any; for a story merged into another
    /// ([`merge_stories`](Self::merge_stories)), the other.
    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>>;

    /// Stories with at least one member whose effective time is at or after
    /// `since`, with all their members; ordered by their latest member time,
    /// newest first, then by newest story.
    async fn stories_since(&self, since: Timestamp) -> StoreResult<Vec<Story>>;

    // ----- editions ------------------------------------------------------

    /// Stores an edition unless one exists for the same (channel, slot instant);
    /// then the existing one is returned. This is what makes an edition
    /// composed once per slot, even when two schedulers race.
    async fn insert_edition(&self, edition: &NewEdition) -> StoreResult<EditionInsert>;

    /// The edition of a channel for a slot instant, if any.
    async fn edition_for_slot(
        &self,
        channel: &str,
        slot: Timestamp,
    ) -> StoreResult<Option<Edition>>;

    /// The channel's most recent edition by slot, if any.
    async fn latest_edition(&self, channel: &str) -> StoreResult<Option<Edition>>;

    /// The channel's editions whose slot is at or after `since`, oldest first.
    async fn editions_since(&self, channel: &str, since: Timestamp) -> StoreResult<Vec<Edition>>;

    // ----- deliveries (the outbox) ---------------------------------------

    /// Queues outbox rows. A row for the same (edition, sink, recipient, part)
    /// that already exists is left as is. Returns how many rows were created.
    async fn enqueue_deliveries(&self, rows: &[NewDelivery], now: Timestamp) -> StoreResult<usize>;

    /// Claims up to `limit` rows that are pending, or sending with an expired
    /// lease, and whose `not_before` has passed; marks them sending with a
    /// lease until `now + lease`, and increments their attempts. A row is
    /// claimed only when every earlier part of the same (edition, sink,
    /// recipient) is sent, so parts go out in order.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>>;

    /// Marks a claimed row sent with the receiver's id for it. Sent rows are never claimed again.
    async fn mark_delivery_sent(
        &self,
        id: DeliveryId,
        remote_id: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Records a failed attempt. With `retry_at`, the row goes back to pending
    /// and is not claimed before then; without, it is failed for good. On a row
    /// already sent this does nothing: a late failure report never causes a resend.
    async fn mark_delivery_failed(
        &self,
        id: DeliveryId,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()>;

    /// The outbox rows of an edition, by sink, recipient and part (text compared
    /// byte by byte, numbers as numbers).
    async fn deliveries_for_edition(&self, edition: EditionId) -> StoreResult<Vec<Delivery>>;

    // ----- coordination between nodes -------------------------------------

    /// Takes or renews `lock` for `node` (a name unique to each running
    /// node), so that one node at a time does that work.
    ///
    /// Returns true when `node` holds the lock until `now + ttl`: it was free,
    /// or its holder's lock had expired (a lock until `now` has passed), or
    /// `node` held it already (the lock is renewed). Returns false, and changes
    /// nothing, while another node holds it. Of two nodes asking at once, at
    /// most one gets it. A holder renews it well before `ttl` runs out; one that
    /// dies loses it when `ttl` has passed. Each [`NodeLock`] is independent.
    async fn try_lock(
        &self,
        lock: NodeLock,
        node: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> StoreResult<bool>;

    /// Releases `lock` if `node` holds it, so that another node may take it at
    /// once (on a clean shutdown). Returns whether `node` held it; a lock held
    /// by another node is left alone.
    async fn unlock(&self, lock: NodeLock, node: &str) -> StoreResult<bool>;

    /// [`Store::try_lock`] of the scheduler's lock: one node at a time composes editions.
    async fn try_lock_scheduler(
        &self,
        node: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> StoreResult<bool> {
        self.try_lock(NodeLock::Scheduler, node, now, ttl).await
    }

    /// [`Store::unlock`] of the scheduler's lock.
    async fn unlock_scheduler(&self, node: &str) -> StoreResult<bool> {
        self.unlock(NodeLock::Scheduler, node).await
    }

    // ----- Telegram: subscribers and the update offset --------------------

    /// The subscriber of this chat, active or not, if any.
    async fn subscriber(&self, chat_id: i64) -> StoreResult<Option<Subscriber>>;

    /// Stores `subscriber` under its `chat_id`, creating it or replacing every
    /// field of the stored one (`created_at` included: callers pass back what
    /// they read).
    async fn save_subscriber(&self, subscriber: &Subscriber) -> StoreResult<()>;

    /// The active subscribers, by chat id.
    async fn active_subscribers(&self) -> StoreResult<Vec<Subscriber>>;

    /// Makes a subscriber inactive with `reason` (e.g. Telegram's "bot was
    /// blocked by the user"). Returns true when it was active; false when it
    /// was already inactive or does not exist (nothing changes then).
    async fn deactivate_subscriber(
        &self,
        chat_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Records that the delivery times of these subscribers up to `until` are
    /// handled. Never moves `served_until` backwards; unknown chats are ignored.
    async fn set_subscribers_served(&self, chat_ids: &[i64], until: Timestamp) -> StoreResult<()>;

    /// The `getUpdates` offset stored for the bot with this id (the number
    /// before the token's colon), if any.
    async fn telegram_offset(&self, bot_id: i64) -> StoreResult<Option<i64>>;

    /// Stores the bot's `getUpdates` offset. Never moves it backwards, so a
    /// late writer cannot make updates be handled twice.
    async fn set_telegram_offset(&self, bot_id: i64, offset: i64) -> StoreResult<()>;

    // ----- e-mail unsubscriptions -------------------------------------------

    /// Records that `address` (compared without case) wants no more e-mail
    /// from `channel`. Returns true when this is new, false when it was
    /// recorded already (nothing changes then).
    async fn unsubscribe_email(
        &self,
        channel: &str,
        address: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Whether `address` (compared without case) unsubscribed from `channel`.
    async fn email_unsubscribed(&self, channel: &str, address: &str) -> StoreResult<bool>;

    // ----- search ----------------------------------------------------------

    /// Articles whose title or text holds every word of `query` (as
    /// [`search_words`] splits it; case does not matter), newest first (by
    /// effective time, then ID), at most `limit`. No words: nothing.
    async fn search_articles(&self, query: &str, limit: usize) -> StoreResult<Vec<SearchHit>>;
}
