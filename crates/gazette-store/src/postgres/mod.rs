//! The PostgreSQL backend: [`PgStore`].
//!
//! A pool of connections (`deadpool-postgres` over `tokio-postgres`, without
//! TLS); every operation takes a connection and runs inside one transaction:
//! read committed for operations that write, where each statement sees what
//! committed before it (so an `INSERT … ON CONFLICT DO NOTHING` that ran into
//! another node's row can read it back), and repeatable read, read only, for
//! those that only read, so that they see one snapshot, as on SQLite. An
//! operation that PostgreSQL aborts as a deadlock or serialisation failure is
//! retried a few times ([`MAX_ATTEMPTS`]; nothing of it was committed), and so
//! is a read whose connection was lost.
//!
//! Work shared between nodes is claimed with `FOR UPDATE SKIP LOCKED` (fetch
//! claims in [`sources`], the outbox in [`deliveries`]); the scheduler's lock
//! is a lease row ([`locks`]); migrations are serialised by an advisory lock
//! ([`migrate`]). The submodules hold the SQL of each table group, [`codec`]
//! the value encoding.

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

use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use gazette_core::store::{BoxError, EditionInsert, StoreResult};
use gazette_core::{
    Article, ArticleId, Delivery, DeliveryId, Edition, EditionId, Entry, FeedEntry, NewArticle,
    NewDelivery, NewEdition, NewSource, NodeLock, SearchHit, Source, SourceId, Store, StoreError,
    Story, StoryId, Subscriber,
};
use jiff::{SignedDuration, Timestamp};
use tokio_postgres::IsolationLevel;
use tokio_postgres::config::Host;
use url::Url;

use codec::{OpError, OpResult, Tx};

/// How often an operation is tried when PostgreSQL aborts it as a deadlock
/// or a serialisation failure.
const MAX_ATTEMPTS: u32 = 3;

/// How a [`PgStore`] connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// The most connections the store keeps open at once.
    pub max_connections: usize,
    /// How long to wait for a connection to the server, when the URL does not
    /// say (`connect_timeout=` in seconds).
    pub connect_timeout: Duration,
    /// How long an operation waits for a free connection of the pool.
    pub wait_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            max_connections: 8,
            connect_timeout: Duration::from_secs(10),
            wait_timeout: Duration::from_secs(30),
        }
    }
}

/// A [`Store`] in a PostgreSQL database.
///
/// Cloning is cheap and shares the pool. Methods must be called from within
/// a Tokio runtime. Several stores, in one process or on several machines, may
/// use one database at once.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    location: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Which kind of transaction an operation runs in.
#[derive(Debug, Clone, Copy)]
enum Access {
    Read,
    Write,
}

/// Runs `$body` (an expression using the transaction `$tx` and giving a
/// future of an [`OpResult`]) in a transaction of kind `$access`, commits,
/// and names errors after operation `$op`. A macro rather than a function
/// taking a closure, because the closure would return a future borrowing
/// both the transaction and the caller's arguments.
macro_rules! transaction {
    ($store:expr, $access:ident $op:literal, |$tx:ident| $body:expr) => {{
        let op: &'static str = $op;
        let mut attempt = 1;
        loop {
            let mut client = $store.client(op).await?;
            let $tx = match begin(&mut client, Access::$access).await {
                Ok(tx) => tx,
                // Nothing was done yet: any operation may try again.
                Err(error) if attempt < MAX_ATTEMPTS && connection_lost(&error) => {
                    tracing::debug!(op, attempt, "connection lost; retrying");
                    attempt += 1;
                    continue;
                }
                Err(error) => break Err(OpError::from(error).into_store_error(op)),
            };
            let result: OpResult<_> = async {
                let value = $body.await?;
                $tx.commit().await?;
                Ok(value)
            }
            .await;
            match result {
                Err(error) if attempt < MAX_ATTEMPTS && is_transient(&error, Access::$access) => {
                    tracing::debug!(op, attempt, "transaction aborted by a conflict; retrying");
                    attempt += 1;
                }
                other => break other.map_err(|error| error.into_store_error(op)),
            }
        }
    }};
}

