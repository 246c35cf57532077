//! The outbox end to end, on the real SQLite store: queueing, ordered
//! delivery, retries, giving up, and recovery after a crashed worker.

use std::io::{self, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gazette_core::config::{ChannelConfig, SinkConfig};
use gazette_core::{
    Delivery, DeliveryState, Edition, Format, NewDelivery, NewEdition, RankedStory, SourceLink,
    Store, StoryId,
};
use gazette_deliver::sinks::stdout::StdoutSink;
use gazette_deliver::{DeliverError, Outbox, OutboxConfig, OutboxReport, queue_edition};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// When every test composes and first runs the outbox.
fn t0() -> Timestamp {
    ts("2026-01-15T06:31:00Z")
}

fn channel(sinks: Vec<SinkConfig>) -> ChannelConfig {
    ChannelConfig {
        name: "briefing".into(),
        title: "Morning Briefing".into(),
        timezone: jiff::tz::TimeZone::get("Europe/Paris").unwrap(),
        timezone_name: "Europe/Paris".into(),
        schedule: vec![jiff::civil::time(7, 30, 0, 0)],
        size: 50,
        lang: "en".into(),
        lookback: SignedDuration::from_hours(24),
        min_stories: 1,
        min_score: 0.0,
        topics: vec![],
        mutes: vec![],
        sinks,
    }
}

fn file_sink(name: &str, dir: &Path, format: Format) -> SinkConfig {
    SinkConfig::File {
        name: name.into(),
        dir: dir.to_path_buf(),
        format,
    }
}

fn story(id: i64, summary_len: usize) -> RankedStory {
    RankedStory {
        story_id: StoryId(id),
        title: format!("Story {id}"),
        score: 100.0 - id as f64,
        signals: vec![],
        summary: vec![format!(
            "Story {id} in detail: {}",
            "word ".repeat(summary_len / 5)
        )],
        key_quote: None,
        sources: vec![SourceLink {
            url: format!("https://news.example/{id}").parse().unwrap(),
            outlet: "news.example".into(),
            title: format!("Story {id}"),
            lang: "en".into(),
        }],
        outlet_count: 2,
        article_count: 2,
        languages: vec!["en".into()],
        first_seen: ts("2026-01-15T04:00:00Z"),
        last_seen: ts("2026-01-15T05:00:00Z"),
        update: false,
    }
}

fn new_edition(stories: Vec<RankedStory>) -> NewEdition {
    NewEdition {
        channel: "briefing".into(),
        slot: "2026-01-15T07:30:00+01:00[Europe/Paris]".parse().unwrap(),
        window_start: ts("2026-01-14T06:30:00Z"),
        window_end: ts("2026-01-15T06:30:00Z"),
        composed_at: t0(),
        lang: "en".into(),
        stories,
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: SqliteStore,
    renderer: Renderer,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("gazette.db")).unwrap();
        Fixture {
            root: dir.path().to_path_buf(),
            _dir: dir,
            store,
            renderer: Renderer::new(None).unwrap(),
        }
    }

    async fn edition(&self, stories: Vec<RankedStory>) -> Edition {
        self.store
            .insert_edition(&new_edition(stories))
            .await
            .unwrap()
            .into_edition()
    }

    async fn queue(&self, channel: &ChannelConfig, edition: &Edition) -> usize {
        queue_edition(&self.store, &self.renderer, channel, edition, t0())
            .await
            .unwrap()
    }

    async fn rows(&self, edition: &Edition) -> Vec<Delivery> {
        self.store.deliveries_for_edition(edition.id).await.unwrap()
    }

    async fn run(&self, outbox: &Outbox, at: Timestamp) -> OutboxReport {
        outbox.run_once(&self.store, at).await.unwrap()
    }
}

