//! Telegram end to end against the Bot API simulator and a real SQLite store:
//! the bot's conversation (long polling and webhook), the `telegram` sink
//! through the outbox with each limit and error case, editions for
//! subscribers at their own times, the token kept out of errors and logs,
//! and the client's requests checked against the Bot API specification.

use std::sync::Arc;
use std::time::Duration;

use gazette_core::config::{ChannelConfig, ChatTarget};
use gazette_core::{DeliveryState, EditionChoice, NewDelivery, Store, Subscriber};
use gazette_deliver::queue_edition;
use gazette_deliver::sinks::telegram::HTML_REFUSED;
use gazette_deliver::telegram::api::{
    BotCommand, ChatId, GetUpdates, KeyboardButton, LinkPreviewOptions, ReplyMarkup, SendMessage,
    SendPhoto, SetWebhook,
};
use gazette_deliver::telegram::{self, Bot, Telegram, queue_subscribers};
use gazette_telegram_sim::SimLimits;
use gazette_telegram_sim::spec::Spec;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

mod support;

use support::*;

// ---------------------------------------------------------------------------
// The bot
// ---------------------------------------------------------------------------

fn bot_channel() -> ChannelConfig {
    channel(json!([{"kind": "telegram", "subscribers": true}]))
}

/// The bot polling in the background until the returned sender is dropped.
fn spawn_polling(
    bot: Arc<Bot>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let stop = async move {
            let _ = stop_rx.await;
        };
        bot.poll(SignedDuration::from_secs(1), stop).await.unwrap();
    });
    (stop_tx, handle)
}

