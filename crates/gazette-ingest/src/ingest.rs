//! Ingest passes: polling the due sources, storing their new entries and
//! turning each into an article ([`Ingester::run_once`]), and adding a feed
//! from a URL that may be a web page ([`Ingester::add_feed`]).
//!
//! For each due source, [`Ingester::run_once`]:
//!
//! 1. fetches the feed with the stored validators (conditional GET);
//! 2. parses it (at most `fetch.max_entries` entries, the newest) and stores
//!    the entries not seen before;
//! 3. makes an article of each new entry that has a link: from the entry when
//!    its content has at least `fetch.min_content_chars` characters of text;
//!    otherwise (when `fetch.fetch_pages`) from the article page, extracted
//!    with [`gazette_extract::extract`], fields missing from the page filled
//!    from the entry; if the page cannot be fetched or extracted, from the
//!    entry's own text or summary, so nothing is lost;
//! 4. updates the source: title and site when unknown, the URL after a
//!    permanent redirect (unless another source has that URL), the polling
//!    state ([`crate::policy`]) and the last error.
//!
//! Due sources are claimed in batches, so several pollers on one store share
//! them without polling a feed twice, and polled concurrently, up to
//! `fetch.concurrency`; the shared
//! [`Fetcher`] keeps to the per-host limit. A failing feed is recorded and the
//! pass goes on; a store error ends the pass.
//!
//! ```no_run
//! # async fn demo(store: std::sync::Arc<dyn gazette_core::Store>, config: gazette_core::config::Config) -> Result<(), Box<dyn std::error::Error>> {
//! use gazette_ingest::fetch::Fetcher;
//! use gazette_ingest::ingest::{Ingester, NoProgress};
//! let fetcher = Fetcher::new(&config.fetch)?;
//! let ingester = Ingester::new(store, fetcher, config.fetch.clone(), config.poll.clone());
//! let report = ingester.run_once(jiff::Timestamp::now(), &NoProgress).await?;
//! println!("{} new articles", report.new_articles);
//! # Ok(()) }
//! ```

use gazette_extract::boilerplate::BoilerplateModel;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, stream};
use gazette_core::config::{FetchConfig, PollConfig};
use gazette_core::{
    ArticleContent, Entry, FeedEntry, NewArticle, NewSource, Page, ParsedFeed, Source,
    SourceStatus, Store, StoreError,
};
use jiff::{SignedDuration, Timestamp};
use tracing::Instrument;
use url::Url;

use crate::discover::discover_feeds;
use crate::feed::{FeedError, parse_feed_limited};
use crate::fetch::{Accept, Conditional, FetchError, FetchOutcome, Fetcher};
use crate::policy::{self, Failure, Fetched};
use crate::text::html_to_text;

/// Sources polled in one pass at most; the rest are due in the next.
const DUE_PER_PASS: usize = 10_000;

/// Entry times used to adapt the polling interval.
const RECENT_ENTRIES: usize = 20;

/// Receives the progress of a pass (a progress bar, a log, nothing).
pub trait Progress: Send + Sync {
    /// A pass of `total` steps starts; `label` says what it does.
    fn start(&self, total: u64, label: &str);
    /// One step is done; `message` says how it went.
    fn advance(&self, message: &str);
    /// The pass is over (also after an error).
    fn finish(&self);
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64, _label: &str) {}
    fn advance(&self, _message: &str) {}
    fn finish(&self) {}
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Sources polled (whatever the outcome).
    pub polled: usize,
    /// Polls answered 304.
    pub not_modified: usize,
    /// Polls that failed (fetch or parse).
    pub failed: usize,
    /// Sources disabled by this pass after repeated failures.
    pub disabled: usize,
    /// Entries stored for the first time.
    pub new_entries: usize,
    /// Articles stored for the first time.
    pub new_articles: usize,
    /// Article pages fetched.
    pub pages_fetched: usize,
    /// The failed feeds and why, in the order they finished.
    pub errors: Vec<FeedFailure>,
}

/// A feed that failed in a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFailure {
    pub url: Url,
    pub message: String,
}

/// The result of [`Ingester::add_feed`].
#[derive(Debug, Clone, PartialEq)]
pub struct AddOutcome {
    /// The stored source.
    pub source: Source,
    /// False when a source with that URL existed (it is re-enabled if it was disabled).
    pub created: bool,
    /// The web page the feed was discovered on, when the URL given was a page.
    pub discovered_on: Option<Url>,
}

