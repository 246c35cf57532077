//! The behavioural suite every [`Store`] backend must pass.
//!
//! Each test is an async function taking the store under test (two handles on
//! the same database for the concurrency tests), freshly created and empty.
//! A backend's test file runs every function here once, through
//! [`every_suite_test`], e.g. `tests/sqlite.rs`:
//!
//! ```ignore
//! macro_rules! suite_tests {
//!     ($($name:ident),* $(,)?) => {$(
//!         #[tokio::test]
//!         async fn $name() {
//!             let db = TestDb::new();
//!             suite::$name(&db.store).await;
//!         }
//!     )*};
//! }
//! // ... and `suite_tests_two_handles` for the functions taking two handles.
//! every_suite_test!(suite_tests, suite_tests_two_handles);
//! ```
//!
//! Instants in fixtures have whole microseconds: that is the precision the
//! stores keep (see [`instants_are_kept_to_the_microsecond`]).

/// Calls `$one!` with the name of every suite function that takes one store,
/// and `$two!` with those that take two handles on one database. Each
/// backend's test file defines the two macros (how to make a fresh store) and
/// calls this once, so a function added here runs on every backend.
macro_rules! every_suite_test {
    ($one:ident, $two:ident) => {
        $one!(
            add_source_creates_an_active_source_due_now,
            add_source_with_a_known_url_returns_it_unchanged,
            add_source_reenables_a_disabled_source,
            source_models_are_kept_per_kind_and_go_with_their_source,
            sources_are_listed_by_id,
            due_sources_are_active_and_due_earliest_first_up_to_limit,
            claim_due_sources_hands_each_due_source_out_once,
            claim_due_sources_again_when_the_claim_expires,
            update_source_ends_its_claim,
            claim_due_sources_skips_disabled_and_removed_sources,
            update_source_round_trips_every_field,
            update_source_of_a_removed_source_is_not_found,
            instants_are_kept_to_the_microsecond,
            nul_in_text_is_stored_as_the_replacement_character,
            remove_source_deletes_its_entries_but_keeps_its_articles,
            removed_source_ids_are_not_reused,
            insert_entries_skips_known_ids_and_keeps_input_order,
            an_entry_whose_article_was_never_stored_comes_back,
            insert_entries_round_trips_every_field,
            insert_entries_for_a_missing_source_is_not_found,
            recent_entry_times_are_the_newest_publications_of_the_source,
            insert_article_dedupes_by_url,
            article_content_round_trips,
            insert_article_for_a_missing_source_is_not_found,
            unassigned_articles_are_in_storage_order_up_to_limit,
            articles_by_ids_are_the_existing_ones_in_id_order,
            create_story_makes_the_article_its_lead_and_first_member,
            story_member_of_unknown_language_is_und,
            add_to_story_lists_members_in_join_order,
            a_copy_joins_its_originals_story_linked_to_it,
            add_to_story_moves_an_article_from_its_previous_story,
            adding_a_member_again_keeps_its_place,
            merged_stories_move_their_members_and_lead_to_the_older,
            create_story_takes_the_article_from_its_previous_story,
            set_story_lead_changes_the_title,
            set_story_lead_to_a_non_member_is_not_found,
            story_operations_on_missing_rows_are_not_found,
            stories_since_are_the_active_stories_newest_first,
            stories_since_uses_discovery_time_for_future_publication_dates,
            insert_edition_once_per_channel_and_slot,
            edition_round_trips_exactly,
            latest_edition_is_the_channels_latest_slot,
            editions_since_are_oldest_first_from_since,
            enqueue_deliveries_is_idempotent,
            deliveries_for_edition_orders_text_byte_by_byte,
            enqueue_deliveries_for_a_missing_edition_is_not_found,
            claim_leases_rows_and_counts_attempts,
            claim_reclaims_rows_whose_lease_expired,
            claim_honours_the_limit_oldest_first,
            claim_sends_parts_in_order,
            claim_holds_later_parts_while_an_earlier_part_is_being_sent,
            retry_waits_for_not_before,
            failure_without_retry_is_final,
            sent_rows_are_never_claimed_again,
            failure_reported_after_sent_does_not_resend,
            marking_a_missing_delivery_is_not_found,
            scheduler_lock_is_held_by_one_node_until_it_expires,
            scheduler_lock_is_renewed_by_its_holder,
            unlock_scheduler_frees_only_its_own_lock,
            node_locks_are_independent,
            subscriber_round_trips_every_field,
            save_subscriber_replaces_the_stored_one,
            active_subscribers_are_listed_by_chat_id,
            deactivate_subscriber_keeps_the_reason_once,
            served_until_never_moves_backwards,
            telegram_offset_is_per_bot_and_only_moves_forward,
            email_unsubscribes_are_per_channel_and_ignore_case,
            search_finds_articles_holding_every_word_newest_first,
        );
        $two!(
            insert_edition_race_gives_one_created_and_one_existing,
            concurrent_claims_never_hand_out_a_row_twice,
            concurrent_source_claims_never_hand_out_a_source_twice,
            scheduler_lock_race_gives_it_to_one_node,
        );
    };
}

use std::collections::BTreeSet;

use gazette_core::store::{EditionInsert, StoreResult};
use gazette_core::*;
use jiff::{SignedDuration, Timestamp, Zoned};
use url::Url;

mod email;
mod telegram;
pub use email::*;
pub use telegram::*;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// The fixtures' "now".
fn t0() -> Timestamp {
    "2026-03-01T06:00:00.123456Z".parse().unwrap()
}

fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

fn url(s: &str) -> Url {
    s.parse().unwrap()
}

fn new_source(feed: &str) -> NewSource {
    NewSource {
        url: url(feed),
        title: Some(format!("Feed at {feed}")),
        site_url: None,
    }
}

async fn add_source(store: &dyn Store, feed: &str) -> Source {
    store.add_source(&new_source(feed), t0()).await.unwrap().0
}

fn feed_entry(id: &str, published: Option<Timestamp>) -> FeedEntry {
    FeedEntry {
        id: id.to_owned(),
        title: Some(format!("Entry {id}")),
        link: Some(url(&format!("https://example.org/items/{id}"))),
        published,
        updated: None,
        authors: vec!["Ann Author".into()],
        summary: Some("A summary.".into()),
        content_html: None,
        language: Some("en".into()),
        image: None,
    }
}

fn new_article(source: SourceId, n: u32, published: Option<Timestamp>) -> NewArticle {
    let title = format!("Article {n}");
    NewArticle {
        source_id: source,
        entry_id: None,
        url: url(&format!("https://example.org/articles/{n}")),
        outlet: "example.org".into(),
        title: title.clone(),
        discovered_at: t0(),
        content: ArticleContent {
            title: Some(title),
            published,
            lang: Some("en".into()),
            text: format!("Article {n} says something.\n\nAnd more."),
            ..ArticleContent::default()
        },
    }
}

/// Stores article `n` (published `published` before [`t0`]) of a fresh source.
async fn add_article(store: &dyn Store, n: u32, published: SignedDuration) -> ArticleId {
    let source = match store
        .source_by_url(&url("https://example.org/feed"))
        .await
        .unwrap()
    {
        Some(source) => source,
        None => add_source(store, "https://example.org/feed").await,
    };
    let article = new_article(source.id, n, Some(t0() - published));
    store.insert_article(&article).await.unwrap().0
}

fn slot(rfc9557: &str) -> Zoned {
    rfc9557.parse().unwrap()
}