#[tokio::test]
async fn bot_conversation_end_to_end() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    let ada = 1001;
    f.sim.add_user(ada, "Ada", Some("fr-FR"));
    let telegram = f.telegram((300, 10, 200));
    let bot = Arc::new(Bot::new(
        telegram.clone(),
        f.store.clone(),
        bot_channel(),
        f.renderer.clone(),
    ));
    let me = bot.start().await.unwrap();
    assert_eq!(me.username.as_deref(), Some("gazette_test_bot"));
    assert_eq!(
        f.sim.commands("fr").unwrap()[0]["description"],
        "S'abonner (langue et fuseau)"
    );
    assert!(f.sim.commands("").is_some(), "the default (English) menu");
    let (stop, polling) = spawn_polling(bot.clone());
    let mut expected = 0;
    let mut say = async |text: &str| {
        f.sim.send_text(ada, text);
        expected += 1;
        f.wait_for(ada, expected).await.pop().unwrap()
    };

    // /start: welcome in the sender's language, then the language question.
    let answer = say("/start").await;
    assert!(
        answer.text.contains("Bienvenue sur Le Brief"),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("Quelle langue"), "{}", answer.text);
    assert_eq!(
        answer.reply_markup.as_ref().unwrap()["keyboard"][0][1]["text"],
        "English"
    );
    let s = f.store.subscriber(ada).await.unwrap().unwrap();
    assert!(s.active);
    assert_eq!(
        (s.lang.as_str(), s.awaiting),
        ("fr", Some(gazette_core::Awaiting::Lang))
    );

    // The language, then the time zone (a wrong one first).
    let answer = say("English").await;
    assert!(answer.text.contains("Your time zone?"), "{}", answer.text);
    let answer = say("Mars/Olympus").await;
    assert!(
        answer
            .text
            .contains("I do not know the time zone “Mars/Olympus”"),
        "{}",
        answer.text
    );
    let answer = say("America/Montreal").await;
    assert!(answer.text.contains("All set!"), "{}", answer.text);
    assert!(
        answer.text.contains("at 07:30, 19:00 (America/Montreal)"),
        "{}",
        answer.text
    );
    let s = f.store.subscriber(ada).await.unwrap().unwrap();
    assert_eq!(
        (s.lang.as_str(), s.timezone.as_deref(), s.awaiting),
        ("en", Some("America/Montreal"), None)
    );

    // Settings, one command each.
    assert!(
        say("/editions morning")
            .await
            .text
            .contains("the morning edition")
    );
    assert!(
        say("/time 06:45")
            .await
            .text
            .contains("morning edition will arrive at 06:45 (America/Montreal)")
    );
    assert!(say("/time 25:00").await.text.contains("Usage: /time HH:MM"));
    assert!(
        say("/topics add climat")
            .await
            .text
            .contains("Topics: climat.")
    );
    assert!(
        say("/topics add grève générale")
            .await
            .text
            .contains("Topics: climat, grève générale.")
    );
    assert!(
        say("/topics remove CLIMAT")
            .await
            .text
            .contains("Topics: grève générale.")
    );
    assert!(
        say("/topics list")
            .await
            .text
            .contains("Topics: grève générale.")
    );
    assert!(
        say("/mute football")
            .await
            .text
            .contains("Muted: football.")
    );
    assert!(
        say("/timezone Europe/Pariss")
            .await
            .text
            .contains("I do not know")
    );
    assert!(
        say("/lang fr")
            .await
            .text
            .contains("Je vous écrirai en français.")
    );
    let s = f.store.subscriber(ada).await.unwrap().unwrap();
    assert_eq!(s.editions, EditionChoice::Morning);
    assert_eq!(s.morning, Some(jiff::civil::time(6, 45, 0, 0)));
    assert_eq!(s.evening, None);
    assert_eq!(s.topics, ["grève générale"]);
    assert_eq!(s.mutes, ["football"]);
    assert_eq!(s.lang, "fr");

    // Unknown input: the help, in French now.
    let answer = say("bonjour ?").await;
    assert!(
        answer.text.contains("Je n'ai pas compris."),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("/topics"), "{}", answer.text);
    assert!(
        say("/frobnicate")
            .await
            .text
            .contains("Ce que je sais faire")
    );

    // /now without an edition, then with one: only the matching story, French labels.
    assert!(say("/now").await.text.contains("pas encore d'édition"));
    let stories = vec![
        story(1, "Grève générale à la SNCF", 200),
        story(2, "Football : le PSG gagne", 200),
        story(3, "Météo : neige en Bretagne", 200),
    ];
    f.edition(&new_edition(
        "2026-01-15T07:30:00+01:00[Europe/Paris]",
        stories,
    ))
    .await;
    let edition = say("/now").await;
    assert!(
        edition.text.contains("Édition du matin"),
        "{}",
        edition.text
    );
    assert!(edition.text.contains("Grève générale à la SNCF"));
    assert!(!edition.text.contains("PSG"), "muted and not a topic");
    assert!(!edition.text.contains("Bretagne"), "not a topic");
    assert!(edition.entities.iter().any(|e| e.kind == "text_link"));

    // /stop: inactive, and told so.
    assert!(say("/stop").await.text.contains("désabonné"));
    let s = f.store.subscriber(ada).await.unwrap().unwrap();
    assert_eq!(
        (s.active, s.inactive_reason.as_deref()),
        (false, Some("/stop"))
    );
    assert!(
        say("/topics list")
            .await
            .text
            .contains("envoyez d'abord /start")
    );

    drop(stop);
    polling.await.unwrap();
    // The offset was stored after each update: a new poller handles nothing again.
    let handled = f.sim.message_count();
    let offset = f.store.telegram_offset(4242).await.unwrap().unwrap();
    let (stop, polling) = spawn_polling(bot.clone());
    f.sim.send_text(ada, "/help");
    f.wait_for(ada, expected + 1).await;
    drop(stop);
    polling.await.unwrap();
    assert_eq!(
        f.sim.message_count(),
        handled + 1,
        "only /help was answered"
    );
    assert_eq!(
        f.store.telegram_offset(4242).await.unwrap(),
        Some(offset + 1)
    );
    assert_eq!(f.sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn in_groups_the_bot_answers_its_own_commands_only() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    let (ada, group) = (1001, -5005);
    f.sim.add_user(ada, "Ada", Some("en"));
    f.sim.add_group(group, "Newsroom");
    let bot = Arc::new(Bot::new(
        f.telegram((300, 10, 200)),
        f.store.clone(),
        bot_channel(),
        f.renderer.clone(),
    ));
    bot.start().await.unwrap();
    let (stop, polling) = spawn_polling(bot);
    f.sim.send_text_in(group, ada, "good morning everyone");
    f.sim.send_text_in(group, ada, "/start@another_bot");
    f.sim.send_text_in(group, ada, "/start@gazette_test_bot");
    let answers = f.wait_for(group, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stop);
    polling.await.unwrap();
    assert_eq!(f.sim.messages_to(group).len(), 1, "{answers:?}");
    assert!(answers[0].text.contains("Welcome to Le Brief"));
    assert!(f.store.subscriber(group).await.unwrap().unwrap().active);
    assert_eq!(f.store.subscriber(ada).await.unwrap(), None);
}

