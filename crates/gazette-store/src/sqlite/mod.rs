//! The SQLite backend: [`SqliteStore`].
//!
//! One connection per store, behind a mutex; every operation runs on Tokio's
//! blocking pool (`spawn_blocking`) inside one transaction: `BEGIN IMMEDIATE`
//! for operations that write, so that their reads and writes are serialised
//! against other processes, a deferred one for those that only read, so that
//! they see one snapshot. The file is in WAL mode, so readers in other
//! processes (`gazette feeds list` while the daemon runs) are not blocked by
//! the writer; writers wait up to [`BUSY_TIMEOUT`] for each other.
//!
//! The submodules hold the SQL of each table group; [`codec`] the value
//! encoding, [`migrate`] the schema versions.

mod articles;
mod codec;
mod deliveries;
mod editions;
mod entries;
mod locks;
mod migrate;
mod sources;
mod stories;
mod telegram;

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use gazette_core::store::{BoxError, EditionInsert, StoreResult};
use gazette_core::{
    Article, ArticleId, Delivery, DeliveryId, Edition, EditionId, Entry, FeedEntry, NewArticle,
    NewDelivery, NewEdition, NewSource, NodeLock, SearchHit, Source, SourceId, Store, StoreError,
    Story, StoryId, Subscriber,
};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use url::Url;

use codec::{OpResult, query_all};

/// How long a write waits for another process's write transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes of the database file mapped into memory (address space, not RAM).
const MMAP_BYTES: i64 = 1 << 30;
/// Page cache per connection, in KiB.
const CACHE_KIB: i64 = 64 * 1024;