impl PgStore {
    /// Connects with [`PgOptions::default`]; see [`PgStore::connect_with`].
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, &PgOptions::default()).await
    }

    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/db`,
    /// or libpq's `key=value` form) and migrates it.
    ///
    /// Fails with `Open` when the URL is invalid or the server cannot be reached
    /// or refuses the connection (the database must exist), `TooNew` when its
    /// schema is newer than this build knows, `Migrate` when a migration fails
    /// (the schema then stays at the last version that applied). The error's
    /// location is the URL without its password.
    pub async fn connect_with(url: &str, options: &PgOptions) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Open {
            location: "the PostgreSQL URL given as store (not shown: it may hold a password)"
                .into(),
            source: Box::new(e),
        })?;
        let location = describe(&config);
        let open_error = |source: BoxError| StoreError::Open {
            location: location.clone(),
            source,
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("gazette");
        }
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.wait_timeout))
            .build()
            .map_err(|e| open_error(e.into()))?;
        let mut client = pool.get().await.map_err(|e| open_error(pool_error(e)))?;
        let found = migrate::version(&**client)
            .await
            .map_err(|e| open_error(e.into()))?;
        migrate::run(&mut client, found).await?;
        drop(client);
        tracing::debug!(%location, schema_version = migrate::LATEST, "opened store");
        Ok(PgStore { pool, location })
    }

    /// Where the store is: the server and database, without the password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The schema version now in the database.
    pub async fn schema_version(&self) -> Result<u32, StoreError> {
        let op = "schema_version";
        let client = self.client(op).await?;
        migrate::version(&**client)
            .await
            .map_err(|e| OpError::from(e).into_store_error(op))
    }

    /// A connection of the pool.
    async fn client(&self, op: &'static str) -> StoreResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| StoreError::Query {
            op,
            source: pool_error(e),
        })
    }
}

/// The error of a pool that could not hand out a connection: the server's own
/// when it refused one (the pool's error would say it twice, in its message
/// and as its source).
fn pool_error(error: deadpool_postgres::PoolError) -> BoxError {
    match error {
        deadpool_postgres::PoolError::Backend(e) => Box::new(e),
        other => Box::new(other),
    }
}

/// `postgres://user@host:port/db` for messages: what the store is, never the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config.get_ports().get(i).or(config.get_ports().first());
            let name = match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            match port {
                Some(port) => format!("{name}:{port}"),
                None => name,
            }
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

/// Starts the transaction of an operation.
async fn begin(
    client: &mut deadpool_postgres::Object,
    access: Access,
) -> Result<Tx<'_>, tokio_postgres::Error> {
    match access {
        Access::Write => client.transaction().await,
        Access::Read => {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
        }
    }
}

/// Whether trying the operation again may succeed: PostgreSQL aborted the
/// transaction for a conflict with another one (SQLSTATE 40001
/// serialization_failure, 40P01 deadlock_detected), or a read lost its
/// connection ([`connection_lost`]; the pool then opens a new one). A write
/// that lost its connection after it began is not retried: it may have
/// committed. (Losing it at `BEGIN` is retried for every operation.)
fn is_transient(error: &OpError, access: Access) -> bool {
    use tokio_postgres::error::SqlState;
    let OpError::Query(source) = error else {
        return false;
    };
    let Some(error) = source.downcast_ref::<tokio_postgres::Error>() else {
        return false;
    };
    let conflict = error.code().is_some_and(|code| {
        *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
    });
    conflict || (matches!(access, Access::Read) && connection_lost(error))
}

/// Whether the connection is gone: the server restarted or ended the session
/// (SQLSTATE class 57P), or the socket closed.
fn connection_lost(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    error.is_closed()
        || error.code().is_some_and(|code| {
            *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
        })
}

#[async_trait]
impl Store for PgStore {
    async fn add_source(&self, new: &NewSource, now: Timestamp) -> StoreResult<(Source, bool)> {
        transaction!(self, Write "add_source", |tx| sources::add(&tx, new, now))
    }

    async fn source(&self, id: SourceId) -> StoreResult<Option<Source>> {
        transaction!(self, Read "source", |tx| sources::by_id(&tx, id))
    }

    async fn source_by_url(&self, url: &Url) -> StoreResult<Option<Source>> {
        transaction!(self, Read "source_by_url", |tx| sources::by_url(&tx, url))
    }

    async fn sources(&self) -> StoreResult<Vec<Source>> {
        transaction!(self, Read "sources", |tx| sources::all(&tx))
    }

    async fn remove_source(&self, id: SourceId) -> StoreResult<bool> {
        transaction!(self, Write "remove_source", |tx| sources::remove(&tx, id))
    }