fn new_edition(channel: &str, slot: Zoned) -> NewEdition {
    let story = RankedStory {
        story_id: StoryId(7),
        title: "Grève à la SNCF : « on ne lâchera rien » 🚆".into(),
        score: 0.1 + 0.2,
        signals: vec![
            Signal {
                name: "outlets".into(),
                value: 7.0,
                contribution: 1.0 / 3.0,
                reason: "covered by 7 outlets".into(),
            },
            Signal {
                name: "recency".into(),
                // A float that JSON parsers commonly get one bit wrong.
                value: 6.05931655662849e-11,
                contribution: -2.0830838671067666e175,
                reason: "published long ago".into(),
            },
        ],
        summary: vec!["Première phrase.".into(), "第二句。".into()],
        key_quote: Some(Quote {
            text: "On ne lâchera rien".into(),
            speaker: Some("Mme Dupont".into()),
        }),
        sources: vec![SourceLink {
            url: url("https://www.lemonde.fr/a"),
            outlet: "lemonde.fr".into(),
            title: "Grève".into(),
            lang: "fr".into(),
        }],
        outlet_count: 7,
        article_count: 12,
        languages: vec!["en".into(), "fr".into()],
        first_seen: "2026-02-28T18:00:00.000001Z".parse().unwrap(),
        last_seen: "2026-03-01T05:59:59.999999999Z".parse().unwrap(),
        update: true,
    };
    NewEdition {
        channel: channel.to_owned(),
        window_start: slot.timestamp() - hours(12),
        window_end: slot.timestamp(),
        composed_at: slot.timestamp() + SignedDuration::from_nanos(1),
        slot,
        lang: "fr".into(),
        stories: vec![story],
    }
}

async fn add_edition(store: &dyn Store, channel: &str, slot_text: &str) -> Edition {
    let edition = new_edition(channel, slot(slot_text));
    store.insert_edition(&edition).await.unwrap().into_edition()
}

fn new_delivery(edition: EditionId, recipient: &str, part: u32) -> NewDelivery {
    NewDelivery {
        edition_id: edition,
        sink: "telegram".into(),
        recipient: recipient.to_owned(),
        part,
        body: format!("<b>part {part}</b> for {recipient}"),
    }
}

/// An edition with the given outbox rows enqueued at [`t0`].
async fn outbox(store: &dyn Store, rows: &[(&str, u32)]) -> EditionId {
    let edition = add_edition(store, "morning", "2026-03-01T07:00:00+01:00[Europe/Paris]").await;
    let rows: Vec<NewDelivery> = rows
        .iter()
        .map(|&(recipient, part)| new_delivery(edition.id, recipient, part))
        .collect();
    store.enqueue_deliveries(&rows, t0()).await.unwrap();
    edition.id
}

/// (recipient, part) of claimed rows, in the order returned.
fn claimed_parts(rows: &[Delivery]) -> Vec<(String, u32)> {
    rows.iter()
        .map(|d| (d.delivery.recipient.clone(), d.delivery.part))
        .collect()
}

async fn delivery(store: &dyn Store, edition: EditionId, recipient: &str, part: u32) -> Delivery {
    store
        .deliveries_for_edition(edition)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.delivery.recipient == recipient && d.delivery.part == part)
        .unwrap()
}