/// A [`Store`] in an SQLite file.
///
/// Cloning is cheap and shares the connection. Methods must be called from
/// within a Tokio runtime.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating the file and its parent directories if needed) and migrates the database.
    ///
    /// Fails with `Open` when the file cannot be opened or set up (WAL mode
    /// included), `TooNew` when its schema is newer than this build knows,
    /// `Migrate` when a migration fails (the schema then stays at the last
    /// version that applied).
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_error = |source: BoxError| StoreError::Open {
            location: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_error(e.into()))?;
        }
        let mut conn = Connection::open(path).map_err(|e| open_error(e.into()))?;
        configure(&conn).map_err(open_error)?;
        let found = migrate::version(&conn).map_err(|e| open_error(e.into()))?;
        migrate::run(&mut conn, found)?;
        tracing::debug!(path = %path.display(), schema_version = migrate::LATEST, "opened store");
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `PRAGMA integrity_check`; Err(StoreError::Corrupt{..}) with the report when it is not "ok".
    pub async fn integrity_check(&self) -> Result<(), StoreError> {
        let report = self
            .read("integrity_check", |tx| {
                query_all(tx, "PRAGMA integrity_check", [], |row| {
                    row.get::<String>("integrity_check")
                })
            })
            .await?;
        if report == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                what: "database",
                detail: report.join("\n"),
            })
        }
    }

    /// The schema version now in the database.
    pub async fn schema_version(&self) -> Result<u32, StoreError> {
        self.read("schema_version", |tx| Ok(migrate::version(tx)?))
            .await
    }

    /// Runs `f` in a read transaction on the blocking pool.
    async fn read<T, F>(&self, op: &'static str, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> OpResult<T> + Send + 'static,
    {
        self.run(op, TransactionBehavior::Deferred, f).await
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`) on the blocking pool.
    async fn write<T, F>(&self, op: &'static str, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> OpResult<T> + Send + 'static,
    {
        self.run(op, TransactionBehavior::Immediate, f).await
    }

    async fn run<T, F>(
        &self,
        op: &'static str,
        behavior: TransactionBehavior,
        f: F,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> OpResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let task = tokio::task::spawn_blocking(move || -> OpResult<T> {
            // A panic inside `f` rolled its transaction back while unwinding,
            // so the connection behind a poisoned lock is still sound.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            let tx = conn.transaction_with_behavior(behavior)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        });
        match task.await {
            Ok(result) => result.map_err(|e| e.into_store_error(op)),
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Err(cancelled) => Err(StoreError::Query {
                op,
                source: Box::new(cancelled),
            }),
        }
    }
}

/// Sets the connection up: busy timeout, WAL journal, `synchronous=NORMAL`
/// (durable at checkpoints, never corrupt), foreign keys enforced.
fn configure(conn: &Connection) -> Result<(), BoxError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode = switch_to_wal(conn)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("cannot switch to WAL mode (the journal mode stays {mode:?})").into());
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Reading an edition's window touches every member of every story in it:
    // map the file and keep more pages in memory than SQLite's 2 MB default,
    // so a window of 100,000 articles is not read through a syscall per page.
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    Ok(())
}

/// Sets WAL mode. Switching the journal mode needs an exclusive lock, and SQLite
/// answers `SQLITE_BUSY` at once (without its busy handler) when another
/// connection is opening the same new file, so busy answers are retried here
/// up to the busy timeout.
fn switch_to_wal(conn: &Connection) -> Result<String, rusqlite::Error> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn add_source(&self, new: &NewSource, now: Timestamp) -> StoreResult<(Source, bool)> {
        let new = new.clone();
        self.write("add_source", move |tx| sources::add(tx, &new, now))
            .await
    }

    async fn source(&self, id: SourceId) -> StoreResult<Option<Source>> {
        self.read("source", move |tx| sources::by_id(tx, id)).await
    }

    async fn source_by_url(&self, url: &Url) -> StoreResult<Option<Source>> {
        let url = url.clone();
        self.read("source_by_url", move |tx| sources::by_url(tx, &url))
            .await
    }

    async fn sources(&self) -> StoreResult<Vec<Source>> {
        self.read("sources", sources::all).await
    }

    async fn remove_source(&self, id: SourceId) -> StoreResult<bool> {
        self.write("remove_source", move |tx| sources::remove(tx, id))
            .await
    }

    async fn due_sources(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Source>> {
        self.read("due_sources", move |tx| sources::due(tx, now, limit))
            .await
    }

    async fn claim_due_sources(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Source>> {
        let claimed = self
            .write("claim_due_sources", move |tx| {
                sources::claim_due(tx, now, lease, limit)
            })
            .await?;
        tracing::debug!(claimed = claimed.len(), %lease, "claimed due sources");
        Ok(claimed)
    }

    async fn update_source(&self, source: &Source) -> StoreResult<()> {
        let source = source.clone();
        self.write("update_source", move |tx| sources::update(tx, &source))
            .await
    }

    async fn source_model(&self, source: SourceId, kind: &str) -> StoreResult<Option<String>> {
        let kind = kind.to_string();
        self.read("source_model", move |tx| sources::model(tx, source, &kind))
            .await
    }

    async fn set_source_model(
        &self,
        source: SourceId,
        kind: &str,
        model: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (kind, model) = (kind.to_string(), model.to_string());
        self.write("set_source_model", move |tx| {
            sources::set_model(tx, source, &kind, &model, now)
        })
        .await
    }

    async fn insert_entries(
        &self,
        source: SourceId,
        entries: &[FeedEntry],
        now: Timestamp,
    ) -> StoreResult<Vec<Entry>> {
        let entries = entries.to_vec();
        self.write("insert_entries", move |tx| {
            entries::insert(tx, source, &entries, now)
        })
        .await
    }

    async fn recent_entry_times(
        &self,
        source: SourceId,
        limit: usize,
    ) -> StoreResult<Vec<Timestamp>> {
        self.read("recent_entry_times", move |tx| {
            entries::recent_times(tx, source, limit)
        })
        .await
    }

    async fn insert_article(&self, article: &NewArticle) -> StoreResult<(ArticleId, bool)> {
        let article = article.clone();
        self.write("insert_article", move |tx| articles::insert(tx, &article))
            .await
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Option<Article>> {
        self.read("article", move |tx| articles::by_id(tx, id))
            .await
    }

    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        self.read("articles", move |tx| articles::by_ids(tx, &ids))
            .await
    }

    async fn unassigned_articles(&self, limit: usize) -> StoreResult<Vec<Article>> {
        self.read("unassigned_articles", move |tx| {
            articles::unassigned(tx, limit)
        })
        .await
    }

    async fn create_story(&self, article: ArticleId, now: Timestamp) -> StoreResult<StoryId> {
        self.write("create_story", move |tx| stories::create(tx, article, now))
            .await
    }

    async fn add_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write("add_to_story", move |tx| {
            stories::add(tx, story, article, now)
        })
        .await
    }

    async fn add_copy_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        original: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write("add_copy_to_story", move |tx| {
            stories::add_copy(tx, story, article, original, now)
        })
        .await
    }

    async fn merge_stories(&self, into: StoryId, from: StoryId) -> StoreResult<()> {
        self.write("merge_stories", move |tx| stories::merge(tx, into, from))
            .await
    }

    async fn set_story_lead(&self, story: StoryId, article: ArticleId) -> StoreResult<()> {
        self.write("set_story_lead", move |tx| {
            stories::set_lead(tx, story, article)
        })
        .await
    }

    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>> {
        self.read("story", move |tx| stories::by_id(tx, id)).await
    }

    async fn stories_since(&self, since: Timestamp) -> StoreResult<Vec<Story>> {
        self.read("stories_since", move |tx| stories::since(tx, since))
            .await
    }

    async fn insert_edition(&self, edition: &NewEdition) -> StoreResult<EditionInsert> {
        let edition = edition.clone();
        self.write("insert_edition", move |tx| editions::insert(tx, &edition))
            .await
    }

    async fn edition_for_slot(
        &self,
        channel: &str,
        slot: Timestamp,
    ) -> StoreResult<Option<Edition>> {
        let channel = channel.to_owned();
        self.read("edition_for_slot", move |tx| {
            editions::for_slot(tx, &channel, slot)
        })
        .await
    }

    async fn latest_edition(&self, channel: &str) -> StoreResult<Option<Edition>> {
        let channel = channel.to_owned();
        self.read("latest_edition", move |tx| editions::latest(tx, &channel))
            .await
    }

    async fn editions_since(&self, channel: &str, since: Timestamp) -> StoreResult<Vec<Edition>> {
        let channel = channel.to_owned();
        self.read("editions_since", move |tx| {
            editions::since(tx, &channel, since)
        })
        .await
    }

    async fn enqueue_deliveries(&self, rows: &[NewDelivery], now: Timestamp) -> StoreResult<usize> {
        let rows = rows.to_vec();
        self.write("enqueue_deliveries", move |tx| {
            deliveries::enqueue(tx, &rows, now)
        })
        .await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        let claimed = self
            .write("claim_deliveries", move |tx| {
                deliveries::claim(tx, now, lease, limit)
            })
            .await?;
        tracing::debug!(claimed = claimed.len(), %lease, "claimed deliveries");
        Ok(claimed)
    }

    async fn mark_delivery_sent(
        &self,
        id: DeliveryId,
        remote_id: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let remote_id = remote_id.map(str::to_owned);
        self.write("mark_delivery_sent", move |tx| {
            deliveries::mark_sent(tx, id, remote_id.as_deref(), now)
        })
        .await
    }

    async fn mark_delivery_failed(
        &self,
        id: DeliveryId,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        self.write("mark_delivery_failed", move |tx| {
            deliveries::mark_failed(tx, id, &error, retry_at)
        })
        .await
    }

    async fn deliveries_for_edition(&self, edition: EditionId) -> StoreResult<Vec<Delivery>> {
        self.read("deliveries_for_edition", move |tx| {
            deliveries::for_edition(tx, edition)
        })
        .await
    }

    async fn try_lock(
        &self,
        lock: NodeLock,
        node: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> StoreResult<bool> {
        let node = node.to_owned();
        self.write("try_lock", move |tx| {
            locks::try_lock(tx, lock.name(), &node, now, ttl)
        })
        .await
    }

    async fn unlock(&self, lock: NodeLock, node: &str) -> StoreResult<bool> {
        let node = node.to_owned();
        self.write("unlock", move |tx| locks::unlock(tx, lock.name(), &node))
            .await
    }

    async fn subscriber(&self, chat_id: i64) -> StoreResult<Option<Subscriber>> {
        self.read("subscriber", move |tx| telegram::by_chat(tx, chat_id))
            .await
    }

    async fn save_subscriber(&self, subscriber: &Subscriber) -> StoreResult<()> {
        let subscriber = subscriber.clone();
        self.write("save_subscriber", move |tx| telegram::save(tx, &subscriber))
            .await
    }

    async fn active_subscribers(&self) -> StoreResult<Vec<Subscriber>> {
        self.read("active_subscribers", telegram::active).await
    }

    async fn deactivate_subscriber(
        &self,
        chat_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let reason = reason.to_owned();
        self.write("deactivate_subscriber", move |tx| {
            telegram::deactivate(tx, chat_id, &reason, now)
        })
        .await
    }

    async fn set_subscribers_served(&self, chat_ids: &[i64], until: Timestamp) -> StoreResult<()> {
        let chat_ids = chat_ids.to_vec();
        self.write("set_subscribers_served", move |tx| {
            telegram::set_served(tx, &chat_ids, until)
        })
        .await
    }

    async fn telegram_offset(&self, bot_id: i64) -> StoreResult<Option<i64>> {
        self.read("telegram_offset", move |tx| telegram::offset(tx, bot_id))
            .await
    }

    async fn set_telegram_offset(&self, bot_id: i64, offset: i64) -> StoreResult<()> {
        self.write("set_telegram_offset", move |tx| {
            telegram::set_offset(tx, bot_id, offset)
        })
        .await
    }

    async fn unsubscribe_email(
        &self,
        channel: &str,
        address: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (channel, address) = (
            crate::common::text(channel).into_owned(),
            crate::common::text(&address.to_lowercase()).into_owned(),
        );
        self.write("unsubscribe_email", move |tx| {
            let added = tx
                .prepare_cached(
                    "INSERT INTO email_unsubscribes (channel, address, unsubscribed_at) \
                     VALUES (?1, ?2, ?3) ON CONFLICT (channel, address) DO NOTHING",
                )?
                .execute(rusqlite::params![
                    channel,
                    address,
                    crate::common::micros(now)
                ])?;
            Ok(added > 0)
        })
        .await
    }

    async fn email_unsubscribed(&self, channel: &str, address: &str) -> StoreResult<bool> {
        let (channel, address) = (
            crate::common::text(channel).into_owned(),
            crate::common::text(&address.to_lowercase()).into_owned(),
        );
        self.read("email_unsubscribed", move |tx| {
            let found: Option<i64> = codec::query_opt(
                tx,
                "SELECT 1 AS found FROM email_unsubscribes WHERE channel = ?1 AND address = ?2",
                rusqlite::params![channel, address],
                |row| row.get("found"),
            )?;
            Ok(found.is_some())
        })
        .await
    }

    async fn search_articles(&self, query: &str, limit: usize) -> StoreResult<Vec<SearchHit>> {
        let words: Vec<String> = gazette_core::search_words(&crate::common::text(query));
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        self.read("search_articles", move |tx| {
            articles::search(tx, &words, limit)
        })
        .await
    }
}