/// Why a feed could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The URL (or the feed a page advertises) could not be fetched.
    #[error("cannot fetch the feed")]
    Fetch(#[from] FetchError),
    /// The document fetched is not a readable feed.
    #[error("{url}{}", discovered_note(.discovered_on))]
    InvalidFeed {
        url: Url,
        /// The page that advertised `url`, when it was discovered.
        discovered_on: Option<Url>,
        #[source]
        source: FeedError,
    },
    /// An HTML page advertising no feed.
    #[error(
        "{url} is a web page that advertises no feed (no <link rel=\"alternate\"> of an RSS, \
         Atom or JSON Feed type); give the URL of the feed itself"
    )]
    NoFeedFound { url: Url },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn discovered_note(page: &Option<Url>) -> String {
    page.as_ref()
        .map(|p| format!(" (advertised by {p})"))
        .unwrap_or_default()
}

/// Runs ingest passes against a store (see the [module docs](self)).
pub struct Ingester {
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    fetch: FetchConfig,
    poll: PollConfig,
    rng: Mutex<fastrand::Rng>,
}

/// Why a poll failed, as the policy needs it.
struct FailedPoll {
    message: String,
    retry_after: Option<SignedDuration>,
}

/// What polling one source did.
struct SourcePoll {
    url: Url,
    not_modified: bool,
    error: Option<String>,
    disabled: bool,
    new_entries: usize,
    new_articles: usize,
    pages_fetched: usize,
}

impl Ingester {
    /// An ingester over `store`. `fetcher` should be built from the same
    /// `fetch` configuration, whose `concurrency`, `fetch_pages` and
    /// `min_content_chars` the ingester uses itself.
    pub fn new(
        store: Arc<dyn Store>,
        fetcher: Fetcher,
        fetch: FetchConfig,
        poll: PollConfig,
    ) -> Self {
        Ingester {
            store,
            fetcher,
            fetch,
            poll,
            rng: Mutex::new(fastrand::Rng::new()),
        }
    }

    /// Polls every source due at `now` once. Fails only when the store does.
    ///
    /// Sources are claimed in batches of twice `fetch.concurrency`
    /// ([`Store::claim_due_sources`]), so that pollers sharing the store
    /// (several nodes, or `gazette ingest` beside the daemon) share the work
    /// and never poll one feed at once; the pass ends when nothing due is left
    /// to claim.
    pub async fn run_once(
        &self,
        now: Timestamp,
        progress: &dyn Progress,
    ) -> Result<IngestReport, StoreError> {
        // For the progress display only: other pollers may take some of these.
        let due = self.store.due_sources(now, DUE_PER_PASS).await?.len();
        tracing::info!(due, "ingest pass");
        progress.start(due as u64, "polling feeds");
        let result = self.poll_due(now, progress).await;
        progress.finish();
        let report = result?;
        tracing::info!(
            polled = report.polled,
            not_modified = report.not_modified,
            failed = report.failed,
            disabled = report.disabled,
            new_entries = report.new_entries,
            new_articles = report.new_articles,
            pages_fetched = report.pages_fetched,
            "ingest pass done"
        );
        Ok(report)
    }