fn assert_not_found<T: std::fmt::Debug>(result: StoreResult<T>, expected_what: &str) {
    match result {
        Err(StoreError::NotFound { what, .. }) => assert_eq!(what, expected_what),
        other => panic!("expected NotFound({expected_what}), got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

pub async fn add_source_creates_an_active_source_due_now(store: &dyn Store) {
    let new = NewSource {
        url: url("https://www.example.org/feed.xml"),
        title: Some("Example".into()),
        site_url: Some(url("https://www.example.org/")),
    };
    let (source, created) = store.add_source(&new, t0()).await.unwrap();
    assert!(created);
    let expected = Source {
        title: new.title.clone(),
        site_url: new.site_url.clone(),
        ..Source::new(source.id, new.url.clone(), t0())
    };
    assert_eq!(source, expected);
    assert_eq!(
        store.source(source.id).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(store.source_by_url(&new.url).await.unwrap(), Some(expected));
    assert_eq!(store.source(SourceId(source.id.0 + 1)).await.unwrap(), None);
}

pub async fn add_source_with_a_known_url_returns_it_unchanged(store: &dyn Store) {
    let first = add_source(store, "https://example.org/feed").await;
    let again = NewSource {
        title: Some("Another title".into()),
        ..new_source("https://example.org/feed")
    };
    let (source, created) = store.add_source(&again, t0() + hours(1)).await.unwrap();
    assert!(!created);
    assert_eq!(source, first);
    assert_eq!(store.sources().await.unwrap(), vec![first]);
}

pub async fn add_source_reenables_a_disabled_source(store: &dyn Store) {
    let mut source = add_source(store, "https://example.org/feed").await;
    source.poll.status = SourceStatus::Disabled;
    source.poll.consecutive_failures = 9;
    source.poll.next_poll_at = t0() + hours(48);
    source.poll.last_error = Some("HTTP 500".into());
    source.poll.interval_secs = 3600;
    store.update_source(&source).await.unwrap();

    let later = t0() + hours(2);
    let (reenabled, created) = store
        .add_source(&new_source("https://example.org/feed"), later)
        .await
        .unwrap();
    assert!(!created);
    let mut expected = source;
    expected.poll.status = SourceStatus::Active;
    expected.poll.consecutive_failures = 0;
    expected.poll.next_poll_at = later;
    assert_eq!(reenabled, expected);
    assert_eq!(store.source(expected.id).await.unwrap(), Some(expected));
}

pub async fn source_models_are_kept_per_kind_and_go_with_their_source(store: &dyn Store) {
    let a = add_source(store, "https://a.example/feed").await;
    let b = add_source(store, "https://b.example/feed").await;
    assert_eq!(store.source_model(a.id, "boilerplate").await.unwrap(), None);
    store
        .set_source_model(a.id, "boilerplate", "{\"v\":1}", t0())
        .await
        .unwrap();
    store
        .set_source_model(a.id, "other", "x", t0())
        .await
        .unwrap();
    // Replacing keeps one model per (source, kind).
    store
        .set_source_model(a.id, "boilerplate", "{\"v\":2}", t0() + hours(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .source_model(a.id, "boilerplate")
            .await
            .unwrap()
            .as_deref(),
        Some("{\"v\":2}")
    );
    assert_eq!(
        store.source_model(a.id, "other").await.unwrap().as_deref(),
        Some("x")
    );
    assert_eq!(store.source_model(b.id, "boilerplate").await.unwrap(), None);
    // A missing source is an error, and removing a source removes its models.
    assert!(matches!(
        store
            .set_source_model(SourceId(9999), "boilerplate", "{}", t0())
            .await,
        Err(StoreError::NotFound {
            what: "source",
            id: 9999
        })
    ));
    assert!(store.remove_source(a.id).await.unwrap());
    assert_eq!(store.source_model(a.id, "boilerplate").await.unwrap(), None);
}

pub async fn sources_are_listed_by_id(store: &dyn Store) {
    let b = add_source(store, "https://b.example/feed").await;
    let a = add_source(store, "https://a.example/feed").await;
    let c = add_source(store, "https://c.example/feed").await;
    let mut expected = vec![b, a, c];
    expected.sort_by_key(|s| s.id);
    assert_eq!(store.sources().await.unwrap(), expected);
}

pub async fn due_sources_are_active_and_due_earliest_first_up_to_limit(store: &dyn Store) {
    let mut schedule = Vec::new();
    for (feed, due_in, status) in [
        ("https://a.example/feed", minutes(-5), SourceStatus::Active),
        ("https://b.example/feed", minutes(0), SourceStatus::Active),
        ("https://c.example/feed", minutes(-30), SourceStatus::Active),
        ("https://d.example/feed", minutes(1), SourceStatus::Active),
        (
            "https://e.example/feed",
            minutes(-60),
            SourceStatus::Disabled,
        ),
    ] {
        let mut source = add_source(store, feed).await;
        source.poll.next_poll_at = t0() + due_in;
        source.poll.status = status;
        store.update_source(&source).await.unwrap();
        schedule.push(source);
    }
    let [a, b, c, ..] = &schedule[..] else {
        unreachable!()
    };
    let due = store.due_sources(t0(), 10).await.unwrap();
    assert_eq!(due, vec![c.clone(), a.clone(), b.clone()]);
    let due = store.due_sources(t0(), 2).await.unwrap();
    assert_eq!(due, vec![c.clone(), a.clone()]);
    assert_eq!(
        store.due_sources(t0() - hours(2), 10).await.unwrap(),
        vec![]
    );
}

/// Three due sources (due 30 and 5 minutes before [`t0`], and at `t0`), one
/// due later and one disabled; the due ones earliest first.
async fn due_schedule(store: &dyn Store) -> Vec<Source> {
    let mut due = Vec::new();
    for (feed, due_in, status) in [
        ("https://a.example/feed", minutes(-5), SourceStatus::Active),
        ("https://b.example/feed", minutes(0), SourceStatus::Active),
        ("https://c.example/feed", minutes(-30), SourceStatus::Active),
        ("https://d.example/feed", minutes(1), SourceStatus::Active),
        (
            "https://e.example/feed",
            minutes(-60),
            SourceStatus::Disabled,
        ),
    ] {
        let mut source = add_source(store, feed).await;
        source.poll.next_poll_at = t0() + due_in;
        source.poll.status = status;
        store.update_source(&source).await.unwrap();
        if status == SourceStatus::Active && due_in <= minutes(0) {
            due.push(source);
        }
    }
    due.sort_by_key(|s| s.poll.next_poll_at);
    due
}

pub async fn claim_due_sources_hands_each_due_source_out_once(store: &dyn Store) {
    let due = due_schedule(store).await;
    let first = store.claim_due_sources(t0(), minutes(10), 2).await.unwrap();
    assert_eq!(first, due[..2].to_vec(), "earliest first, up to the limit");
    let rest = store
        .claim_due_sources(t0(), minutes(10), 10)
        .await
        .unwrap();
    assert_eq!(rest, due[2..].to_vec());
    assert!(
        store
            .claim_due_sources(t0() + SignedDuration::from_secs(30), minutes(10), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed sources are not claimed again while their claim lives"
    );
    // Just before the claims expire, only the source that became due meanwhile.
    let just_before_expiry = t0() + minutes(10) - SignedDuration::from_micros(1);
    let later = store
        .claim_due_sources(just_before_expiry, minutes(10), 10)
        .await
        .unwrap();
    let became_due = store.source_by_url(&url("https://d.example/feed")).await;
    assert_eq!(later, vec![became_due.unwrap().unwrap()]);
    // The schedule itself does not change.
    assert_eq!(store.due_sources(t0(), 10).await.unwrap(), due);
}

pub async fn claim_due_sources_again_when_the_claim_expires(store: &dyn Store) {
    let due = due_schedule(store).await;
    store
        .claim_due_sources(t0(), minutes(10), 10)
        .await
        .unwrap();
    // The poller died: at the claim's expiry the sources are claimable again.
    let expiry = t0() + minutes(10);
    let reclaimed = store
        .claim_due_sources(expiry, minutes(10), 10)
        .await
        .unwrap();
    // The one due at t0 + 1 minute has become due meanwhile.
    let later = store.source_by_url(&url("https://d.example/feed")).await;
    let mut expected = due.clone();
    expected.push(later.unwrap().unwrap());
    assert_eq!(reclaimed, expected);
}

pub async fn update_source_ends_its_claim(store: &dyn Store) {
    let due = due_schedule(store).await;
    let claimed = store.claim_due_sources(t0(), minutes(10), 1).await.unwrap();
    assert_eq!(claimed, due[..1].to_vec());
    // The poll failed fast and the source is due again at once: recording the
    // outcome ends the claim, so it is claimable before the claim would expire.
    let mut polled = claimed[0].clone();
    polled.poll.last_error = Some("HTTP 503".into());
    polled.poll.consecutive_failures = 1;
    store.update_source(&polled).await.unwrap();
    let again = store
        .claim_due_sources(t0() + minutes(1), minutes(10), 10)
        .await
        .unwrap();
    let became_due = store
        .source_by_url(&url("https://d.example/feed"))
        .await
        .unwrap()
        .unwrap();
    let expected = vec![polled, due[1].clone(), due[2].clone(), became_due];
    assert_eq!(again, expected);
}

pub async fn claim_due_sources_skips_disabled_and_removed_sources(store: &dyn Store) {
    let due = due_schedule(store).await;
    assert!(store.remove_source(due[0].id).await.unwrap());
    let mut disabled = due[1].clone();
    disabled.poll.status = SourceStatus::Disabled;
    store.update_source(&disabled).await.unwrap();
    let claimed = store
        .claim_due_sources(t0(), minutes(10), 10)
        .await
        .unwrap();
    assert_eq!(claimed, due[2..].to_vec());
}

pub async fn concurrent_source_claims_never_hand_out_a_source_twice(
    first: &dyn Store,
    second: &dyn Store,
) {
    let mut all = BTreeSet::new();
    for i in 0..40 {
        all.insert(
            add_source(first, &format!("https://s{i}.example/feed"))
                .await
                .id,
        );
    }
    let (a, b) = tokio::join!(
        first.claim_due_sources(t0(), minutes(10), 25),
        second.claim_due_sources(t0(), minutes(10), 25)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids: BTreeSet<SourceId> = a.iter().chain(&b).map(|s| s.id).collect();
    assert_eq!(a.len() + b.len(), all.len());
    assert_eq!(ids, all);
}

pub async fn update_source_round_trips_every_field(store: &dyn Store) {
    let added = add_source(store, "https://example.org/feed").await;
    let full = Source {
        id: added.id,
        url: url("https://example.org/moved/feed.xml"),
        title: Some("Le Monde — À la une".into()),
        site_url: Some(url("https://example.org/")),
        added_at: added.added_at,
        poll: PollState {
            status: SourceStatus::Disabled,
            etag: Some("W/\"abc-123\"".into()),
            last_modified: Some("Sun, 01 Mar 2026 05:00:00 GMT".into()),
            next_poll_at: t0() + minutes(45),
            interval_secs: 2700,
            last_polled_at: Some(t0() - minutes(1)),
            last_success_at: Some(t0() - hours(3)),
            last_error: Some("HTTP 503: Service Unavailable".into()),
            last_error_at: Some(t0() - minutes(1) + SignedDuration::from_micros(1)),
            consecutive_failures: 4,
        },
    };
    store.update_source(&full).await.unwrap();
    assert_eq!(store.source(added.id).await.unwrap(), Some(full.clone()));
    assert_eq!(
        store.source_by_url(&full.url).await.unwrap(),
        Some(full.clone())
    );
    assert_eq!(store.source_by_url(&added.url).await.unwrap(), None);

    let cleared = Source {
        title: None,
        site_url: None,
        poll: PollState::new(t0() + hours(1)),
        ..full
    };
    store.update_source(&cleared).await.unwrap();
    assert_eq!(store.source(added.id).await.unwrap(), Some(cleared));
}

pub async fn update_source_of_a_removed_source_is_not_found(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    assert!(store.remove_source(source.id).await.unwrap());
    assert_not_found(store.update_source(&source).await, "source");
}

pub async fn instants_are_kept_to_the_microsecond(store: &dyn Store) {
    let mut source = add_source(store, "https://example.org/feed").await;
    let precise: Timestamp = "2026-03-01T06:00:00.123456789Z".parse().unwrap();
    source.poll.next_poll_at = precise;
    store.update_source(&source).await.unwrap();
    let stored = store.source(source.id).await.unwrap().unwrap();
    let expected: Timestamp = "2026-03-01T06:00:00.123456Z".parse().unwrap();
    assert_eq!(stored.poll.next_poll_at, expected);
}

pub async fn nul_in_text_is_stored_as_the_replacement_character(store: &dyn Store) {
    let mut source = add_source(store, "https://example.org/feed").await;
    source.title = Some("Tit\0le".into());
    source.poll.last_error = Some("bad byte \0".into());
    store.update_source(&source).await.unwrap();
    let stored = store.source(source.id).await.unwrap().unwrap();
    assert_eq!(stored.title.as_deref(), Some("Tit\u{FFFD}le"));
    assert_eq!(stored.poll.last_error.as_deref(), Some("bad byte \u{FFFD}"));

    let mut entry = feed_entry("guid\0", Some(t0()));
    entry.title = Some("\0".into());
    entry.authors = vec!["Ann\0".into()];
    let stored = store
        .insert_entries(source.id, std::slice::from_ref(&entry), t0())
        .await
        .unwrap();
    assert_eq!(stored[0].item.id, "guid\u{FFFD}");
    assert_eq!(stored[0].item.title.as_deref(), Some("\u{FFFD}"));
    // Inside JSON values it is kept.
    assert_eq!(stored[0].item.authors, entry.authors);

    let mut article = new_article(source.id, 1, None);
    article.content.text = "A\0B".into();
    let (id, _) = store.insert_article(&article).await.unwrap();
    let stored = store.article(id).await.unwrap().unwrap();
    assert_eq!(stored.content.text, "A\u{FFFD}B");

    store
        .set_source_model(source.id, "kind\0", "model\0", t0())
        .await
        .unwrap();
    assert_eq!(
        store
            .source_model(source.id, "kind\0")
            .await
            .unwrap()
            .as_deref(),
        Some("model\u{FFFD}")
    );
}

pub async fn remove_source_deletes_its_entries_but_keeps_its_articles(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let entries = store
        .insert_entries(source.id, &[feed_entry("a", Some(t0() - hours(1)))], t0())
        .await
        .unwrap();
    let article = NewArticle {
        entry_id: Some(entries[0].id),
        ..new_article(source.id, 1, None)
    };
    let (article_id, _) = store.insert_article(&article).await.unwrap();
    let story = store.create_story(article_id, t0()).await.unwrap();

    assert!(store.remove_source(source.id).await.unwrap());

    assert_eq!(store.source(source.id).await.unwrap(), None);
    assert_eq!(
        store.recent_entry_times(source.id, 10).await.unwrap(),
        vec![]
    );
    let kept = store.article(article_id).await.unwrap().unwrap();
    assert_eq!(kept.source_id, source.id);
    assert_eq!(kept.entry_id, None);
    assert_eq!(kept.title, article.title);
    let story = store.story(story).await.unwrap().unwrap();
    assert_eq!(story.members[0].article_id, article_id);
    assert!(!store.remove_source(source.id).await.unwrap());
}

pub async fn removed_source_ids_are_not_reused(store: &dyn Store) {
    add_source(store, "https://a.example/feed").await;
    let removed = add_source(store, "https://b.example/feed").await;
    assert!(store.remove_source(removed.id).await.unwrap());
    let next = add_source(store, "https://c.example/feed").await;
    assert_ne!(next.id, removed.id);
    let readded = add_source(store, "https://b.example/feed").await;
    assert_ne!(readded.id, removed.id);
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

pub async fn insert_entries_skips_known_ids_and_keeps_input_order(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let first = [feed_entry("a", None), feed_entry("b", None)];
    let stored = store.insert_entries(source.id, &first, t0()).await.unwrap();
    assert_eq!(stored.len(), 2);
    // Their articles are stored (entries without one come back: see the orphan test).
    for (n, entry) in stored.iter().enumerate() {
        let mut article = new_article(source.id, n as u32, None);
        article.entry_id = Some(entry.id);
        store.insert_article(&article).await.unwrap();
    }

    let later = t0() + hours(1);
    let mut updated_a = feed_entry("a", None);
    updated_a.title = Some("Changed title".into());
    let second = [
        feed_entry("d", Some(t0())),
        updated_a,
        feed_entry("c", None),
        feed_entry("d", None),
    ];
    let stored = store
        .insert_entries(source.id, &second, later)
        .await
        .unwrap();
    let expected_items = [second[0].clone(), second[2].clone()];
    assert_eq!(stored.len(), expected_items.len());
    for (entry, item) in stored.iter().zip(&expected_items) {
        assert_eq!(entry.source_id, source.id);
        assert_eq!(entry.first_seen, later);
        assert_eq!(&entry.item, item);
    }
    let ids: BTreeSet<EntryId> = stored.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 2);

    // Identifiers are per source.
    let other = add_source(store, "https://other.example/feed").await;
    let stored = store.insert_entries(other.id, &first, t0()).await.unwrap();
    assert_eq!(stored.len(), 2);
}

pub async fn an_entry_whose_article_was_never_stored_comes_back(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let entries = [
        feed_entry("a", None),
        feed_entry("b", None),
        feed_entry("c", None),
    ];
    let stored = store
        .insert_entries(source.id, &entries, t0())
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    // The poll stored the article of "a" from its entry, found "b"'s link already
    // stored (by another feed), and died before "c"'s article.
    let mut a = new_article(source.id, 1, None);
    a.entry_id = Some(stored[0].id);
    store.insert_article(&a).await.unwrap();
    let mut b = new_article(source.id, 2, None);
    b.url = entries[1].link.clone().unwrap();
    store.insert_article(&b).await.unwrap();

    let again = store
        .insert_entries(source.id, &entries, t0() + hours(1))
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].id, stored[2].id, "the same entry, not a new one");
    assert_eq!(again[0].first_seen, t0());

    // Once its article is stored it is skipped like the others.
    let mut c = new_article(source.id, 3, None);
    c.entry_id = Some(stored[2].id);
    store.insert_article(&c).await.unwrap();
    let none = store
        .insert_entries(source.id, &entries, t0() + hours(2))
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
}

pub async fn insert_entries_round_trips_every_field(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let full = FeedEntry {
        id: "urn:uuid:0f1e-Ü".into(),
        title: Some("Élections : « résultats »".into()),
        link: Some(url("https://example.org/2026/03/élections?x=1#top")),
        published: Some(t0() - hours(2)),
        updated: Some(t0() - hours(1)),
        authors: vec!["Zoë".into(), "李雷".into()],
        summary: Some("Résumé.".into()),
        content_html: Some("<p>Contenu <em>complet</em></p>".into()),
        language: Some("fr".into()),
        image: Some(url("https://example.org/i.jpg")),
    };
    let stored = store
        .insert_entries(source.id, std::slice::from_ref(&full), t0())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].item, full);
}

pub async fn insert_entries_for_a_missing_source_is_not_found(store: &dyn Store) {
    let result = store
        .insert_entries(SourceId(404), &[feed_entry("a", None)], t0())
        .await;
    assert_not_found(result, "source");
}

pub async fn recent_entry_times_are_the_newest_publications_of_the_source(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let other = add_source(store, "https://other.example/feed").await;
    let times = [hours(5), hours(1), hours(3), hours(2)].map(|ago| t0() - ago);
    let entries: Vec<FeedEntry> = times
        .iter()
        .enumerate()
        .map(|(i, &t)| feed_entry(&format!("e{i}"), Some(t)))
        .chain([feed_entry("undated", None)])
        .collect();
    store
        .insert_entries(source.id, &entries, t0())
        .await
        .unwrap();
    let newest_elsewhere = [feed_entry("x", Some(t0()))];
    store
        .insert_entries(other.id, &newest_elsewhere, t0())
        .await
        .unwrap();

    let recent = store.recent_entry_times(source.id, 3).await.unwrap();
    assert_eq!(recent, vec![times[1], times[3], times[2]]);
    let all = store.recent_entry_times(source.id, 10).await.unwrap();
    assert_eq!(all.len(), times.len());
}

// ---------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------

pub async fn insert_article_dedupes_by_url(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let article = new_article(source.id, 1, None);
    let (id, created) = store.insert_article(&article).await.unwrap();
    assert!(created);
    let same_url = NewArticle {
        title: "A different title".into(),
        ..article.clone()
    };
    assert_eq!(store.insert_article(&same_url).await.unwrap(), (id, false));
    assert_eq!(
        store.article(id).await.unwrap().unwrap().title,
        article.title
    );
    let (other, created) = store
        .insert_article(&new_article(source.id, 2, None))
        .await
        .unwrap();
    assert!(created);
    assert_ne!(other, id);
}

pub async fn article_content_round_trips(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let entry = store
        .insert_entries(source.id, &[feed_entry("a", None)], t0())
        .await
        .unwrap()[0]
        .id;
    let full = NewArticle {
        source_id: source.id,
        entry_id: Some(entry),
        url: url("https://www.lemonde.fr/politique/article/2026/03/01/grève_123.html"),
        outlet: "lemonde.fr".into(),
        title: "Grève : « On ne lâchera rien », dit Mme Dupont".into(),
        discovered_at: t0(),
        content: ArticleContent {
            url: Some(url(
                "https://www.lemonde.fr/politique/article/2026/03/01/grève_123.html?utm=x",
            )),
            canonical_url: Some(url(
                "https://www.lemonde.fr/politique/article/2026/03/01/grève_123.html",
            )),
            title: Some("Grève : « On ne lâchera rien »".into()),
            authors: vec!["Zoë Dupont".into(), "李雷".into(), "O'Brien".into()],
            published: Some(t0() - hours(2)),
            modified: Some(t0() - hours(1)),
            lang: Some("fr".into()),
            site_name: Some("Le Monde.fr".into()),
            description: Some("La grève continue 🚆.".into()),
            image: Some(url("https://img.lemonde.fr/a.jpg")),
            text: "« On ne lâchera rien », a dit M. Martin.\n\nDeuxième paragraphe — fin. \
                   Null byte-free, emoji 👍, tab\tand \"quotes\"."
                .into(),
            quotes: vec![
                Quote {
                    text: "On ne lâchera rien".into(),
                    speaker: Some("M. Martin".into()),
                },
                Quote {
                    text: "Anonymous words".into(),
                    speaker: None,
                },
            ],
        },
    };
    let (id, _) = store.insert_article(&full).await.unwrap();
    let expected = Article {
        id,
        source_id: full.source_id,
        entry_id: full.entry_id,
        url: full.url.clone(),
        outlet: full.outlet.clone(),
        title: full.title.clone(),
        discovered_at: full.discovered_at,
        content: full.content.clone(),
    };
    assert_eq!(store.article(id).await.unwrap(), Some(expected));

    let minimal = NewArticle {
        source_id: source.id,
        entry_id: None,
        url: url("https://example.org/minimal"),
        outlet: "example.org".into(),
        title: String::new(),
        discovered_at: t0(),
        content: ArticleContent::default(),
    };
    let (id, _) = store.insert_article(&minimal).await.unwrap();
    let stored = store.article(id).await.unwrap().unwrap();
    assert_eq!(stored.content, minimal.content);
    assert_eq!(stored.entry_id, None);
    assert_eq!(store.article(ArticleId(id.0 + 1)).await.unwrap(), None);
}

pub async fn insert_article_for_a_missing_source_is_not_found(store: &dyn Store) {
    let result = store
        .insert_article(&new_article(SourceId(404), 1, None))
        .await;
    assert_not_found(result, "source");
}

pub async fn unassigned_articles_are_in_storage_order_up_to_limit(store: &dyn Store) {
    let first = add_article(store, 3, hours(1)).await;
    let assigned = add_article(store, 1, hours(2)).await;
    let third = add_article(store, 2, hours(3)).await;
    store.create_story(assigned, t0()).await.unwrap();

    let ids = |articles: Vec<Article>| articles.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.unassigned_articles(10).await.unwrap()),
        vec![first, third]
    );
    assert_eq!(
        ids(store.unassigned_articles(1).await.unwrap()),
        vec![first]
    );
    let full = store.unassigned_articles(1).await.unwrap().remove(0);
    assert_eq!(Some(full), store.article(first).await.unwrap());
}

// ---------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------

pub async fn create_story_makes_the_article_its_lead_and_first_member(store: &dyn Store) {
    let id = add_article(store, 1, hours(2)).await;
    let article = store.article(id).await.unwrap().unwrap();
    let joined = t0() + minutes(1);
    let story_id = store.create_story(id, joined).await.unwrap();
    let story = store.story(story_id).await.unwrap().unwrap();
    assert_eq!(
        story,
        Story {
            id: story_id,
            title: article.title.clone(),
            lead: id,
            members: vec![StoryMember {
                article_id: id,
                title: article.title.clone(),
                url: article.url.clone(),
                outlet: article.outlet.clone(),
                lang: "en".into(),
                time: article.effective_time(),
                added_at: joined,
                duplicate_of: None,
            }],
        }
    );
    assert_eq!(store.story(StoryId(story_id.0 + 1)).await.unwrap(), None);
}

pub async fn story_member_of_unknown_language_is_und(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let mut article = new_article(source.id, 1, None);
    article.content.lang = None;
    let (id, _) = store.insert_article(&article).await.unwrap();
    let story = store.create_story(id, t0()).await.unwrap();
    let story = store.story(story).await.unwrap().unwrap();
    assert_eq!(story.members[0].lang, "und");
}

pub async fn add_to_story_lists_members_in_join_order(store: &dyn Store) {
    let a1 = add_article(store, 1, hours(1)).await;
    let a2 = add_article(store, 2, hours(2)).await;
    let a3 = add_article(store, 3, hours(3)).await;
    let story = store.create_story(a2, t0()).await.unwrap();
    store.add_to_story(story, a3, t0()).await.unwrap();
    store.add_to_story(story, a1, t0()).await.unwrap();
    let members: Vec<ArticleId> = store
        .story(story)
        .await
        .unwrap()
        .unwrap()
        .members
        .iter()
        .map(|m| m.article_id)
        .collect();
    assert_eq!(members, vec![a2, a3, a1]);
}

pub async fn a_copy_joins_its_originals_story_linked_to_it(store: &dyn Store) {
    let original = add_article(store, 1, hours(1)).await;
    let copy = add_article(store, 2, hours(2)).await;
    let story = store.create_story(original, t0()).await.unwrap();
    store
        .add_copy_to_story(story, copy, original, t0() + minutes(5))
        .await
        .unwrap();
    let by_id = store.story(story).await.unwrap().unwrap();
    let links: Vec<(ArticleId, Option<ArticleId>)> = by_id
        .members
        .iter()
        .map(|m| (m.article_id, m.duplicate_of))
        .collect();
    assert_eq!(links, vec![(original, None), (copy, Some(original))]);
    // The edition window reads the link too (from the membership index).
    let window = store.stories_since(t0() - hours(24)).await.unwrap();
    assert_eq!(window.len(), 1);
    assert_eq!(window[0].members, by_id.members);
    // The original must exist.
    let other = add_article(store, 3, hours(3)).await;
    let missing = ArticleId(original.0 + 1000);
    let err = store
        .add_copy_to_story(story, other, missing, t0())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "article",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.story(story).await.unwrap().unwrap().members.len(), 2);
}

