//! Domain types, in pipeline order.
//!
//! Types come in two flavours where the store assigns identity: the stage output
//! without an ID (`FeedEntry`, `NewArticle`, `NewEdition`, `NewDelivery`) and the
//! stored row with its ID (`Entry`, `Article`, `Edition`, `Delivery`).

use std::collections::BTreeSet;

use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::ids::*;

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

/// A feed that gazette polls, with its polling state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    /// The feed URL. Updated when the server answers with a permanent redirect.
    pub url: Url,
    /// The feed's own title, once known.
    pub title: Option<String>,
    /// The site the feed belongs to (the feed's `<link>`), once known.
    pub site_url: Option<Url>,
    pub added_at: Timestamp,
    pub poll: PollState,
}

impl Source {
    /// A new, never polled source, due immediately.
    pub fn new(id: SourceId, url: Url, now: Timestamp) -> Self {
        Source {
            id,
            url,
            title: None,
            site_url: None,
            added_at: now,
            poll: PollState::new(now),
        }
    }

    /// The outlet name used when counting coverage: the site's host without
    /// `www.`, or the feed's host when the site is unknown.
    pub fn outlet(&self) -> String {
        self.site_url
            .as_ref()
            .and_then(host_of)
            .or_else(|| host_of(&self.url))
            .unwrap_or_else(|| self.url.to_string())
    }
}

/// The host of a URL without a leading `www.`, lowercased.
pub fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// What to add: a feed URL and what is already known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSource {
    pub url: Url,
    pub title: Option<String>,
    pub site_url: Option<Url>,
}

/// Whether gazette polls a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// Polled when due.
    Active,
    /// Not polled: it failed too often in a row (see `PollState::last_error`),
    /// or a user disabled it. `gazette feeds add` on the same URL re-enables it.
    Disabled,
}

/// The polling state of a source: validators for conditional GET, schedule, health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollState {
    pub status: SourceStatus,
    /// `ETag` of the last 200 response, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` of the last 200 response, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When the source is next due.
    pub next_poll_at: Timestamp,
    /// The current regular interval, adapted to how often the feed publishes.
    pub interval_secs: u32,
    pub last_polled_at: Option<Timestamp>,
    /// The last poll that succeeded (200 or 304).
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// Failures since the last success; drives backoff and disabling.
    pub consecutive_failures: u32,
}

impl PollState {
    /// The state of a source that has never been polled: due at `now`.
    pub fn new(now: Timestamp) -> Self {
        PollState {
            status: SourceStatus::Active,
            etag: None,
            last_modified: None,
            next_poll_at: now,
            interval_secs: 0,
            last_polled_at: None,
            last_success_at: None,
            last_error: None,
            last_error_at: None,
            consecutive_failures: 0,
        }
    }
}

// ---------------------------------------------------------------------------
// Feeds and entries
// ---------------------------------------------------------------------------

/// The format a feed was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    Atom,
    /// RSS 0.9x, including 0.91 and 0.92.
    Rss0,
    /// RSS 1.0 (RDF).
    Rss1,
    Rss2,
    JsonFeed,
}

/// A parsed feed: what `gazette feeds parse` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedFeed {
    pub kind: FeedKind,
    pub title: Option<String>,
    /// What the feed says it is about (RSS `description`, Atom `subtitle`), as
    /// plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The site the feed belongs to.
    pub link: Option<Url>,
    pub language: Option<String>,
    pub updated: Option<Timestamp>,
    pub entries: Vec<FeedEntry>,
    /// Set when the document was not well-formed XML and was read by the
    /// lenient second pass: what was wrong with it (the strict parser's error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

/// One item of a feed, as parsed (not yet stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    /// The feed's identifier for the item (guid, id), or a stable one derived
    /// from the link and title when the feed gives none.
    pub id: String,
    pub title: Option<String>,
    /// The article's URL, resolved against the feed's base.
    pub link: Option<Url>,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub authors: Vec<String>,
    /// The summary as plain text.
    pub summary: Option<String>,
    /// The full content as HTML, when the feed carries it.
    pub content_html: Option<String>,
    pub language: Option<String>,
    pub image: Option<Url>,
}