    async fn due_sources(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Source>> {
        transaction!(self, Read "due_sources", |tx| sources::due(&tx, now, limit))
    }

    async fn claim_due_sources(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Source>> {
        let claimed = transaction!(self, Write "claim_due_sources", |tx| {
            sources::claim_due(&tx, now, lease, limit)
        })?;
        tracing::debug!(claimed = claimed.len(), %lease, "claimed due sources");
        Ok(claimed)
    }

    async fn update_source(&self, source: &Source) -> StoreResult<()> {
        transaction!(self, Write "update_source", |tx| sources::update(&tx, source))
    }

    async fn source_model(&self, source: SourceId, kind: &str) -> StoreResult<Option<String>> {
        transaction!(self, Read "source_model", |tx| sources::model(&tx, source, kind))
    }

    async fn set_source_model(
        &self,
        source: SourceId,
        kind: &str,
        model: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, Write "set_source_model", |tx| {
            sources::set_model(&tx, source, kind, model, now)
        })
    }

    async fn insert_entries(
        &self,
        source: SourceId,
        entries: &[FeedEntry],
        now: Timestamp,
    ) -> StoreResult<Vec<Entry>> {
        transaction!(self, Write "insert_entries", |tx| {
            entries::insert(&tx, source, entries, now)
        })
    }

    async fn recent_entry_times(
        &self,
        source: SourceId,
        limit: usize,
    ) -> StoreResult<Vec<Timestamp>> {
        transaction!(self, Read "recent_entry_times", |tx| {
            entries::recent_times(&tx, source, limit)
        })
    }

    async fn insert_article(&self, article: &NewArticle) -> StoreResult<(ArticleId, bool)> {
        transaction!(self, Write "insert_article", |tx| articles::insert(&tx, article))
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Option<Article>> {
        transaction!(self, Read "article", |tx| articles::by_id(&tx, id))
    }

    async fn articles(&self, ids: &[ArticleId]) -> StoreResult<Vec<Article>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        transaction!(self, Read "articles", |tx| articles::by_ids(&tx, &ids))
    }

    async fn unassigned_articles(&self, limit: usize) -> StoreResult<Vec<Article>> {
        transaction!(self, Read "unassigned_articles", |tx| articles::unassigned(&tx, limit))
    }

    async fn create_story(&self, article: ArticleId, now: Timestamp) -> StoreResult<StoryId> {
        transaction!(self, Write "create_story", |tx| stories::create(&tx, article, now))
    }

    async fn add_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, Write "add_to_story", |tx| stories::add(&tx, story, article, now))
    }

    async fn add_copy_to_story(
        &self,
        story: StoryId,
        article: ArticleId,
        original: ArticleId,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, Write "add_copy_to_story", |tx| {
            stories::add_copy(&tx, story, article, original, now)
        })
    }

    async fn merge_stories(&self, into: StoryId, from: StoryId) -> StoreResult<()> {
        transaction!(self, Write "merge_stories", |tx| stories::merge(&tx, into, from))
    }

    async fn set_story_lead(&self, story: StoryId, article: ArticleId) -> StoreResult<()> {
        transaction!(self, Write "set_story_lead", |tx| stories::set_lead(&tx, story, article))
    }

    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>> {
        transaction!(self, Read "story", |tx| stories::by_id(&tx, id))
    }

    async fn stories_since(&self, since: Timestamp) -> StoreResult<Vec<Story>> {
        transaction!(self, Read "stories_since", |tx| stories::since(&tx, since))
    }

    async fn insert_edition(&self, edition: &NewEdition) -> StoreResult<EditionInsert> {
        transaction!(self, Write "insert_edition", |tx| editions::insert(&tx, edition))
    }

    async fn edition_for_slot(
        &self,
        channel: &str,
        slot: Timestamp,
    ) -> StoreResult<Option<Edition>> {
        transaction!(self, Read "edition_for_slot", |tx| editions::for_slot(&tx, channel, slot))
    }

    async fn latest_edition(&self, channel: &str) -> StoreResult<Option<Edition>> {
        transaction!(self, Read "latest_edition", |tx| editions::latest(&tx, channel))
    }

    async fn editions_since(&self, channel: &str, since: Timestamp) -> StoreResult<Vec<Edition>> {
        transaction!(self, Read "editions_since", |tx| editions::since(&tx, channel, since))
    }

    async fn enqueue_deliveries(&self, rows: &[NewDelivery], now: Timestamp) -> StoreResult<usize> {
        transaction!(self, Write "enqueue_deliveries", |tx| deliveries::enqueue(&tx, rows, now))
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease: SignedDuration,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        let claimed = transaction!(self, Write "claim_deliveries", |tx| {
            deliveries::claim(&tx, now, lease, limit)
        })?;
        tracing::debug!(claimed = claimed.len(), %lease, "claimed deliveries");
        Ok(claimed)
    }

    async fn mark_delivery_sent(
        &self,
        id: DeliveryId,
        remote_id: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        transaction!(self, Write "mark_delivery_sent", |tx| {
            deliveries::mark_sent(&tx, id, remote_id, now)
        })
    }

    async fn mark_delivery_failed(
        &self,
        id: DeliveryId,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()> {
        transaction!(self, Write "mark_delivery_failed", |tx| {
            deliveries::mark_failed(&tx, id, error, retry_at)
        })
    }

    async fn deliveries_for_edition(&self, edition: EditionId) -> StoreResult<Vec<Delivery>> {
        transaction!(self, Read "deliveries_for_edition", |tx| {
            deliveries::for_edition(&tx, edition)
        })
    }

    async fn try_lock(
        &self,
        lock: NodeLock,
        node: &str,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> StoreResult<bool> {
        transaction!(self, Write "try_lock", |tx| {
            locks::try_lock(&tx, lock.name(), node, now, ttl)
        })
    }

    async fn unlock(&self, lock: NodeLock, node: &str) -> StoreResult<bool> {
        transaction!(self, Write "unlock", |tx| {
            locks::unlock(&tx, lock.name(), node)
        })
    }

    async fn subscriber(&self, chat_id: i64) -> StoreResult<Option<Subscriber>> {
        transaction!(self, Read "subscriber", |tx| telegram::by_chat(&tx, chat_id))
    }

    async fn save_subscriber(&self, subscriber: &Subscriber) -> StoreResult<()> {
        transaction!(self, Write "save_subscriber", |tx| telegram::save(&tx, subscriber))
    }

    async fn active_subscribers(&self) -> StoreResult<Vec<Subscriber>> {
        transaction!(self, Read "active_subscribers", |tx| telegram::active(&tx))
    }

    async fn deactivate_subscriber(
        &self,
        chat_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        transaction!(self, Write "deactivate_subscriber", |tx| {
            telegram::deactivate(&tx, chat_id, reason, now)
        })
    }

    async fn set_subscribers_served(&self, chat_ids: &[i64], until: Timestamp) -> StoreResult<()> {
        transaction!(self, Write "set_subscribers_served", |tx| {
            telegram::set_served(&tx, chat_ids, until)
        })
    }

    async fn telegram_offset(&self, bot_id: i64) -> StoreResult<Option<i64>> {
        transaction!(self, Read "telegram_offset", |tx| telegram::offset(&tx, bot_id))
    }

    async fn set_telegram_offset(&self, bot_id: i64, offset: i64) -> StoreResult<()> {
        transaction!(self, Write "set_telegram_offset", |tx| {
            telegram::set_offset(&tx, bot_id, offset)
        })
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
        transaction!(self, Write "unsubscribe_email", |tx| async {
            let added = codec::execute(
                &tx,
                "INSERT INTO email_unsubscribes (channel, address, unsubscribed_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (channel, address) DO NOTHING",
                &[&channel, &address, &crate::common::micros(now)],
            )
            .await?;
            Ok::<_, OpError>(added > 0)
        })
    }

    async fn email_unsubscribed(&self, channel: &str, address: &str) -> StoreResult<bool> {
        let (channel, address) = (
            crate::common::text(channel).into_owned(),
            crate::common::text(&address.to_lowercase()).into_owned(),
        );
        transaction!(self, Read "email_unsubscribed", |tx| async {
            let found: Option<i32> = codec::query_opt(
                &tx,
                "SELECT 1 AS found FROM email_unsubscribes WHERE channel = $1 AND address = $2",
                &[&channel, &address],
                |row| row.get("found"),
            )
            .await?;
            Ok::<_, OpError>(found.is_some())
        })
    }

    async fn search_articles(&self, query: &str, limit: usize) -> StoreResult<Vec<SearchHit>> {
        let words: Vec<String> = gazette_core::search_words(&crate::common::text(query));
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        transaction!(self, Read "search_articles", |tx| articles::search(&tx, &words, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_locations_never_show_the_password() {
        let config: tokio_postgres::Config = "postgres://gazette:s3cret@db.example:6543/news"
            .parse()
            .unwrap();
        assert_eq!(describe(&config), "postgres://gazette@db.example:6543/news");
        let config: tokio_postgres::Config =
            "host=127.0.0.1 user=postgres password=s3cret dbname=test"
                .parse()
                .unwrap();
        assert_eq!(describe(&config), "postgres://postgres@127.0.0.1/test");
    }

    #[tokio::test]
    async fn an_invalid_url_fails_to_open_without_echoing_it() {
        match PgStore::connect("postgres://user:s3cret@host:notaport/db").await {
            Err(StoreError::Open { location, .. }) => assert!(!location.contains("s3cret")),
            other => panic!("expected Open, got {other:?}"),
        }
    }
}