#[tokio::test]
async fn webhook_mode_checks_the_secret_token() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    let ada = 1001;
    f.sim.add_user(ada, "Ada", None);
    let telegram = f.telegram((300, 10, 200));
    let bot = Arc::new(Bot::new(
        telegram.clone(),
        f.store.clone(),
        bot_channel(),
        f.renderer.clone(),
    ));
    bot.start().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url: url::Url = format!("http://{}/telegram/hook", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let secret = gazette_core::config::Secret::new("s3cret-Token_1");
    tokio::spawn(
        axum::serve(listener, bot.clone().webhook_router(&url, secret.clone())).into_future(),
    );
    telegram
        .api
        .set_webhook(&SetWebhook {
            url: url.as_str(),
            secret_token: secret.expose(),
            allowed_updates: vec!["message".into()],
        })
        .await
        .unwrap();

    // Telegram posts with the secret: handled and answered.
    f.sim.send_text(ada, "/start");
    let answer = f.wait_for(ada, 1).await;
    assert!(
        answer[0].text.contains("Welcome to Le Brief"),
        "{}",
        answer[0].text
    );
    assert!(f.store.subscriber(ada).await.unwrap().is_some());

    // Anyone else: refused, nothing handled.
    let http = reqwest::Client::new();
    let forged = json!({"update_id": 999_999, "message": {"message_id": 1, "date": 0,
        "chat": {"id": 77, "type": "private"}, "text": "/start"}});
    for header in [None, Some("wrong"), Some("s3cret-Token_")] {
        let mut request = http
            .post(url.as_str())
            .header("content-type", "application/json")
            .body(forged.to_string());
        if let Some(h) = header {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", h);
        }
        assert_eq!(request.send().await.unwrap().status(), 401, "{header:?}");
    }
    assert_eq!(f.store.subscriber(77).await.unwrap(), None);

    // A re-posted update (below the stored offset) is acknowledged, not handled again.
    let offset = f.store.telegram_offset(4242).await.unwrap().unwrap();
    let repost = json!({"update_id": offset - 1, "message": {"message_id": 1, "date": 0,
        "chat": {"id": ada, "type": "private"}, "text": "/help"}});
    let status = http
        .post(url.as_str())
        .header("content-type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", secret.expose())
        .body(repost.to_string())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(f.sim.messages_to(ada).len(), 1);
    assert!(
        f.sim
            .webhook_answers()
            .iter()
            .all(|(_, status)| *status == 200)
    );
    // getUpdates is refused while the webhook is set, as Telegram does.
    let polled = telegram
        .api
        .get_updates(&GetUpdates {
            offset: None,
            limit: 1,
            timeout: 0,
            allowed_updates: vec![],
        })
        .await
        .unwrap_err();
    assert!(polled.to_string().contains("webhook is active"), "{polled}");
    assert_eq!(f.sim.violations(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// The sink through the outbox
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_chat_gets_every_part_once_and_in_order() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    f.sim.add_user(42, "Ada", None);
    f.sim.add_group(-5005, "Newsroom");
    f.sim
        .add_channel(-1_001_234_567_890, "gazette_news", "Gazette");
    let ch = channel(json!([{"kind": "telegram", "chats": ["@gazette_news", -5005, 42]}]));
    let outbox = f.outbox(&ch, f.telegram((300, 10, 200)));
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            long_stories(8),
        ))
        .await;
    let parts = f
        .renderer
        .render(&edition.edition, "Le Brief", gazette_core::Format::Telegram)
        .unwrap()
        .parts;
    assert!(parts.len() >= 3, "{} parts", parts.len());
    queue_edition(f.store.as_ref(), &f.renderer, &ch, &edition, t0())
        .await
        .unwrap();

    let report = outbox.run_once(f.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.sent, 3 * parts.len());
    for chat in [42, -5005, -1_001_234_567_890] {
        let received = f.sim.messages_to(chat);
        let expected: Vec<String> = parts
            .iter()
            .map(|p| gazette_telegram_sim::html::parse(p).unwrap().text)
            .collect();
        assert_eq!(
            received.iter().map(|m| m.text.clone()).collect::<Vec<_>>(),
            expected,
            "chat {chat}"
        );
        assert!(
            received
                .iter()
                .all(|m| m.parse_mode.as_deref() == Some("HTML") && m.link_preview_disabled)
        );
    }
    for row in f.rows(&edition).await {
        assert_eq!(row.state, DeliveryState::Sent);
        let chat: ChatTarget = row.delivery.recipient.parse().unwrap();
        let id = match chat {
            ChatTarget::Id(id) => id,
            ChatTarget::Username(_) => -1_001_234_567_890,
        };
        let message = &f.sim.messages_to(id)[row.delivery.part as usize];
        assert_eq!(row.remote_id, Some(message.message_id.to_string()));
    }
    assert_eq!(f.sim.stats().too_many_requests(), 0);
    assert_eq!(f.sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn limits_hold_across_a_whole_pass() {
    // Telegram's limits at 10×, kept by the client at 10× too: a pass to 60
    // private chats and a group, two parts each, gets no 429.
    let f = Fixture::new(SimLimits {
        global_per_second: 300,
        per_chat_per_second: 10,
        per_group_per_minute: 4,
    })
    .await;
    let users: Vec<i64> = (1..=60).collect();
    f.sim.add_users(users.clone());
    f.sim.add_group(-5005, "Newsroom");
    let mut chats: Vec<serde_json::Value> = users.iter().map(|u| json!(u)).collect();
    chats.push(json!(-5005));
    let ch = channel(json!([{"kind": "telegram", "chats": chats}]));
    let outbox = f.outbox(&ch, f.telegram((300, 10, 4)));
    let first = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            long_stories(3),
        ))
        .await;
    let second = f
        .edition(&new_edition(
            "2026-01-15T19:00:00+01:00[Europe/Paris]",
            long_stories(3),
        ))
        .await;
    let parts = f
        .renderer
        .render(&first.edition, "Le Brief", gazette_core::Format::Telegram)
        .unwrap()
        .parts
        .len();
    assert_eq!(parts, 2);
    for edition in [&first, &second] {
        queue_edition(f.store.as_ref(), &f.renderer, &ch, edition, t0())
            .await
            .unwrap();
    }
    let report = outbox.run(f.store.as_ref(), &Timestamp::now).await.unwrap();
    assert_eq!(report.sent, 2 * 61 * parts, "{report:?}");
    assert_eq!(f.sim.stats().too_many_requests(), 0, "{:?}", f.sim.stats());
    // The group's 4 messages went out within its per-minute limit.
    assert_eq!(f.sim.messages_to(-5005).len(), 4);
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_pauses_the_chat() {
    // The client believes it may send 100/s to a chat; the simulator allows 1/s.
    let f = Fixture::new(SimLimits::telegram()).await;
    f.sim.add_user(42, "Ada", None);
    let ch = channel(json!([{"kind": "telegram", "chats": [42]}]));
    let telegram = f.telegram((1000, 100, 1000));
    let outbox = f.outbox(&ch, telegram.clone());
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            long_stories(3),
        ))
        .await;
    queue_edition(f.store.as_ref(), &f.renderer, &ch, &edition, t0())
        .await
        .unwrap();

    let first = outbox.run_once(f.store.as_ref(), t0()).await.unwrap();
    assert_eq!((first.sent, first.retrying), (1, 1), "{first:?}");
    let rows = f.rows(&edition).await;
    assert_eq!(rows[1].state, DeliveryState::Pending);
    assert_eq!(
        rows[1].not_before,
        Some(t0() + SignedDuration::from_secs(1)),
        "retry_after"
    );
    assert!(
        rows[1]
            .last_error
            .as_deref()
            .unwrap()
            .contains("Too Many Requests: retry after 1")
    );
    // The limiter paused the chat too: the retry waits for it, then goes through.
    let started = std::time::Instant::now();
    let second = outbox
        .run_once(f.store.as_ref(), t0() + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(second.sent, 1, "{second:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "the chat was paused"
    );
    assert_eq!(f.sim.stats().too_many_chat, 1);
    assert_eq!(f.sim.messages_to(42).len(), 2);
}