pub async fn add_to_story_moves_an_article_from_its_previous_story(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let b = add_article(store, 2, hours(1)).await;
    let c = add_article(store, 3, hours(1)).await;
    let first = store.create_story(a, t0()).await.unwrap();
    store.add_to_story(first, b, t0()).await.unwrap();
    let second = store.create_story(c, t0()).await.unwrap();

    let moved_at = t0() + minutes(5);
    store.add_to_story(second, b, moved_at).await.unwrap();

    let first = store.story(first).await.unwrap().unwrap();
    let second = store.story(second).await.unwrap().unwrap();
    let ids = |s: &Story| s.members.iter().map(|m| m.article_id).collect::<Vec<_>>();
    assert_eq!(ids(&first), vec![a]);
    assert_eq!(ids(&second), vec![c, b]);
    assert_eq!(second.members[1].added_at, moved_at);
    assert!(store.unassigned_articles(10).await.unwrap().is_empty());
}

pub async fn articles_by_ids_are_the_existing_ones_in_id_order(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let b = add_article(store, 2, hours(1)).await;
    let c = add_article(store, 3, hours(1)).await;
    let missing = ArticleId(c.0 + 100);
    let found = store.articles(&[c, missing, a]).await.unwrap();
    let ids: Vec<ArticleId> = found.iter().map(|x| x.id).collect();
    assert_eq!(ids, vec![a, c]);
    assert_eq!(found[1], store.article(c).await.unwrap().unwrap());
    assert!(store.articles(&[]).await.unwrap().is_empty());
    assert_eq!(store.articles(&[b, b]).await.unwrap().len(), 1);
}