/// A stored feed entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub source_id: SourceId,
    pub first_seen: Timestamp,
    #[serde(flatten)]
    pub item: FeedEntry,
}

// ---------------------------------------------------------------------------
// Pages and articles
// ---------------------------------------------------------------------------

/// A fetched HTTP response body with what is needed to interpret and re-fetch it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The URL that was asked for.
    pub requested_url: Url,
    /// The URL after redirects.
    pub final_url: Url,
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub fetched_at: Timestamp,
}

impl Page {
    /// The `charset` parameter of the `Content-Type` header, if any.
    pub fn charset(&self) -> Option<&str> {
        let ct = self.content_type.as_deref()?;
        ct.split(';').skip(1).find_map(|param| {
            let (k, v) = param.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"'))
        })
    }
}

/// A direct quote and who said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    pub speaker: Option<String>,
}

/// What extraction gets out of a page (or a feed entry carrying full content).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleContent {
    pub url: Option<Url>,
    pub canonical_url: Option<Url>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    /// BCP 47 language tag, lowercase primary subtag where known (`fr`, `en`).
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    pub image: Option<Url>,
    /// Body text: paragraphs separated by a blank line.
    pub text: String,
    pub quotes: Vec<Quote>,
}

/// An article ready to be stored: content plus where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArticle {
    pub source_id: SourceId,
    pub entry_id: Option<EntryId>,
    /// The URL the article is stored under (canonical when known); unique in the store.
    pub url: Url,
    /// The outlet counted for coverage (see [`Source::outlet`]).
    pub outlet: String,
    pub title: String,
    /// When gazette first saw the article.
    pub discovered_at: Timestamp,
    pub content: ArticleContent,
}

impl NewArticle {
    /// The time that places the article in a window: its publication time when
    /// known and not in the future, else when gazette found it.
    pub fn effective_time(&self) -> Timestamp {
        effective_time(self.content.published, self.discovered_at)
    }
}

fn effective_time(published: Option<Timestamp>, discovered: Timestamp) -> Timestamp {
    match published {
        Some(p) if p <= discovered => p,
        _ => discovered,
    }
}

/// A stored article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: ArticleId,
    pub source_id: SourceId,
    pub entry_id: Option<EntryId>,
    pub url: Url,
    pub outlet: String,
    pub title: String,
    pub discovered_at: Timestamp,
    pub content: ArticleContent,
}

impl Article {
    /// See [`NewArticle::effective_time`].
    pub fn effective_time(&self) -> Timestamp {
        effective_time(self.content.published, self.discovered_at)
    }

    /// The article's language, or `und` when unknown.
    pub fn lang(&self) -> &str {
        self.content.lang.as_deref().unwrap_or("und")
    }
}

// ---------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------

/// The kind of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Place,
    Organisation,
    Other,
}

/// A named entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The surface form as first seen.
    pub text: String,
    /// Normalised key: the same for spelling variants and aliases.
    pub key: String,
    pub kind: EntityKind,
    pub count: u32,
}

/// What text analysis gets out of an article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub lang: Option<String>,
    pub sentences: Vec<String>,
    /// Index terms (folded stems, stop words removed) with their counts.
    pub terms: Vec<(String, u32)>,
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    /// Near-duplicate fingerprint (SimHash of the text's shingles).
    pub fingerprint: u64,
}

// ---------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------

/// An article as a member of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryMember {
    pub article_id: ArticleId,
    pub title: String,
    pub url: Url,
    pub outlet: String,
    pub lang: String,
    /// The article's effective time (see [`Article::effective_time`]).
    pub time: Timestamp,
    /// When the article joined the story.
    pub added_at: Timestamp,
}

/// Articles from one or more outlets about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: StoryId,
    /// The lead article's title.
    pub title: String,
    pub lead: ArticleId,
    /// Members in the order they joined.
    pub members: Vec<StoryMember>,
}