#[tokio::test]
async fn server_errors_and_timeouts_are_retried_with_backoff() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    f.sim.add_user(42, "Ada", None);
    f.sim.add_user(43, "Bob", None);
    let ch = channel(json!([{"kind": "telegram", "chats": [42]}]));
    let telegram =
        Arc::new(Telegram::new(&telegram_config(&f.sim.api_base(), (300, 10, 200), "1s")).unwrap());
    let outbox = f.outbox(&ch, telegram);
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![story(1, "One", 10)],
        ))
        .await;
    queue_edition(f.store.as_ref(), &f.renderer, &ch, &edition, t0())
        .await
        .unwrap();

    f.sim.fail_next_sends(1, 502);
    let report = outbox.run_once(f.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.retrying, 1);
    let row = &f.rows(&edition).await[0];
    assert_eq!(
        row.not_before,
        Some(t0() + SignedDuration::from_secs(10)),
        "first backoff"
    );
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("Bad Gateway (error 502)")
    );

    // Telegram too slow: the client gives up after its timeout; the row backs off further.
    f.sim.delay_next_sends(1, Duration::from_millis(1500));
    let at = t0() + SignedDuration::from_secs(10);
    let report = outbox.run_once(f.store.as_ref(), at).await.unwrap();
    assert_eq!(report.retrying, 1);
    let row = &f.rows(&edition).await[0];
    assert_eq!(
        row.not_before,
        Some(at + SignedDuration::from_secs(20)),
        "second backoff"
    );
    assert!(
        row.last_error.as_deref().unwrap().contains("no answer"),
        "{:?}",
        row.last_error
    );

    let report = outbox
        .run_once(f.store.as_ref(), at + SignedDuration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let row = &f.rows(&edition).await[0];
    assert_eq!((row.state, row.attempts), (DeliveryState::Sent, 3));
    // After a timeout the outcome is unknown: Telegram may have handled the
    // abandoned request (the simulator drops it when the client hangs up).
    // The part arrives at least once, never lost.
    let received = f.sim.messages_to(42).len();
    assert!((1..=2).contains(&received), "{received}");
}