pub async fn merged_stories_move_their_members_and_lead_to_the_older(store: &dyn Store) {
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(add_article(store, n, hours(1)).await);
    }
    let [a, b, c, d, e] = ids[..] else {
        unreachable!()
    };
    let older = store.create_story(a, t0()).await.unwrap();
    store.add_to_story(older, b, t0()).await.unwrap();
    let younger = store.create_story(c, t0() + minutes(1)).await.unwrap();
    store
        .add_to_story(younger, d, t0() + minutes(2))
        .await
        .unwrap();
    let youngest = store.create_story(e, t0() + minutes(3)).await.unwrap();
    let before = store.story(younger).await.unwrap().unwrap();

    // The youngest merges into the younger, which then merges into the older.
    store.merge_stories(younger, youngest).await.unwrap();
    store.merge_stories(older, younger).await.unwrap();
    let merged = store.story(older).await.unwrap().unwrap();
    let members: Vec<ArticleId> = merged.members.iter().map(|m| m.article_id).collect();
    assert_eq!(members, vec![a, b, c, d, e]);
    assert_eq!(merged.lead, a);
    // Members keep when they joined.
    assert_eq!(merged.members[2..4], before.members[..]);
    // The absorbed stories read as the one they became (one hop each).
    for gone in [younger, youngest] {
        assert_eq!(store.story(gone).await.unwrap().unwrap(), merged);
    }
    // The window lists the merged story once.
    let window = store.stories_since(t0() - hours(24)).await.unwrap();
    assert_eq!(window, vec![merged.clone()]);
    // A new member comes after the moved ones.
    let f = add_article(store, 6, hours(1)).await;
    store.add_to_story(older, f, t0()).await.unwrap();
    let last = store.story(older).await.unwrap().unwrap();
    assert_eq!(last.members.last().unwrap().article_id, f);
    // Merging a story into itself changes nothing; a missing story is not found.
    store.merge_stories(older, older).await.unwrap();
    assert_eq!(store.story(older).await.unwrap().unwrap(), last);
    let missing = StoryId(older.0 + 100);
    assert_not_found(store.merge_stories(older, missing).await, "story");
    assert_not_found(store.merge_stories(missing, older).await, "story");
}