impl Story {
    /// Distinct outlets covering the story, sorted.
    pub fn outlets(&self) -> BTreeSet<&str> {
        self.members.iter().map(|m| m.outlet.as_str()).collect()
    }

    /// Distinct languages of the story's articles, sorted.
    pub fn languages(&self) -> BTreeSet<&str> {
        self.members.iter().map(|m| m.lang.as_str()).collect()
    }

    /// The earliest member time.
    pub fn first_seen(&self) -> Option<Timestamp> {
        self.members.iter().map(|m| m.time).min()
    }

    /// The latest member time.
    pub fn last_seen(&self) -> Option<Timestamp> {
        self.members.iter().map(|m| m.time).max()
    }

    /// The lead member, if it is still among the members.
    pub fn lead_member(&self) -> Option<&StoryMember> {
        self.members.iter().find(|m| m.article_id == self.lead)
    }
}

/// One contribution to a story's score, with the reason shown to readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable name (`outlets`, `velocity`, `recency`, …).
    pub name: String,
    /// The measured value (e.g. 7 outlets).
    pub value: f64,
    /// What it adds to the score.
    pub contribution: f64,
    /// A human sentence: "covered by 7 outlets".
    pub reason: String,
}

/// A link to one source of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceLink {
    pub url: Url,
    pub outlet: String,
    pub title: String,
    pub lang: String,
}

/// A story scored and summarised for an edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedStory {
    pub story_id: StoryId,
    pub title: String,
    pub score: f64,
    pub signals: Vec<Signal>,
    /// One to three sentences.
    pub summary: Vec<String>,
    pub key_quote: Option<Quote>,
    /// Top sources, lead first.
    pub sources: Vec<SourceLink>,
    pub outlet_count: u32,
    pub article_count: u32,
    pub languages: Vec<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// True when the story was sent on this channel before and has developed since.
    pub update: bool,
}

// ---------------------------------------------------------------------------
// Editions and deliveries
// ---------------------------------------------------------------------------

/// An edition as composed, before it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEdition {
    pub channel: String,
    /// The scheduled time this edition is for, in the channel's time zone.
    /// Unique per channel: an edition is composed once per (channel, slot).
    pub slot: Zoned,
    /// Articles after this instant were considered.
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub composed_at: Timestamp,
    pub lang: String,
    pub stories: Vec<RankedStory>,
}

/// A stored edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edition {
    pub id: EditionId,
    #[serde(flatten)]
    pub edition: NewEdition,
}

/// An article found by [`Store::search_articles`](crate::Store::search_articles),
/// with the story it belongs to, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub article: Article,
    pub story_id: Option<StoryId>,
}

/// The words of a search query, lowercased: runs of letters and digits;
/// everything else separates words. Both stores match articles holding every
/// word (in the title or the text), so this is the query language: no
/// operators, no phrases.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(str::to_lowercase)
        .collect()
}

/// Output formats of an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text, for terminals and e-mail text parts.
    Text,
    /// The edition as JSON.
    Json,
    /// Telegram's HTML subset, split into messages of at most 4,096 characters.
    Telegram,
    /// An HTML fragment, for the web page.
    Html,
    /// A whole HTML document for an e-mail body (its text part is [`Format::Text`]).
    Email,
    /// An Atom 1.0 `<entry>` for the channel's feed of editions.
    Atom,
}

/// An edition rendered in one format, split into parts where the channel needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    pub format: Format,
    pub parts: Vec<String>,
}

/// The state of an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting to be claimed (or to be retried after `not_before`).
    Pending,
    /// Claimed by a worker until its lease expires.
    Sending,
    /// Sent; `remote_id` holds the receiver's id for it. Never sent again.
    Sent,
    /// Given up: `last_error` says why.
    Failed,
}

