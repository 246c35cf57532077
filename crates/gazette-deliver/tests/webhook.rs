//! The `webhook` sink against a local HTTP server (axum on 127.0.0.1:0) that
//! checks the signature like a receiver would, and fails the first attempt so
//! that the retry goes through the outbox's backoff.

mod support;

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use gazette_core::config::{ChannelConfig, RawConfig};
use gazette_core::{DeliveryState, Store};
use gazette_deliver::sinks::webhook::signature;
use gazette_deliver::{Outbox, OutboxConfig, SinkContext, queue_edition};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use hmac::{KeyInit, Mac};
use jiff::SignedDuration;
use serde_json::{Value, json};
use support::{new_edition, story, t0};

const SECRET: &str = "webhook-shared-secret-42";

#[derive(Default)]
struct Receiver {
    /// Answers to give, in order; then 200.
    script: Vec<(StatusCode, Option<&'static str>)>,
    attempts: usize,
    /// Bodies whose signature checked out, with their delivery header.
    accepted: Vec<(Value, String)>,
    bad_signatures: usize,
}

/// What a receiver does: recompute HMAC-SHA256 over the raw body, compare in constant time.
fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Some(bytes) = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

async fn hook(
    State(state): State<Arc<Mutex<Receiver>>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap) {
    let mut r = state.lock().unwrap();
    r.attempts += 1;
    let header = headers
        .get("x-gazette-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !verify(SECRET, &body, header)
        || headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/json")
    {
        r.bad_signatures += 1;
        return (StatusCode::UNAUTHORIZED, HeaderMap::new());
    }
    if r.attempts <= r.script.len() {
        let (status, retry_after) = r.script[r.attempts - 1];
        let mut out = HeaderMap::new();
        if let Some(wait) = retry_after {
            out.insert("retry-after", wait.parse().unwrap());
        }
        return (status, out);
    }
    let delivery = headers["x-gazette-delivery"].to_str().unwrap().to_string();
    r.accepted
        .push((serde_json::from_slice(&body).unwrap(), delivery));
    (StatusCode::NO_CONTENT, HeaderMap::new())
}

async fn serve(receiver: Receiver) -> (String, Arc<Mutex<Receiver>>) {
    let state = Arc::new(Mutex::new(receiver));
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), state)
}

fn channel(url: &str, secret: &str) -> ChannelConfig {
    let raw: RawConfig = serde_json::from_value(json!({
        "channels": [{"name": "briefing", "title": "Le Brief", "timezone": "Europe/Paris",
                      "schedule": ["07:30", "19:00"], "lang": "en",
                      "sinks": [{"kind": "webhook", "url": url, "secret": secret, "timeout": "5s"}]}]
    }))
    .unwrap();
    raw.validate().unwrap().channels.remove(0)
}

async fn setup(
    channel: &ChannelConfig,
) -> (
    tempfile::TempDir,
    Arc<SqliteStore>,
    Outbox,
    gazette_core::Edition,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
    let outbox = Outbox::build(std::slice::from_ref(channel), &SinkContext::default())
        .unwrap()
        .with_config(OutboxConfig {
            max_attempts: NonZeroU32::new(3).unwrap(),
            backoff_base: SignedDuration::from_secs(30),
            ..OutboxConfig::default()
        });
    let edition = store
        .insert_edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![
                story(1, "Storm <hits> Brest", 40),
                story(2, "Budget vote", 40),
            ],
        ))
        .await
        .unwrap()
        .into_edition();
    queue_edition(
        store.as_ref(),
        &Renderer::new(None).unwrap(),
        channel,
        &edition,
        t0(),
    )
    .await
    .unwrap();
    (dir, store, outbox, edition)
}

#[test]
fn the_signature_is_hmac_sha256_of_the_body_in_hex() {
    // RFC 4231, test case 2.
    assert_eq!(
        signature("Jefe", b"what do ya want for nothing?"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[tokio::test]
async fn a_failed_post_is_retried_with_backoff_and_the_signed_edition_arrives_once() {
    let (url, receiver) = serve(Receiver {
        script: vec![(StatusCode::INTERNAL_SERVER_ERROR, None)],
        ..Receiver::default()
    })
    .await;
    let channel = channel(&url, SECRET);
    let (_dir, store, outbox, edition) = setup(&channel).await;

    let first = outbox.run_once(store.as_ref(), t0()).await.unwrap();
    assert_eq!((first.sent, first.retrying), (0, 1), "{first:?}");
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(rows[0].state, DeliveryState::Pending);
    assert!(
        rows[0].last_error.as_deref().unwrap().contains("500"),
        "{rows:?}"
    );

    // Not before the backoff has passed…
    let early = outbox
        .run_once(store.as_ref(), t0() + SignedDuration::from_secs(29))
        .await
        .unwrap();
    assert_eq!(early.claimed, 0);
    // …then it goes out, and is recorded sent.
    let later = t0() + SignedDuration::from_secs(30);
    let second = outbox.run_once(store.as_ref(), later).await.unwrap();
    assert_eq!(second.sent, 1, "{second:?}");
    {
        let r = receiver.lock().unwrap();
        assert_eq!((r.attempts, r.bad_signatures), (2, 0));
        assert_eq!(r.accepted.len(), 1);
        let (body, delivery) = &r.accepted[0];
        assert_eq!(
            delivery,
            &rows[0].id.to_string(),
            "the same delivery id on every attempt"
        );
        assert_eq!(body["channel"], "briefing");
        assert_eq!(body["stories"][0]["title"], "Storm <hits> Brest");
        assert_eq!(body["stories"].as_array().unwrap().len(), 2);
    }
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(rows[0].state, DeliveryState::Sent);
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(rows[0].remote_id.as_deref(), Some("204"));
    let again = outbox
        .run_once(store.as_ref(), later + SignedDuration::from_hours(2))
        .await
        .unwrap();
    assert_eq!(again.claimed, 0, "never sent twice");
}

#[tokio::test]
async fn retry_after_is_obeyed_and_a_wrong_secret_is_refused_for_good() {
    let (url, receiver) = serve(Receiver {
        script: vec![(StatusCode::TOO_MANY_REQUESTS, Some("120"))],
        ..Receiver::default()
    })
    .await;
    let (_dir, store, outbox, edition) = setup(&channel(&url, SECRET)).await;
    outbox.run_once(store.as_ref(), t0()).await.unwrap();
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(
        rows[0].not_before,
        Some(t0() + SignedDuration::from_secs(120))
    );
    assert_eq!(receiver.lock().unwrap().attempts, 1);

    // The receiver cannot verify a body signed with another key: 401, failed for good.
    let (url, receiver) = serve(Receiver::default()).await;
    let (_dir, store, outbox, edition) = setup(&channel(&url, "another-secret-entirely")).await;
    let report = outbox.run_once(store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    assert_eq!(receiver.lock().unwrap().bad_signatures, 1);
    let rows = store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(rows[0].state, DeliveryState::Failed);
}