pub async fn adding_a_member_again_keeps_its_place(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let b = add_article(store, 2, hours(1)).await;
    let story = store.create_story(a, t0()).await.unwrap();
    store.add_to_story(story, b, t0()).await.unwrap();
    let before = store.story(story).await.unwrap().unwrap();
    store.add_to_story(story, a, t0() + hours(1)).await.unwrap();
    assert_eq!(store.story(story).await.unwrap().unwrap(), before);
}

pub async fn create_story_takes_the_article_from_its_previous_story(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let b = add_article(store, 2, hours(1)).await;
    let first = store.create_story(a, t0()).await.unwrap();
    store.add_to_story(first, b, t0()).await.unwrap();
    let second = store.create_story(b, t0()).await.unwrap();
    let first = store.story(first).await.unwrap().unwrap();
    assert_eq!(first.members.len(), 1);
    let second = store.story(second).await.unwrap().unwrap();
    assert_eq!((second.lead, second.members.len()), (b, 1));
}

pub async fn set_story_lead_changes_the_title(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let b = add_article(store, 2, hours(1)).await;
    let story = store.create_story(a, t0()).await.unwrap();
    store.add_to_story(story, b, t0()).await.unwrap();
    assert_eq!(
        store.story(story).await.unwrap().unwrap().title,
        "Article 1"
    );

    store.set_story_lead(story, b).await.unwrap();
    let updated = store.story(story).await.unwrap().unwrap();
    assert_eq!((updated.lead, updated.title.as_str()), (b, "Article 2"));
    assert_eq!(updated.members.len(), 2);
}

pub async fn set_story_lead_to_a_non_member_is_not_found(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let outsider = add_article(store, 2, hours(1)).await;
    let story = store.create_story(a, t0()).await.unwrap();
    assert_not_found(store.set_story_lead(story, outsider).await, "story member");
    assert_eq!(store.story(story).await.unwrap().unwrap().lead, a);
}

pub async fn story_operations_on_missing_rows_are_not_found(store: &dyn Store) {
    let a = add_article(store, 1, hours(1)).await;
    let story = store.create_story(a, t0()).await.unwrap();
    let missing_article = ArticleId(a.0 + 100);
    let missing_story = StoryId(story.0 + 100);
    assert_not_found(store.create_story(missing_article, t0()).await, "article");
    assert_not_found(
        store.add_to_story(story, missing_article, t0()).await,
        "article",
    );
    assert_not_found(store.add_to_story(missing_story, a, t0()).await, "story");
    assert_not_found(store.set_story_lead(missing_story, a).await, "story");
}

pub async fn stories_since_are_the_active_stories_newest_first(store: &dyn Store) {
    // A: an old member and a recent one; B: only old; C and its twin E: in
    // between, at the same time; D: at the boundary.
    let a_old = add_article(store, 1, hours(10)).await;
    let a_new = add_article(store, 2, hours(1)).await;
    let b_old = add_article(store, 3, hours(30)).await;
    let c = add_article(store, 4, hours(2)).await;
    let boundary = add_article(store, 5, hours(5)).await;
    let e = add_article(store, 6, hours(2)).await;
    let a = store.create_story(a_old, t0()).await.unwrap();
    store.add_to_story(a, a_new, t0()).await.unwrap();
    let b = store.create_story(b_old, t0()).await.unwrap();
    let c = store.create_story(c, t0()).await.unwrap();
    let d = store.create_story(boundary, t0()).await.unwrap();
    let e = store.create_story(e, t0()).await.unwrap();

    let since = store.stories_since(t0() - hours(5)).await.unwrap();
    let ids: Vec<StoryId> = since.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        vec![a, e, c, d],
        "newest activity first, then newest story"
    );
    assert_eq!(since[0], store.story(a).await.unwrap().unwrap());
    assert_eq!(since[0].members.len(), 2);

    let all = store.stories_since(t0() - hours(48)).await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![a, e, c, d, b]
    );
    assert!(store.stories_since(t0()).await.unwrap().is_empty());
}

pub async fn stories_since_uses_discovery_time_for_future_publication_dates(store: &dyn Store) {
    let source = add_source(store, "https://example.org/feed").await;
    let mut article = new_article(source.id, 1, Some(t0() + hours(24)));
    article.discovered_at = t0() - hours(3);
    let (id, _) = store.insert_article(&article).await.unwrap();
    let story = store.create_story(id, t0()).await.unwrap();
    assert!(
        store
            .stories_since(t0() - hours(2))
            .await
            .unwrap()
            .is_empty()
    );
    let since = store.stories_since(t0() - hours(3)).await.unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].id, story);
    assert_eq!(since[0].members[0].time, t0() - hours(3));
}

// ---------------------------------------------------------------------------
// Editions
// ---------------------------------------------------------------------------

pub async fn insert_edition_once_per_channel_and_slot(store: &dyn Store) {
    let paris = slot("2026-03-01T07:00:00+01:00[Europe/Paris]");
    let first = new_edition("morning", paris.clone());
    let created = match store.insert_edition(&first).await.unwrap() {
        EditionInsert::Created(edition) => edition,
        other => panic!("expected Created, got {other:?}"),
    };
    assert_eq!(created.edition, first);

    // The same instant written in another zone is the same slot.
    let mut recomposed = new_edition("morning", paris.with_time_zone(jiff::tz::TimeZone::UTC));
    recomposed.lang = "en".into();
    recomposed.stories.clear();
    assert_eq!(
        store.insert_edition(&recomposed).await.unwrap(),
        EditionInsert::Existing(created.clone())
    );

    let other_channel = new_edition("evening", paris);
    let other = store.insert_edition(&other_channel).await.unwrap();
    assert!(matches!(other, EditionInsert::Created(ref e) if e.id != created.id));
}

pub async fn insert_edition_race_gives_one_created_and_one_existing(
    first: &dyn Store,
    second: &dyn Store,
) {
    let edition = new_edition("morning", slot("2026-03-01T07:00:00+01:00[Europe/Paris]"));
    let (a, b) = tokio::join!(
        first.insert_edition(&edition),
        second.insert_edition(&edition)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let created = [&a, &b]
        .iter()
        .filter(|r| matches!(r, EditionInsert::Created(_)))
        .count();
    assert_eq!(created, 1, "{a:?} / {b:?}");
    let (a, b) = (a.into_edition(), b.into_edition());
    assert_eq!(a, b);
    assert_eq!(a.edition, edition);
}

pub async fn edition_round_trips_exactly(store: &dyn Store) {
    let slot_text = "2026-03-01T07:00:00+01:00[Europe/Paris]";
    let edition = new_edition("morning", slot(slot_text));
    let id = store
        .insert_edition(&edition)
        .await
        .unwrap()
        .into_edition()
        .id;
    let stored = store
        .edition_for_slot("morning", edition.slot.timestamp())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored,
        Edition {
            id,
            edition: edition.clone()
        }
    );
    // `Zoned` equality ignores the zone; the text does not.
    assert_eq!(stored.edition.slot.to_string(), slot_text);
    assert_eq!(
        serde_json::to_string(&stored.edition).unwrap(),
        serde_json::to_string(&edition).unwrap()
    );
    let other_slot = edition.slot.timestamp() + minutes(1);
    assert_eq!(
        store.edition_for_slot("morning", other_slot).await.unwrap(),
        None
    );
    let slot_instant = edition.slot.timestamp();
    assert_eq!(
        store
            .edition_for_slot("evening", slot_instant)
            .await
            .unwrap(),
        None
    );
}