#[tokio::test]
async fn blocked_kicked_and_deactivated_chats_deactivate_their_subscriber() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    f.sim.add_users([42, 43]);
    f.sim.add_group(-5005, "Newsroom");
    for chat in [42, 43, -5005] {
        f.store
            .save_subscriber(&Subscriber::new(chat, "en", t0()))
            .await
            .unwrap();
    }
    f.sim.block(42);
    f.sim.deactivate(43);
    f.sim.kick(-5005);
    let ch = channel(json!([{"kind": "telegram", "chats": [42, 43, -5005]}]));
    let outbox = f.outbox(&ch, f.telegram((300, 10, 200)));
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![story(1, "One", 10)],
        ))
        .await;
    queue_edition(f.store.as_ref(), &f.renderer, &ch, &edition, t0())
        .await
        .unwrap();

    let report = outbox.run_once(f.store.as_ref(), t0()).await.unwrap();
    assert_eq!((report.failed, report.sent), (3, 0), "{report:?}");
    for (chat, reason) in [
        (42, "Forbidden: bot was blocked by the user"),
        (43, "Forbidden: user is deactivated"),
        (-5005, "Forbidden: bot was kicked from the group chat"),
    ] {
        let s = f.store.subscriber(chat).await.unwrap().unwrap();
        assert_eq!(
            (s.active, s.inactive_reason.as_deref()),
            (false, Some(reason)),
            "{chat}"
        );
    }
    assert!(f.store.active_subscribers().await.unwrap().is_empty());
    assert!(
        f.rows(&edition)
            .await
            .iter()
            .all(|r| r.state == DeliveryState::Failed && r.attempts == 1)
    );
}