fn outbox(channel: &ChannelConfig) -> Outbox {
    Outbox::from_channels(std::slice::from_ref(channel))
        .unwrap()
        .with_config(OutboxConfig {
            max_attempts: NonZeroU32::new(3).unwrap(),
            backoff_base: SignedDuration::from_secs(10),
            backoff_cap: SignedDuration::from_secs(60),
            ..OutboxConfig::default()
        })
}

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn queueing_an_edition_twice_gives_one_set_of_rows() {
    let f = Fixture::new();
    let ch = channel(vec![
        file_sink("telegram", &f.root.join("tg"), Format::Telegram),
        file_sink("json", &f.root.join("json"), Format::Json),
    ]);
    let edition = f
        .edition((1..=20).map(|id| story(id, 1500)).collect())
        .await;
    let parts = f
        .renderer
        .render(&edition.edition, &ch.title, Format::Telegram)
        .unwrap()
        .parts;
    assert!(
        parts.len() > 3,
        "long stories need several Telegram messages"
    );

    let created = f.queue(&ch, &edition).await;
    assert_eq!(created, parts.len() + 1);
    assert_eq!(
        f.queue(&ch, &edition).await,
        0,
        "queueing again creates nothing"
    );

    let rows = f.rows(&edition).await;
    assert_eq!(rows.len(), parts.len() + 1);
    let telegram: Vec<&Delivery> = rows
        .iter()
        .filter(|r| r.delivery.sink == "briefing/telegram")
        .collect();
    assert_eq!(telegram.len(), parts.len());
    for (i, row) in telegram.iter().enumerate() {
        assert_eq!(row.delivery.part, i as u32);
        assert_eq!(row.delivery.recipient, "briefing-2026-01-15T0730");
        assert_eq!(row.delivery.body, parts[i]);
        assert_eq!(row.state, DeliveryState::Pending);
    }
}

#[tokio::test]
async fn queueing_refuses_an_edition_of_another_channel() {
    let f = Fixture::new();
    let mut other = channel(vec![]);
    other.name = "other".into();
    let edition = f.edition(vec![story(1, 10)]).await;
    let error = queue_edition(&f.store, &f.renderer, &other, &edition, t0())
        .await
        .unwrap_err();
    assert!(
        matches!(error, DeliverError::WrongChannel { .. }),
        "{error}"
    );
    assert!(f.rows(&edition).await.is_empty());
}

#[tokio::test]
async fn every_part_is_written_once_and_in_order() {
    let f = Fixture::new();
    let dir = f.root.join("editions");
    let ch = channel(vec![
        file_sink("file", &dir, Format::Telegram),
        SinkConfig::Stdout {
            name: "stdout".into(),
            format: Format::Telegram,
        },
    ]);
    let captured = Captured::default();
    let outbox = outbox(&ch).with_sink(
        "briefing/stdout".into(),
        Box::new(StdoutSink::with_writer(Box::new(captured.clone()))),
    );
    let edition = f
        .edition((1..=12).map(|id| story(id, 1500)).collect())
        .await;
    let parts = f
        .renderer
        .render(&edition.edition, &ch.title, Format::Telegram)
        .unwrap()
        .parts;
    assert!(
        parts.len() > 2,
        "several parts, each claimable only after the previous one is sent"
    );
    f.queue(&ch, &edition).await;

    let report = f.run(&outbox, t0()).await;
    let total = 2 * parts.len();
    assert_eq!(
        report,
        OutboxReport {
            claimed: total,
            sent: total,
            retrying: 0,
            failed: 0,
            abandoned: 0,
        }
    );

    // Standard output received the parts once each, in order.
    let expected: String = parts.iter().map(|p| format!("{p}\n")).collect();
    assert_eq!(
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap(),
        expected
    );
    // The directory holds one file per part, with that part.
    for (i, part) in parts.iter().enumerate() {
        let path = dir.join(format!("briefing-2026-01-15T0730-part{}.html", i + 1));
        assert_eq!(&std::fs::read_to_string(&path).unwrap(), part);
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), parts.len());
    for row in f.rows(&edition).await {
        assert_eq!(row.state, DeliveryState::Sent);
        assert_eq!(row.attempts, 1);
        assert_eq!(row.sent_at, Some(t0()));
        if row.delivery.sink == "briefing/file" {
            let file = format!(
                "briefing-2026-01-15T0730-part{}.html",
                row.delivery.part + 1
            );
            assert_eq!(row.remote_id, Some(dir.join(file).display().to_string()));
        }
    }
    // Nothing is sent twice.
    assert_eq!(
        f.run(&outbox, t0() + SignedDuration::from_hours(1)).await,
        OutboxReport::default()
    );
    assert_eq!(captured.0.lock().unwrap().len(), expected.len());
}