pub async fn latest_edition_is_the_channels_latest_slot(store: &dyn Store) {
    add_edition(store, "morning", "2026-03-02T07:00:00+01:00[Europe/Paris]").await;
    let latest = add_edition(store, "morning", "2026-03-03T07:00:00+01:00[Europe/Paris]").await;
    add_edition(store, "morning", "2026-03-01T07:00:00+01:00[Europe/Paris]").await;
    add_edition(store, "evening", "2026-03-04T19:00:00+01:00[Europe/Paris]").await;
    assert_eq!(store.latest_edition("morning").await.unwrap(), Some(latest));
    assert_eq!(store.latest_edition("weekly").await.unwrap(), None);
}

pub async fn editions_since_are_oldest_first_from_since(store: &dyn Store) {
    let third = add_edition(store, "morning", "2026-03-03T07:00:00+01:00[Europe/Paris]").await;
    let first = add_edition(store, "morning", "2026-03-01T07:00:00+01:00[Europe/Paris]").await;
    let second = add_edition(store, "morning", "2026-03-02T07:00:00+01:00[Europe/Paris]").await;
    add_edition(store, "evening", "2026-03-02T19:00:00+01:00[Europe/Paris]").await;

    let since = second.edition.slot.timestamp();
    let editions = store.editions_since("morning", since).await.unwrap();
    assert_eq!(editions, vec![second.clone(), third.clone()]);
    let before_all = first.edition.slot.timestamp() - hours(1);
    let editions = store.editions_since("morning", before_all).await.unwrap();
    assert_eq!(editions, vec![first, second, third]);
}

// ---------------------------------------------------------------------------
// Deliveries
// ---------------------------------------------------------------------------

pub async fn enqueue_deliveries_is_idempotent(store: &dyn Store) {
    let edition = add_edition(store, "morning", "2026-03-01T07:00:00+01:00[Europe/Paris]").await;
    let rows = vec![
        new_delivery(edition.id, "chat-2", 0),
        new_delivery(edition.id, "chat-1", 1),
        new_delivery(edition.id, "chat-1", 0),
    ];
    assert_eq!(store.enqueue_deliveries(&rows, t0()).await.unwrap(), 3);

    let mut again = rows.clone();
    again[0].body = "changed".into();
    again.push(new_delivery(edition.id, "chat-3", 0));
    assert_eq!(
        store
            .enqueue_deliveries(&again, t0() + hours(1))
            .await
            .unwrap(),
        1
    );

    let stored = store.deliveries_for_edition(edition.id).await.unwrap();
    let order: Vec<(String, u32)> = claimed_parts(&stored);
    let expected: Vec<(String, u32)> = [("chat-1", 0), ("chat-1", 1), ("chat-2", 0), ("chat-3", 0)]
        .map(|(r, p)| (r.to_owned(), p))
        .to_vec();
    assert_eq!(order, expected);
    let chat2 = &stored[2];
    assert_eq!(chat2.delivery, rows[0]);
    assert_eq!(
        (chat2.state, chat2.attempts, chat2.created_at),
        (DeliveryState::Pending, 0, t0())
    );
    assert_eq!((&chat2.last_error, &chat2.remote_id), (&None, &None));
    assert_eq!((chat2.not_before, chat2.sent_at), (None, None));
    assert_eq!(stored[3].created_at, t0() + hours(1));
}

pub async fn deliveries_for_edition_orders_text_byte_by_byte(store: &dyn Store) {
    let edition = outbox(
        store,
        &[("b", 0), ("é", 0), ("B", 0), ("a", 0), ("A", 1), ("A", 0)],
    )
    .await;
    let stored = store.deliveries_for_edition(edition).await.unwrap();
    let expected: Vec<(String, u32)> = [("A", 0), ("A", 1), ("B", 0), ("a", 0), ("b", 0), ("é", 0)]
        .map(|(r, p)| (r.to_owned(), p))
        .to_vec();
    assert_eq!(claimed_parts(&stored), expected);
}

pub async fn enqueue_deliveries_for_a_missing_edition_is_not_found(store: &dyn Store) {
    let result = store
        .enqueue_deliveries(&[new_delivery(EditionId(404), "chat", 0)], t0())
        .await;
    assert_not_found(result, "edition");
}

pub async fn claim_leases_rows_and_counts_attempts(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0), ("chat-2", 0)]).await;
    let claimed = store.claim_deliveries(t0(), minutes(5), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    for row in &claimed {
        assert_eq!(row.state, DeliveryState::Sending);
        assert_eq!(row.attempts, 1);
        assert_eq!(row.not_before, Some(t0() + minutes(5)));
        assert_eq!(row.delivery.edition_id, edition);
    }
    assert_eq!(claimed[0], delivery(store, edition, "chat-1", 0).await);
    // The lease is live: nobody else gets these rows.
    let later = t0() + minutes(5) - SignedDuration::from_micros(1);
    assert!(
        store
            .claim_deliveries(later, minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn claim_reclaims_rows_whose_lease_expired(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0)]).await;
    store.claim_deliveries(t0(), minutes(5), 10).await.unwrap();
    let expiry = t0() + minutes(5);
    let reclaimed = store
        .claim_deliveries(expiry, minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed_parts(&reclaimed), vec![("chat-1".to_owned(), 0)]);
    assert_eq!(reclaimed[0].attempts, 2);
    assert_eq!(reclaimed[0].not_before, Some(expiry + minutes(5)));
    assert_eq!(delivery(store, edition, "chat-1", 0).await, reclaimed[0]);
}

pub async fn claim_honours_the_limit_oldest_first(store: &dyn Store) {
    outbox(store, &[("chat-1", 0), ("chat-2", 0), ("chat-3", 0)]).await;
    let claimed = store.claim_deliveries(t0(), minutes(5), 2).await.unwrap();
    assert_eq!(
        claimed_parts(&claimed),
        vec![("chat-1".to_owned(), 0), ("chat-2".to_owned(), 0)]
    );
    let rest = store.claim_deliveries(t0(), minutes(5), 2).await.unwrap();
    assert_eq!(claimed_parts(&rest), vec![("chat-3".to_owned(), 0)]);
}

pub async fn claim_sends_parts_in_order(store: &dyn Store) {
    let edition = outbox(
        store,
        &[("chat-1", 2), ("chat-1", 1), ("chat-1", 0), ("chat-2", 0)],
    )
    .await;
    let lease = minutes(5);
    let mut now = t0();
    let mut sent_order = Vec::new();
    loop {
        let claimed = store.claim_deliveries(now, lease, 10).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        for row in claimed {
            sent_order.push((row.delivery.recipient.clone(), row.delivery.part));
            store.mark_delivery_sent(row.id, None, now).await.unwrap();
        }
        now += minutes(1);
    }
    assert_eq!(
        sent_order,
        [("chat-1", 0), ("chat-2", 0), ("chat-1", 1), ("chat-1", 2)]
            .map(|(r, p)| (r.to_owned(), p))
            .to_vec()
    );
    let all = store.deliveries_for_edition(edition).await.unwrap();
    assert!(all.iter().all(|d| d.state == DeliveryState::Sent));
}

pub async fn claim_holds_later_parts_while_an_earlier_part_is_being_sent(store: &dyn Store) {
    outbox(store, &[("chat-1", 0), ("chat-1", 1)]).await;
    let first = store.claim_deliveries(t0(), minutes(5), 10).await.unwrap();
    assert_eq!(claimed_parts(&first), vec![("chat-1".to_owned(), 0)]);
    // Part 0's lease expired: it is retried, part 1 still waits.
    let retry = store
        .claim_deliveries(t0() + hours(1), minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed_parts(&retry), vec![("chat-1".to_owned(), 0)]);
}