    /// Claims due sources batch after batch and polls them.
    async fn poll_due(
        &self,
        now: Timestamp,
        progress: &dyn Progress,
    ) -> Result<IngestReport, StoreError> {
        let batch = self.fetch.concurrency.saturating_mul(2).max(1);
        let mut report = IngestReport::default();
        let mut seen = HashSet::new();
        while report.polled < DUE_PER_PASS {
            let claimed = self
                .store
                .claim_due_sources(now, self.poll.claim_lease, batch)
                .await?;
            let (fresh, again): (Vec<Source>, Vec<Source>) =
                claimed.into_iter().partition(|s| seen.insert(s.id));
            // Polled already in this pass and due again at `now` (a server
            // asked to retry at once): it waits for the next pass, its claim
            // ended unchanged.
            for source in &again {
                match self.store.update_source(source).await {
                    Ok(()) | Err(StoreError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            if fresh.is_empty() {
                break;
            }
            self.poll_all(fresh, now, progress, &mut report).await?;
        }
        Ok(report)
    }

    async fn poll_all(
        &self,
        due: Vec<Source>,
        now: Timestamp,
        progress: &dyn Progress,
        report: &mut IngestReport,
    ) -> Result<(), StoreError> {
        let mut polls = stream::iter(due)
            .map(|source| {
                let span = tracing::info_span!("poll", source = source.id.0, url = %source.url);
                self.poll_source(source, now).instrument(span)
            })
            .buffer_unordered(self.fetch.concurrency);
        while let Some(poll) = polls.next().await {
            let poll = poll?;
            progress.advance(&poll.summary());
            report.polled += 1;
            report.not_modified += usize::from(poll.not_modified);
            report.disabled += usize::from(poll.disabled);
            report.new_entries += poll.new_entries;
            report.new_articles += poll.new_articles;
            report.pages_fetched += poll.pages_fetched;
            if let Some(message) = poll.error {
                report.failed += 1;
                report.errors.push(FeedFailure {
                    url: poll.url,
                    message,
                });
            }
        }
        Ok(())
    }

    /// Polls one source and records the outcome on it.
    async fn poll_source(
        &self,
        mut source: Source,
        now: Timestamp,
    ) -> Result<SourcePoll, StoreError> {
        let mut poll = SourcePoll::new(&source.url);
        match self.fetch_and_store(&mut source, now, &mut poll).await? {
            Ok((fetched, moved)) => {
                if let Some(new_url) = moved {
                    self.follow_move(&mut source, new_url).await?;
                }
                let times = self
                    .store
                    .recent_entry_times(source.id, RECENT_ENTRIES)
                    .await?;
                source.poll = policy::after_success(&source.poll, fetched, &times, &self.poll, now);
            }
            Err(failed) => {
                let failure = Failure {
                    message: &failed.message,
                    retry_after: failed.retry_after,
                };
                let mut rng = self.rng.lock().unwrap_or_else(|poison| poison.into_inner());
                source.poll =
                    policy::after_failure(&source.poll, &failure, &self.poll, now, &mut rng);
                drop(rng);
                poll.disabled = source.poll.status == SourceStatus::Disabled;
                tracing::warn!(
                    error = %failed.message,
                    failures = source.poll.consecutive_failures,
                    disabled = poll.disabled,
                    "feed failed"
                );
                poll.error = Some(failed.message);
            }
        }
        match self.store.update_source(&source).await {
            Err(StoreError::NotFound { .. }) => {
                tracing::info!("source removed during the pass; its poll is not recorded");
                Ok(poll)
            }
            other => other.map(|()| poll),
        }
    }

    /// Fetches a source's feed and stores what is new. The inner result is
    /// what the policy needs: how the feed was fetched and where it moved for
    /// good, or why the poll failed.
    async fn fetch_and_store(
        &self,
        source: &mut Source,
        now: Timestamp,
        poll: &mut SourcePoll,
    ) -> Result<Result<(Fetched, Option<Url>), FailedPoll>, StoreError> {
        let conditional = Conditional::from_poll(&source.poll);
        let (page, moved) = match self
            .fetcher
            .fetch(&source.url, &conditional, Accept::Feed)
            .await
        {
            Ok(FetchOutcome::Fetched {
                page,
                permanent_redirect,
            }) => (page, permanent_redirect),
            Ok(FetchOutcome::NotModified { permanent_redirect }) => {
                poll.not_modified = true;
                return Ok(Ok((Fetched::NotModified, permanent_redirect)));
            }
            Err(e) => {
                return Ok(Err(FailedPoll {
                    message: e.to_string(),
                    retry_after: e.retry_after(),
                }));
            }
        };
        let feed = match parse_feed_limited(
            &page.body,
            Some(&page.final_url),
            page.charset(),
            self.fetch.max_entries,
        ) {
            Ok(feed) => {
                if let Some(error) = &feed.recovered {
                    tracing::warn!(
                        feed = %source.url,
                        %error,
                        entries = feed.entries.len(),
                        "feed is not well-formed XML; read what could be recovered"
                    );
                }
                feed
            }
            Err(e) => {
                return Ok(Err(FailedPoll {
                    message: e.to_string(),
                    retry_after: None,
                }));
            }
        };
        self.store_feed(source, &feed, now, poll).await?;
        let fetched = Fetched::Modified {
            etag: page.etag,
            last_modified: page.last_modified,
        };
        Ok(Ok((fetched, moved)))
    }

    /// Stores a feed's new entries and their articles; learns the source's
    /// title and site when unknown.
    async fn store_feed(
        &self,
        source: &mut Source,
        feed: &ParsedFeed,
        now: Timestamp,
        poll: &mut SourcePoll,
    ) -> Result<(), StoreError> {
        source.title = source.title.take().or_else(|| feed.title.clone());
        source.site_url = source.site_url.take().or_else(|| feed.link.clone());
        let entries = self
            .store
            .insert_entries(source.id, &feed.entries, now)
            .await?;
        poll.new_entries = entries.len();
        let source: &Source = source;
        // Entries are moved into the futures: borrowing them would make the
        // pass future not `Send` (a higher-ranked lifetime limitation).
        let mut articles = stream::iter(entries)
            .map(|entry| self.build_article(source, entry, now))
            .buffer_unordered(self.fetch.per_host);
        // What this source repeats on its pages (promo footers, "Lire aussi",
        // credits): removed with what earlier pages taught, then learnt from this one.
        let mut boilerplate = match self.store.source_model(source.id, BOILERPLATE).await {
            Ok(Some(json)) => BoilerplateModel::from_json(&json).unwrap_or_default(),
            Ok(None) => BoilerplateModel::default(),
            Err(e) => {
                tracing::warn!(error = %e, "boilerplate model not read; starting afresh");
                BoilerplateModel::default()
            }
        };
        let mut learnt = false;
        while let Some(built) = articles.next().await {
            let Some((mut article, page_fetched)) = built else {
                continue;
            };
            if page_fetched && !article.content.text.is_empty() {
                boilerplate.learn(&article.content.text);
                learnt = true;
                let removed = boilerplate.strip(&mut article.content.text);
                if removed > 0 {
                    tracing::debug!(url = %article.url, removed, "boilerplate paragraphs removed");
                }
            }
            poll.pages_fetched += usize::from(page_fetched);
            let (id, created) = self.store.insert_article(&article).await?;
            poll.new_articles += usize::from(created);
            tracing::debug!(article = id.0, url = %article.url, created, "article stored");
        }
        drop(articles);
        if learnt {
            self.store
                .set_source_model(source.id, BOILERPLATE, &boilerplate.to_json(), now)
                .await?;
        }
        tracing::info!(
            new_entries = poll.new_entries,
            new_articles = poll.new_articles,
            "feed ingested"
        );
        Ok(())
    }

    /// The article of a new entry and whether its page was fetched; `None`
    /// for an entry without a link.
    async fn build_article(
        &self,
        source: &Source,
        entry: Entry,
        now: Timestamp,
    ) -> Option<(NewArticle, bool)> {
        let item = &entry.item;
        let Some(link) = item.link.clone() else {
            tracing::debug!(entry = %item.id, "entry without a link: no article");
            return None;
        };
        let content_text = item
            .content_html
            .as_deref()
            .map(html_to_text)
            .unwrap_or_default();
        let full_in_feed = content_text.chars().count() >= self.fetch.min_content_chars;
        let (content, page_fetched) = if full_in_feed || !self.fetch.fetch_pages {
            (content_from_entry(item, content_text), false)
        } else {
            self.content_from_page(item, &link, content_text).await
        };
        let url = content
            .canonical_url
            .clone()
            .or_else(|| content.url.clone())
            .unwrap_or_else(|| link.clone());
        let title = content
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| link.to_string());
        let article = NewArticle {
            source_id: source.id,
            entry_id: Some(entry.id),
            url,
            outlet: source.outlet(),
            title,
            discovered_at: now,
            content,
        };
        Some((article, page_fetched))
    }

    /// The article as extracted from its page, completed from the entry; the
    /// entry's own text when the page cannot be had. The flag says whether the
    /// page was fetched.
    async fn content_from_page(
        &self,
        item: &FeedEntry,
        link: &Url,
        content_text: String,
    ) -> (ArticleContent, bool) {
        let from_entry = content_from_entry(item, content_text);
        let fetched = self
            .fetcher
            .fetch(link, &Conditional::default(), Accept::Html)
            .await;
        let page = match fetched {
            Ok(FetchOutcome::Fetched { page, .. }) => page,
            Ok(FetchOutcome::NotModified { .. }) => {
                tracing::warn!(url = %link, "article page answered 304 to a plain GET; keeping the feed's text");
                return (from_entry, false);
            }
            Err(e) => {
                tracing::warn!(url = %link, error = %e, "article page not fetched; keeping the feed's text");
                return (from_entry, false);
            }
        };
        let final_url = page.final_url.clone();
        match extract_off_thread(page).await {
            Ok(extracted) => (complete_from_entry(extracted, from_entry, &final_url), true),
            Err(reason) => {
                tracing::warn!(url = %final_url, error = %reason, "no article extracted from the page; keeping the feed's text");
                let content = ArticleContent {
                    url: Some(final_url),
                    ..from_entry
                };
                (content, true)
            }
        }
    }

    /// `gazette feeds add URL`: fetches the URL; a feed is added; an HTML page
    /// goes through discovery and the first feed it advertises is added. The
    /// stored URL is the one given, or the new one after permanent redirects.
    pub async fn add_feed(&self, url: &Url, now: Timestamp) -> Result<AddOutcome, AddError> {
        let (page, moved) = self.fetch_document(url).await?;
        let given = moved.unwrap_or_else(|| url.clone());
        match parse_feed_limited(
            &page.body,
            Some(&page.final_url),
            page.charset(),
            self.fetch.max_entries,
        ) {
            Ok(feed) => self.add_parsed(given, &feed, None, now).await,
            Err(FeedError::HtmlPage) => {
                let html = gazette_extract::charset::decode_html(
                    &page.body,
                    page.charset(),
                    Some(&page.final_url),
                )
                .text;
                let Some(found) = discover_feeds(&html, &page.final_url).into_iter().next() else {
                    return Err(AddError::NoFeedFound {
                        url: page.final_url,
                    });
                };
                tracing::info!(page = %page.final_url, feed = %found.url, "feed discovered");
                let (feed_page, moved) = self.fetch_document(&found.url).await?;
                let feed = parse_feed_limited(
                    &feed_page.body,
                    Some(&feed_page.final_url),
                    feed_page.charset(),
                    self.fetch.max_entries,
                )
                .map_err(|source| AddError::InvalidFeed {
                    url: found.url.clone(),
                    discovered_on: Some(page.final_url.clone()),
                    source,
                })?;
                let feed_url = moved.unwrap_or(found.url);
                self.add_parsed(feed_url, &feed, Some(page.final_url), now)
                    .await
            }
            Err(source) => Err(AddError::InvalidFeed {
                url: url.clone(),
                discovered_on: None,
                source,
            }),
        }
    }

    /// Fetches a document for [`Ingester::add_feed`], with where it moved for good.
    async fn fetch_document(&self, url: &Url) -> Result<(Page, Option<Url>), AddError> {
        match self
            .fetcher
            .fetch(url, &Conditional::default(), Accept::Feed)
            .await?
        {
            FetchOutcome::Fetched {
                page,
                permanent_redirect,
            } => Ok((page, permanent_redirect)),
            // A 304 to a plain GET carries no document.
            FetchOutcome::NotModified { .. } => Err(AddError::InvalidFeed {
                url: url.clone(),
                discovered_on: None,
                source: FeedError::Empty,
            }),
        }
    }

    async fn add_parsed(
        &self,
        url: Url,
        feed: &ParsedFeed,
        discovered_on: Option<Url>,
        now: Timestamp,
    ) -> Result<AddOutcome, AddError> {
        let new = NewSource {
            url,
            title: feed.title.clone(),
            site_url: feed.link.clone(),
        };
        let (source, created) = self.store.add_source(&new, now).await?;
        tracing::info!(source = source.id.0, url = %source.url, created, "feed added");
        Ok(AddOutcome {
            source,
            created,
            discovered_on,
        })
    }

    /// Moves a source to the URL it permanently redirects to, unless another
    /// source already has that URL.
    async fn follow_move(&self, source: &mut Source, new_url: Url) -> Result<(), StoreError> {
        if new_url == source.url {
            return Ok(());
        }
        if let Some(other) = self.store.source_by_url(&new_url).await? {
            tracing::warn!(to = %new_url, other = other.id.0, "feed moved to the URL of another source; keeping its URL");
            return Ok(());
        }
        tracing::info!(from = %source.url, to = %new_url, "feed moved permanently; URL updated");
        source.url = new_url;
        Ok(())
    }
}

impl SourcePoll {
    fn new(url: &Url) -> SourcePoll {
        SourcePoll {
            url: url.clone(),
            not_modified: false,
            error: None,
            disabled: false,
            new_entries: 0,
            new_articles: 0,
            pages_fetched: 0,
        }
    }

    fn summary(&self) -> String {
        match (&self.error, self.not_modified) {
            (Some(error), _) => format!("{}: {error}", self.url),
            (None, true) => format!("{}: not modified", self.url),
            (None, false) => format!(
                "{}: {} new entries, {} new articles",
                self.url, self.new_entries, self.new_articles
            ),
        }
    }
}

/// The kind under which a source's [`BoilerplateModel`] is stored.
const BOILERPLATE: &str = "boilerplate";

/// Runs extraction (CPU-bound HTML parsing) on the blocking pool, so it
/// neither stalls the other fetches nor, should it panic, the pass.
async fn extract_off_thread(page: Page) -> Result<ArticleContent, String> {
    let charset = page.charset().map(str::to_string);
    let task = tokio::task::spawn_blocking(move || {
        gazette_extract::extract(&page.body, &page.final_url, charset.as_deref())
    });
    match task.await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("extraction failed: {e}")),
    }
}