#[tokio::test]
async fn refused_html_goes_out_once_as_plain_text_and_the_error_is_kept() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    f.sim.add_user(42, "Ada", None);
    let ch = channel(json!([{"kind": "telegram", "chats": [42]}]));
    let outbox = f.outbox(&ch, f.telegram((300, 10, 200)));
    let edition = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![],
        ))
        .await;
    let bad = "<b>Storm <i>in</b> Brittany</i> &amp; <a href=\"https://x.example/?a=1&amp;b=2\">x.example</a>";
    let too_long = "x".repeat(5000);
    let rows = [bad, too_long.as_str()].map(|body| NewDelivery {
        edition_id: edition.id,
        sink: "briefing/telegram".into(),
        recipient: "42".into(),
        part: u32::from(body != bad),
        body: body.into(),
    });
    f.store.enqueue_deliveries(&rows, t0()).await.unwrap();

    let first = outbox.run_once(f.store.as_ref(), t0()).await.unwrap();
    assert_eq!(first.retrying, 1);
    let row = &f.rows(&edition).await[0];
    assert_eq!(
        row.not_before,
        Some(t0() + SignedDuration::from_secs(1)),
        "at once"
    );
    assert!(row.last_error.as_deref().unwrap().starts_with(HTML_REFUSED));
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("can't parse entities")
    );

    let second = outbox
        .run_once(f.store.as_ref(), t0() + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!((second.sent, second.failed), (1, 1), "{second:?}");
    let received = f.sim.messages_to(42);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].parse_mode, None);
    assert_eq!(
        received[0].text,
        "Storm in Brittany & x.example (https://x.example/?a=1&b=2)"
    );
    let rows = f.rows(&edition).await;
    assert_eq!((rows[0].state, rows[0].attempts), (DeliveryState::Sent, 2));
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with(HTML_REFUSED),
        "kept after sending"
    );
    assert_eq!(rows[1].state, DeliveryState::Failed);
    assert!(
        rows[1]
            .last_error
            .as_deref()
            .unwrap()
            .contains("message is too long")
    );
}

// ---------------------------------------------------------------------------
// Editions for subscribers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn subscribers_get_their_editions_at_their_own_times() {
    let f = Fixture::new(SimLimits::telegram().scaled(10)).await;
    let ch = bot_channel();
    let created = ts("2026-01-14T12:00:00Z");
    let mut subscribers = Vec::new();
    for chat in 1..=5 {
        f.sim.add_user(chat, "Reader", None);
        subscribers.push(Subscriber::new(chat, "en", created));
    }
    subscribers[1].timezone = Some("Asia/Tokyo".into());
    subscribers[1].morning = Some(jiff::civil::time(7, 0, 0, 0));
    subscribers[1].editions = EditionChoice::Morning;
    subscribers[2].topics = vec!["neige".into()];
    subscribers[3].mutes = vec!["PSG".into()];
    subscribers[4].lang = "fr".into();
    let mut gone = Subscriber::new(6, "en", created);
    gone.active = false;
    subscribers.push(gone);
    for s in &subscribers {
        f.store.save_subscriber(s).await.unwrap();
    }
    let morning = f
        .edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![
                story(1, "Grève à la SNCF", 100),
                story(2, "Le PSG gagne", 100),
                story(3, "Neige en Bretagne", 100),
            ],
        ))
        .await;

    // At the channel's slot: everyone on the channel's times.
    let at_slot = ts("2026-01-15T06:30:00Z");
    let report = queue_subscribers(f.store.as_ref(), &f.renderer, &ch, at_slot)
        .await
        .unwrap();
    // The Tokyo reader's 07:00 of the day before was due too, with no edition then.
    assert_eq!(
        (report.due, report.served, report.rows, report.renderings),
        (5, 4, 4, 4),
        "{report:?}"
    );
    let again = queue_subscribers(
        f.store.as_ref(),
        &f.renderer,
        &ch,
        at_slot + SignedDuration::from_mins(1),
    )
    .await
    .unwrap();
    assert_eq!(again.rows, 0, "served once");

    // 07:00 in Tokyo (22:00 UTC): the Tokyo reader gets the morning edition.
    let tokyo = ts("2026-01-15T22:00:00Z");
    let before = queue_subscribers(
        f.store.as_ref(),
        &f.renderer,
        &ch,
        tokyo - SignedDuration::from_mins(1),
    )
    .await
    .unwrap();
    let evening_due = before.due;
    assert_eq!(
        evening_due, 4,
        "the others' evening time passed, with no evening edition"
    );
    assert_eq!(before.rows, 0);
    let report = queue_subscribers(f.store.as_ref(), &f.renderer, &ch, tokyo)
        .await
        .unwrap();
    assert_eq!((report.due, report.rows), (1, 1));

    let outbox = f.outbox(&ch, f.telegram((300, 10, 200)));
    let sent = outbox.run_once(f.store.as_ref(), tokyo).await.unwrap();
    assert_eq!(sent.sent, 5);
    let text = |chat: i64| f.texts(chat).join("\n");
    assert!(text(1).contains("Grève") && text(1).contains("PSG") && text(1).contains("Neige"));
    assert!(text(2).contains("Morning edition"), "{}", text(2));
    assert!(
        text(3).contains("Neige") && !text(3).contains("Grève"),
        "topics"
    );
    assert!(
        !text(4).contains("PSG") && text(4).contains("Grève"),
        "mutes"
    );
    assert!(text(5).contains("Édition du matin"), "{}", text(5));
    assert!(f.texts(6).is_empty(), "inactive");
    let rows = f.rows(&morning).await;
    assert!(rows.iter().all(|r| r.delivery.sink == "briefing/telegram"));
}