/// An outbox row to create: one part of an edition for one recipient of one sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDelivery {
    pub edition_id: EditionId,
    /// The sink's name in the channel configuration.
    pub sink: String,
    /// Who receives it (a chat id, an address, a file path, …), as the sink understands it.
    pub recipient: String,
    /// 0-based part number; parts of one edition are delivered in order.
    pub part: u32,
    pub body: String,
}

/// A stored outbox row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    #[serde(flatten)]
    pub delivery: NewDelivery,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The receiver's identifier for the sent message (e.g. Telegram's `message_id`).
    pub remote_id: Option<String>,
    /// Not claimed again before this instant (lease expiry or retry time).
    pub not_before: Option<Timestamp>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

// ---------------------------------------------------------------------------
// Telegram subscribers
// ---------------------------------------------------------------------------

/// Which of a channel's editions a subscriber receives, by their label
/// (an edition before noon local time is the morning edition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditionChoice {
    Morning,
    Evening,
    Both,
}

/// What the bot asked a subscriber and waits for in their next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Awaiting {
    /// `fr` or `en`.
    Lang,
    /// An IANA time zone.
    Timezone,
}

/// A Telegram chat subscribed through the bot, with its settings. Settings
/// left `None` follow the channel's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscriber {
    /// Telegram's chat id (a user's private chat, or a group that added the bot).
    pub chat_id: i64,
    /// Editions are sent only to active subscribers.
    pub active: bool,
    /// Why the subscriber is inactive: `/stop`, or Telegram's answer (blocked, kicked, deactivated).
    pub inactive_reason: Option<String>,
    /// Language of the bot's texts and the editions' labels: `fr` or `en`.
    pub lang: String,
    /// IANA time zone of `morning` and `evening`; `None`: the channel's.
    pub timezone: Option<String>,
    pub editions: EditionChoice,
    /// Local time the morning edition is delivered; `None`: when the channel composes it.
    pub morning: Option<jiff::civil::Time>,
    /// Local time the evening edition is delivered; `None`: when the channel composes it.
    pub evening: Option<jiff::civil::Time>,
    /// Only stories matching one of these (words or phrases) are sent; empty: all stories.
    pub topics: Vec<String>,
    /// Stories matching one of these are never sent.
    pub mutes: Vec<String>,
    /// A question of the bot still open.
    pub awaiting: Option<Awaiting>,
    /// The subscriber's delivery times up to this instant have been handled.
    pub served_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Subscriber {
    /// A new active subscriber with the channel's defaults.
    pub fn new(chat_id: i64, lang: &str, now: Timestamp) -> Subscriber {
        Subscriber {
            chat_id,
            active: true,
            inactive_reason: None,
            lang: lang.to_string(),
            timezone: None,
            editions: EditionChoice::Both,
            morning: None,
            evening: None,
            topics: Vec::new(),
            mutes: Vec::new(),
            awaiting: None,
            served_until: Some(now),
            created_at: now,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlet_prefers_site_host_without_www() {
        let mut s = Source::new(
            SourceId(1),
            "http://127.0.0.1:8080/feeds/a.xml".parse().unwrap(),
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(s.outlet(), "127.0.0.1");
        s.site_url = Some("https://WWW.NYDailyNews.com/".parse().unwrap());
        assert_eq!(s.outlet(), "nydailynews.com");
    }

    #[test]
    fn page_charset_is_read_from_content_type() {
        let page = Page {
            requested_url: "http://a.test/".parse().unwrap(),
            final_url: "http://a.test/".parse().unwrap(),
            status: 200,
            etag: None,
            last_modified: None,
            content_type: Some("text/xml; Charset=\"ISO-8859-1\"".into()),
            body: vec![],
            fetched_at: Timestamp::UNIX_EPOCH,
        };
        assert_eq!(page.charset(), Some("ISO-8859-1"));
    }

    #[test]
    fn effective_time_ignores_future_publication_dates() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let past: Timestamp = "2025-12-31T00:00:00Z".parse().unwrap();
        let future: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        assert_eq!(effective_time(Some(past), now), past);
        assert_eq!(effective_time(Some(future), now), now);
        assert_eq!(effective_time(None, now), now);
    }
}