#[tokio::test]
async fn failing_sink_retries_then_gives_up_after_max_attempts() {
    let f = Fixture::new();
    let blocked = f.root.join("editions");
    std::fs::write(&blocked, "a file where the directory should be").unwrap();
    let ch = channel(vec![file_sink("file", &blocked, Format::Text)]);
    let outbox = outbox(&ch);
    let edition = f.edition(vec![story(1, 10)]).await;
    f.queue(&ch, &edition).await;
    let secs = |s: i64| t0() + SignedDuration::from_secs(s);

    let first = f.run(&outbox, t0()).await;
    assert_eq!(
        first,
        OutboxReport {
            claimed: 1,
            sent: 0,
            retrying: 1,
            failed: 0,
            abandoned: 0,
        }
    );
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Pending, 1));
    assert_eq!(row.not_before, Some(secs(10)), "first backoff: 10 s");
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("briefing-2026-01-15T0730-part1.txt")
    );

    assert_eq!(
        f.run(&outbox, secs(9)).await.claimed,
        0,
        "not before the backoff"
    );
    assert_eq!(f.run(&outbox, secs(10)).await.retrying, 1);
    assert_eq!(
        f.rows(&edition).await[0].not_before,
        Some(secs(30)),
        "second backoff: 20 s"
    );

    let last = f.run(&outbox, secs(30)).await;
    assert_eq!(
        last,
        OutboxReport {
            claimed: 1,
            sent: 0,
            retrying: 0,
            failed: 1,
            abandoned: 0,
        }
    );
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Failed, 3));
    assert!(
        row.last_error.as_deref().unwrap().contains("cannot write"),
        "{:?}",
        row.last_error
    );
    assert_eq!(
        f.run(&outbox, secs(3600)).await,
        OutboxReport::default(),
        "failed rows stay failed"
    );
}

#[tokio::test]
async fn failing_sink_delivers_once_the_problem_is_fixed() {
    let f = Fixture::new();
    let blocked = f.root.join("editions");
    std::fs::write(&blocked, "in the way").unwrap();
    let ch = channel(vec![file_sink("file", &blocked, Format::Text)]);
    let outbox = outbox(&ch);
    let edition = f.edition(vec![story(1, 10)]).await;
    f.queue(&ch, &edition).await;

    assert_eq!(f.run(&outbox, t0()).await.retrying, 1);
    std::fs::remove_file(&blocked).unwrap();
    assert_eq!(
        f.run(&outbox, t0() + SignedDuration::from_secs(10))
            .await
            .sent,
        1
    );
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Sent, 2));
    assert!(blocked.join("briefing-2026-01-15T0730-part1.txt").is_file());
}

#[tokio::test]
async fn undeliverable_row_fails_at_once_with_its_error() {
    let f = Fixture::new();
    let dir = f.root.join("editions");
    let ch = channel(vec![file_sink("file", &dir, Format::Text)]);
    let edition = f.edition(vec![story(1, 10)]).await;
    let row = NewDelivery {
        edition_id: edition.id,
        sink: "briefing/file".into(),
        recipient: "../outside".into(),
        part: 0,
        body: "x".into(),
    };
    f.store.enqueue_deliveries(&[row], t0()).await.unwrap();

    let report = f.run(&outbox(&ch), t0()).await;
    assert_eq!(
        report,
        OutboxReport {
            claimed: 1,
            sent: 0,
            retrying: 0,
            failed: 1,
            abandoned: 0,
        }
    );
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Failed, 1));
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("not a file name stem")
    );
    assert!(!f.root.join("outside-part1.txt").exists());
}