// ---------------------------------------------------------------------------
// The token, and the specification
// ---------------------------------------------------------------------------

#[test]
fn client_requests_follow_the_bot_api_specification() {
    let spec = Spec::bundled();
    let chat = ChatTarget::Username("gazette_news".into());
    let mut message = SendMessage::html(&chat, "<b>x</b>");
    message.link_preview_options = Some(LinkPreviewOptions { is_disabled: true });
    message.reply_markup = Some(ReplyMarkup::Keyboard {
        keyboard: vec![vec![KeyboardButton {
            text: "Français".into(),
        }]],
        one_time_keyboard: true,
        resize_keyboard: true,
    });
    let mut removal = SendMessage::plain(&ChatTarget::Id(42), "x");
    removal.reply_markup = Some(ReplyMarkup::Remove {
        remove_keyboard: true,
    });
    let requests = [
        ("sendMessage", serde_json::to_value(&message).unwrap()),
        ("sendMessage", serde_json::to_value(&removal).unwrap()),
        (
            "sendPhoto",
            serde_json::to_value(SendPhoto {
                chat_id: ChatId::Id(-100),
                photo: "https://x.example/a.jpg",
                caption: Some("<i>c</i>"),
                parse_mode: Some("HTML"),
            })
            .unwrap(),
        ),
        (
            "getUpdates",
            serde_json::to_value(GetUpdates {
                offset: Some(7),
                limit: 100,
                timeout: 30,
                allowed_updates: vec!["message".into()],
            })
            .unwrap(),
        ),
        (
            "setWebhook",
            serde_json::to_value(SetWebhook {
                url: "https://x.example/hook",
                secret_token: "abc",
                allowed_updates: vec![],
            })
            .unwrap(),
        ),
        (
            "setMyCommands",
            json!({"commands": [BotCommand { command: "start".into(), description: "Go".into() }], "language_code": "fr"}),
        ),
        ("getMe", json!({})),
        ("deleteWebhook", json!({"drop_pending_updates": false})),
    ];
    for (method, params) in requests {
        assert_eq!(
            spec.check_params(method, &params),
            Vec::<String>::new(),
            "{method}: {params}"
        );
    }
    for command in telegram::bot::texts::commands(telegram::bot::texts::Lang::Fr) {
        assert!(command.description.chars().count() <= 256);
    }
}