pub async fn retry_waits_for_not_before(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0)]).await;
    let row = store
        .claim_deliveries(t0(), minutes(5), 10)
        .await
        .unwrap()
        .remove(0);
    let retry_at = t0() + minutes(10);
    store
        .mark_delivery_failed(row.id, "HTTP 429: retry after 600 s", Some(retry_at))
        .await
        .unwrap();
    let failed = delivery(store, edition, "chat-1", 0).await;
    assert_eq!(failed.state, DeliveryState::Pending);
    assert_eq!(failed.not_before, Some(retry_at));
    assert_eq!(
        failed.last_error.as_deref(),
        Some("HTTP 429: retry after 600 s")
    );
    assert_eq!(failed.attempts, 1);

    let early = retry_at - SignedDuration::from_micros(1);
    assert!(
        store
            .claim_deliveries(early, minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = store
        .claim_deliveries(retry_at, minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!((retried[0].id, retried[0].attempts), (row.id, 2));
}

pub async fn failure_without_retry_is_final(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0), ("chat-1", 1)]).await;
    let row = store
        .claim_deliveries(t0(), minutes(5), 10)
        .await
        .unwrap()
        .remove(0);
    store
        .mark_delivery_failed(row.id, "403: bot was blocked by the user", None)
        .await
        .unwrap();
    let failed = delivery(store, edition, "chat-1", 0).await;
    assert_eq!(failed.state, DeliveryState::Failed);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("403: bot was blocked by the user")
    );
    // Neither the failed part nor the parts after it are claimed, ever.
    let far = t0() + hours(24 * 365);
    assert!(
        store
            .claim_deliveries(far, minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn sent_rows_are_never_claimed_again(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0)]).await;
    let row = store
        .claim_deliveries(t0(), minutes(5), 10)
        .await
        .unwrap()
        .remove(0);
    let sent_at = t0() + minutes(1);
    store
        .mark_delivery_sent(row.id, Some("msg-4711"), sent_at)
        .await
        .unwrap();
    let sent = delivery(store, edition, "chat-1", 0).await;
    assert_eq!(sent.state, DeliveryState::Sent);
    assert_eq!(sent.remote_id.as_deref(), Some("msg-4711"));
    assert_eq!(sent.sent_at, Some(sent_at));
    assert_eq!(sent.attempts, 1);
    let far = t0() + hours(24 * 365);
    assert!(
        store
            .claim_deliveries(far, minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn failure_reported_after_sent_does_not_resend(store: &dyn Store) {
    let edition = outbox(store, &[("chat-1", 0)]).await;
    let row = store
        .claim_deliveries(t0(), minutes(5), 10)
        .await
        .unwrap()
        .remove(0);
    store
        .mark_delivery_sent(row.id, Some("42"), t0())
        .await
        .unwrap();
    // A worker whose lease had expired reports a failure late.
    store
        .mark_delivery_failed(row.id, "timeout", Some(t0() + minutes(1)))
        .await
        .unwrap();
    let sent = delivery(store, edition, "chat-1", 0).await;
    assert_eq!(
        (sent.state, sent.remote_id.as_deref()),
        (DeliveryState::Sent, Some("42"))
    );
    let far = t0() + hours(24 * 365);
    assert!(
        store
            .claim_deliveries(far, minutes(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn marking_a_missing_delivery_is_not_found(store: &dyn Store) {
    assert_not_found(
        store.mark_delivery_sent(DeliveryId(404), None, t0()).await,
        "delivery",
    );
    assert_not_found(
        store.mark_delivery_failed(DeliveryId(404), "x", None).await,
        "delivery",
    );
}

pub async fn concurrent_claims_never_hand_out_a_row_twice(first: &dyn Store, second: &dyn Store) {
    let recipients: Vec<String> = (0..40).map(|i| format!("chat-{i}")).collect();
    let rows: Vec<(&str, u32)> = recipients.iter().map(|r| (r.as_str(), 0)).collect();
    outbox(first, &rows).await;
    let (a, b) = tokio::join!(
        first.claim_deliveries(t0(), minutes(5), 25),
        second.claim_deliveries(t0(), minutes(5), 25)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids: BTreeSet<DeliveryId> = a.iter().chain(&b).map(|d| d.id).collect();
    assert_eq!(a.len() + b.len(), rows.len());
    assert_eq!(ids.len(), rows.len());
}

// ---------------------------------------------------------------------------
// Coordination between nodes
// ---------------------------------------------------------------------------

pub async fn scheduler_lock_is_held_by_one_node_until_it_expires(store: &dyn Store) {
    let ttl = minutes(1);
    assert!(store.try_lock_scheduler("node-a", t0(), ttl).await.unwrap());
    let before_expiry = t0() + ttl - SignedDuration::from_micros(1);
    assert!(
        !store
            .try_lock_scheduler("node-b", before_expiry, ttl)
            .await
            .unwrap()
    );
    // node-a died: at expiry node-b takes over, and node-a is now refused.
    let expiry = t0() + ttl;
    assert!(
        store
            .try_lock_scheduler("node-b", expiry, ttl)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lock_scheduler("node-a", expiry + SignedDuration::from_micros(1), ttl)
            .await
            .unwrap()
    );
}

pub async fn scheduler_lock_is_renewed_by_its_holder(store: &dyn Store) {
    let ttl = minutes(1);
    assert!(store.try_lock_scheduler("node-a", t0(), ttl).await.unwrap());
    // Renewed half-way: the lock now lasts until t0 + 90 s.
    let renewal = t0() + SignedDuration::from_secs(30);
    assert!(
        store
            .try_lock_scheduler("node-a", renewal, ttl)
            .await
            .unwrap()
    );
    let after_first_ttl = t0() + ttl + SignedDuration::from_secs(1);
    assert!(
        !store
            .try_lock_scheduler("node-b", after_first_ttl, ttl)
            .await
            .unwrap()
    );
    assert!(
        store
            .try_lock_scheduler("node-b", renewal + ttl, ttl)
            .await
            .unwrap()
    );
}

pub async fn unlock_scheduler_frees_only_its_own_lock(store: &dyn Store) {
    let ttl = minutes(1);
    assert!(!store.unlock_scheduler("node-a").await.unwrap());
    assert!(store.try_lock_scheduler("node-a", t0(), ttl).await.unwrap());
    assert!(!store.unlock_scheduler("node-b").await.unwrap());
    assert!(!store.try_lock_scheduler("node-b", t0(), ttl).await.unwrap());
    assert!(store.unlock_scheduler("node-a").await.unwrap());
    assert!(store.try_lock_scheduler("node-b", t0(), ttl).await.unwrap());
}

pub async fn node_locks_are_independent(store: &dyn Store) {
    use gazette_core::NodeLock;
    let ttl = minutes(1);
    assert!(store.try_lock_scheduler("node-a", t0(), ttl).await.unwrap());
    // Another node may poll the bot while node-a schedules.
    assert!(
        store
            .try_lock(NodeLock::TelegramPolling, "node-b", t0(), ttl)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lock(NodeLock::TelegramPolling, "node-a", t0(), ttl)
            .await
            .unwrap()
    );
    assert!(
        !store
            .unlock(NodeLock::TelegramPolling, "node-a")
            .await
            .unwrap()
    );
    assert!(
        store
            .unlock(NodeLock::TelegramPolling, "node-b")
            .await
            .unwrap()
    );
    assert!(!store.try_lock_scheduler("node-b", t0(), ttl).await.unwrap());
    assert!(
        store
            .try_lock(NodeLock::TelegramPolling, "node-a", t0(), ttl)
            .await
            .unwrap()
    );
}

pub async fn scheduler_lock_race_gives_it_to_one_node(first: &dyn Store, second: &dyn Store) {
    let (a, b) = tokio::join!(
        first.try_lock_scheduler("node-a", t0(), minutes(1)),
        second.try_lock_scheduler("node-b", t0(), minutes(1))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a != b, "exactly one node holds the lock: a={a}, b={b}");
}
