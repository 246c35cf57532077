//! The bot's token never appears in an error or a log line. In its own test
//! binary: a log subscriber set for one thread misses events whose callsites
//! other tests' threads registered first.

mod support;

use std::time::Duration;

use gazette_core::config::ChatTarget;
use gazette_deliver::queue_edition;
use gazette_deliver::telegram::api::{BotApi, SendMessage};
use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};
use serde_json::json;
use support::*;

#[tokio::test(flavor = "current_thread")]
async fn the_token_appears_in_no_error_and_no_log_line() {
    let logs = support::capture_logs();
    let secret = TOKEN.split_once(':').unwrap().1;
    let mut errors = Vec::new();

    // Nobody listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let api = BotApi::new(&telegram_config(&dead, (30, 1, 20), "2s")).unwrap();
    errors.push(api.get_me().await.unwrap_err());
    assert!(format!("{api:?}").contains("<redacted>"));

    // Refusals, garbage, a timeout, and a whole outbox pass with failures.
    let f = Fixture::new(SimLimits::telegram()).await;
    f.sim.add_user(42, "Ada", None);
    let wrong = BotApi::new(&telegram_config(&f.sim.api_base(), (30, 1, 20), "1s")).unwrap();
    errors.push(
        wrong
            .send_message(&SendMessage::html(&ChatTarget::Id(404), "x"))
            .await
            .unwrap_err(),
    );
    f.sim.delay_next_sends(1, Duration::from_millis(1500));
    errors.push(
        wrong
            .send_message(&SendMessage::html(&ChatTarget::Id(42), "x"))
            .await
            .unwrap_err(),
    );
    let garbage = telegram_config(
        &format!("{}/sim/stats?", f.sim.api_base()),
        (30, 1, 20),
        "1s",
    );
    errors.push(BotApi::new(&garbage).unwrap().get_me().await.unwrap_err());
    let other = Simulator::start(SimConfig::new("1:OTHER")).await.unwrap();
    errors.push(
        BotApi::new(&telegram_config(&other.api_base(), (30, 1, 20), "1s"))
            .unwrap()
            .get_me()
            .await
            .unwrap_err(),
    );

    let ch = channel(json!([{"kind": "telegram", "chats": [42, 404]}]));
    let outbox = f.outbox(&ch, f.telegram((30, 1, 20)));
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![story(1, "One", 10)],
        ))
        .await;
    queue_edition(f.store.as_ref(), &f.renderer, &ch, &edition, t0())
        .await
        .unwrap();
    f.sim.fail_next_sends(1, 500);
    outbox.run_once(f.store.as_ref(), t0()).await.unwrap();

    let kinds: Vec<String> = errors.iter().map(|e| format!("{e} | {e:?}")).collect();
    assert!(kinds[0].contains("cannot reach"), "{kinds:?}");
    assert!(kinds[1].contains("chat not found"), "{kinds:?}");
    assert!(kinds[2].contains("no answer"), "{kinds:?}");
    assert!(kinds[3].contains("unexpected answer"), "{kinds:?}");
    assert!(kinds[4].contains("Unauthorized"), "{kinds:?}");
    for text in &kinds {
        assert!(!text.contains(secret), "token in an error: {text}");
    }
    for row in f.rows(&edition).await {
        assert!(!row.last_error.unwrap_or_default().contains(secret));
    }
    let logged = logs.text();
    let tail: String = logged
        .lines()
        .filter(|l| l.contains("gazette"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        logged.contains("delivery failed"),
        "the pass logged its failures:\n{tail}"
    );
    assert!(!logged.contains(secret), "token in the logs:\n{logged}");
}