#[tokio::test]
async fn row_of_an_unconfigured_sink_is_retried_not_dropped() {
    let f = Fixture::new();
    let ch = channel(vec![file_sink(
        "file",
        &f.root.join("editions"),
        Format::Text,
    )]);
    let edition = f.edition(vec![story(1, 10)]).await;
    f.queue(&ch, &edition).await;

    let without_sinks = outbox(&channel(vec![]));
    assert_eq!(f.run(&without_sinks, t0()).await.retrying, 1);
    let row = &f.rows(&edition).await[0];
    assert!(
        row.last_error.as_deref().unwrap().contains("briefing/file"),
        "{:?}",
        row.last_error
    );
    assert_eq!(
        f.run(&outbox(&ch), t0() + SignedDuration::from_secs(10))
            .await
            .sent,
        1
    );
}

#[tokio::test]
async fn row_leased_by_a_crashed_worker_is_sent_after_the_lease_expires() {
    let f = Fixture::new();
    let dir = f.root.join("editions");
    let ch = channel(vec![file_sink("file", &dir, Format::Text)]);
    let outbox = outbox(&ch);
    let edition = f.edition(vec![story(1, 10)]).await;
    f.queue(&ch, &edition).await;
    let lease = OutboxConfig::default().lease;

    // A worker claims the row and dies without releasing it.
    let crashed = f.store.claim_deliveries(t0(), lease, 10).await.unwrap();
    assert_eq!(crashed.len(), 1);

    let during = f
        .run(&outbox, t0() + lease - SignedDuration::from_secs(1))
        .await;
    assert_eq!(during, OutboxReport::default(), "the lease still holds");
    assert!(!dir.exists());

    let after = f.run(&outbox, t0() + lease).await;
    assert_eq!(
        after,
        OutboxReport {
            claimed: 1,
            sent: 1,
            retrying: 0,
            failed: 0,
            abandoned: 0,
        }
    );
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Sent, 2));
    assert!(dir.join("briefing-2026-01-15T0730-part1.txt").is_file());
}

#[tokio::test]
async fn row_marked_sent_by_a_crashed_worker_is_not_sent_again() {
    let f = Fixture::new();
    let dir = f.root.join("editions");
    let ch = channel(vec![file_sink("file", &dir, Format::Text)]);
    let outbox = outbox(&ch);
    let edition = f.edition(vec![story(1, 10)]).await;
    f.queue(&ch, &edition).await;
    let lease = OutboxConfig::default().lease;

    // A worker claims the row, sends it, records it, and dies before anything else.
    let claimed = f.store.claim_deliveries(t0(), lease, 10).await.unwrap();
    f.store
        .mark_delivery_sent(claimed[0].id, Some("sent-elsewhere"), t0())
        .await
        .unwrap();

    let later = f
        .run(&outbox, t0() + lease + SignedDuration::from_hours(1))
        .await;
    assert_eq!(later, OutboxReport::default());
    assert!(!dir.exists(), "the sink was not called");
    let row = &f.rows(&edition).await[0];
    assert_eq!(row.state, DeliveryState::Sent);
    assert_eq!(row.remote_id.as_deref(), Some("sent-elsewhere"));
}

#[test]
fn duplicate_sink_keys_are_refused() {
    let dir = Path::new("/tmp/unused");
    let ch = channel(vec![file_sink("file", dir, Format::Text)]);
    let error = Outbox::from_channels(&[ch.clone(), ch])
        .err()
        .expect("duplicate refused");
    assert!(
        matches!(&error, DeliverError::DuplicateSink { key } if key == "briefing/file"),
        "{error}"
    );
}
