use gazette_core::config::RawConfig;
use gazette_core::{DeliveryId, DeliveryState, EditionId, NewDelivery};

use super::*;

fn delivery(recipient: &str) -> Delivery {
    Delivery {
        id: DeliveryId(1),
        delivery: NewDelivery {
            edition_id: EditionId(1),
            sink: "briefing/telegram".into(),
            recipient: recipient.into(),
            part: 0,
            body: "<b>x</b>".into(),
        },
        state: DeliveryState::Sending,
        attempts: 1,
        last_error: None,
        remote_id: None,
        not_before: None,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        sent_at: None,
    }
}

#[tokio::test]
async fn a_recipient_that_is_not_a_chat_fails_for_good_without_a_request() {
    // Nothing listens at this address: a request would fail as transient instead.
    let raw: RawConfig = serde_json::from_value(serde_json::json!({
        "telegram": {"token": "1:T", "api_base": "http://127.0.0.1:9/"}
    }))
    .unwrap();
    let telegram = Arc::new(Telegram::new(&raw.validate().unwrap().telegram).unwrap());
    let sink = TelegramSink::new(telegram, None);
    for recipient in ["", "@ab", "chat-42", "0"] {
        let error = sink.send(&delivery(recipient)).await.unwrap_err();
        assert_eq!(error.retry, Retry::Never, "{recipient:?}");
        assert!(error.message.contains("is not a chat"), "{}", error.message);
    }
}