/// An article made of the entry alone: `text` is the content's text, or the
/// summary when the content is empty.
fn content_from_entry(item: &FeedEntry, text: String) -> ArticleContent {
    let text = if text.trim().is_empty() {
        item.summary.clone().unwrap_or_default()
    } else {
        text
    };
    ArticleContent {
        url: item.link.clone(),
        title: item.title.clone(),
        authors: item.authors.clone(),
        published: item.published,
        modified: item.updated,
        lang: item.language.as_deref().and_then(primary_language),
        description: item.summary.clone(),
        image: item.image.clone(),
        text,
        ..ArticleContent::default()
    }
}

/// The extracted article with what the page lacked taken from the entry.
fn complete_from_entry(
    page: ArticleContent,
    entry: ArticleContent,
    final_url: &Url,
) -> ArticleContent {
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    ArticleContent {
        url: page.url.or_else(|| Some(final_url.clone())),
        title: nonempty(page.title).or(entry.title),
        authors: if page.authors.is_empty() {
            entry.authors
        } else {
            page.authors
        },
        published: page.published.or(entry.published),
        modified: page.modified.or(entry.modified),
        lang: page.lang.or(entry.lang),
        description: nonempty(page.description).or(entry.description),
        image: page.image.or(entry.image),
        text: if page.text.trim().is_empty() {
            entry.text
        } else {
            page.text
        },
        ..page
    }
}

/// The lowercase primary subtag of a language tag (`en-US` → `en`).
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty() && primary.chars().all(|c| c.is_ascii_alphabetic())).then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> FeedEntry {
        FeedEntry {
            id: "1".into(),
            title: Some("Entry title".into()),
            link: Some("https://news.example.org/a".parse().unwrap()),
            published: Some("2024-05-01T10:00:00Z".parse().unwrap()),
            updated: None,
            authors: vec!["Ann".into()],
            summary: Some("The summary.".into()),
            content_html: None,
            language: Some("fr-FR".into()),
            image: None,
        }
    }

    #[test]
    fn entry_content_falls_back_to_the_summary() {
        let content = content_from_entry(&item(), String::new());
        assert_eq!(content.text, "The summary.");
        assert_eq!(content.lang.as_deref(), Some("fr"));
        assert_eq!(content.authors, vec!["Ann".to_string()]);
        let content = content_from_entry(&item(), "Full text.".into());
        assert_eq!(content.text, "Full text.");
    }

    #[test]
    fn page_fields_win_and_missing_ones_come_from_the_entry() {
        let final_url: Url = "https://news.example.org/a?amp".parse().unwrap();
        let page = ArticleContent {
            title: Some(" ".into()),
            text: "Page text.".into(),
            lang: Some("en".into()),
            ..ArticleContent::default()
        };
        let entry = content_from_entry(&item(), String::new());
        let merged = complete_from_entry(page, entry, &final_url);
        assert_eq!(merged.title.as_deref(), Some("Entry title"));
        assert_eq!(merged.text, "Page text.");
        assert_eq!(merged.lang.as_deref(), Some("en"));
        assert_eq!(merged.authors, vec!["Ann".to_string()]);
        assert_eq!(merged.published, item().published);
        assert_eq!(merged.url, Some(final_url));
    }

    #[test]
    fn language_tags_are_reduced_to_the_primary_subtag() {
        assert_eq!(primary_language("en-US").as_deref(), Some("en"));
        assert_eq!(primary_language("FR_fr").as_deref(), Some("fr"));
        assert_eq!(primary_language(""), None);
        assert_eq!(primary_language("12"), None);
    }
}
