//! The Telegram part of the store contract: subscribers and the bot's update offset.

use gazette_core::*;
use jiff::civil::time;

use super::{hours, minutes, t0};

fn subscriber(chat_id: i64) -> Subscriber {
    Subscriber::new(chat_id, "fr", t0())
}

pub async fn subscriber_round_trips_every_field(store: &dyn Store) {
    let mut s = subscriber(123_456_789);
    s.timezone = Some("America/Montreal".into());
    s.editions = EditionChoice::Morning;
    s.morning = Some(time(6, 45, 0, 0));
    s.evening = Some(time(21, 5, 0, 0));
    s.topics = vec!["climat".into(), "Élections européennes".into()];
    s.mutes = vec!["football".into()];
    s.awaiting = Some(Awaiting::Timezone);
    s.served_until = Some(t0() + minutes(3));
    s.updated_at = t0() + hours(1);
    store.save_subscriber(&s).await.unwrap();
    assert_eq!(store.subscriber(s.chat_id).await.unwrap(), Some(s.clone()));

    let mut group = subscriber(-1_001_234_567_890);
    group.lang = "en".into();
    group.served_until = None;
    group.awaiting = Some(Awaiting::Lang);
    store.save_subscriber(&group).await.unwrap();
    assert_eq!(store.subscriber(group.chat_id).await.unwrap(), Some(group));
    assert_eq!(store.subscriber(42).await.unwrap(), None);
}

pub async fn save_subscriber_replaces_the_stored_one(store: &dyn Store) {
    let mut s = subscriber(7);
    store.save_subscriber(&s).await.unwrap();
    s.lang = "en".into();
    s.topics = vec!["rugby".into()];
    s.morning = None;
    s.awaiting = None;
    s.updated_at = t0() + minutes(5);
    store.save_subscriber(&s).await.unwrap();
    assert_eq!(store.subscriber(7).await.unwrap(), Some(s));
}

pub async fn active_subscribers_are_listed_by_chat_id(store: &dyn Store) {
    for chat_id in [30, -10, 20] {
        store.save_subscriber(&subscriber(chat_id)).await.unwrap();
    }
    let mut stopped = subscriber(25);
    stopped.active = false;
    stopped.inactive_reason = Some("/stop".into());
    store.save_subscriber(&stopped).await.unwrap();
    let ids: Vec<i64> = store
        .active_subscribers()
        .await
        .unwrap()
        .iter()
        .map(|s| s.chat_id)
        .collect();
    assert_eq!(ids, [-10, 20, 30]);
}

pub async fn deactivate_subscriber_keeps_the_reason_once(store: &dyn Store) {
    store.save_subscriber(&subscriber(5)).await.unwrap();
    let later = t0() + minutes(10);
    let blocked = "Forbidden: bot was blocked by the user";
    assert!(
        store
            .deactivate_subscriber(5, blocked, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .deactivate_subscriber(5, "another reason", later + minutes(1))
            .await
            .unwrap(),
        "already inactive"
    );
    assert!(
        !store
            .deactivate_subscriber(404, blocked, later)
            .await
            .unwrap()
    );
    let s = store.subscriber(5).await.unwrap().unwrap();
    assert!(!s.active);
    assert_eq!(s.inactive_reason.as_deref(), Some(blocked));
    assert_eq!(s.updated_at, later);
    assert!(store.active_subscribers().await.unwrap().is_empty());
    assert_eq!(store.subscriber(404).await.unwrap(), None, "not created");
}

pub async fn served_until_never_moves_backwards(store: &dyn Store) {
    let mut never = subscriber(1);
    never.served_until = None;
    store.save_subscriber(&never).await.unwrap();
    store.save_subscriber(&subscriber(2)).await.unwrap();
    let later = t0() + hours(2);
    store
        .set_subscribers_served(&[1, 2, 404], later)
        .await
        .unwrap();
    store
        .set_subscribers_served(&[2], t0() + hours(1))
        .await
        .unwrap();
    for chat_id in [1, 2] {
        let s = store.subscriber(chat_id).await.unwrap().unwrap();
        assert_eq!(s.served_until, Some(later), "chat {chat_id}");
    }
    assert_eq!(store.subscriber(404).await.unwrap(), None);
}

pub async fn telegram_offset_is_per_bot_and_only_moves_forward(store: &dyn Store) {
    assert_eq!(store.telegram_offset(111).await.unwrap(), None);
    store.set_telegram_offset(111, 500).await.unwrap();
    store.set_telegram_offset(222, 7).await.unwrap();
    store.set_telegram_offset(111, 499).await.unwrap();
    assert_eq!(store.telegram_offset(111).await.unwrap(), Some(500));
    store.set_telegram_offset(111, 501).await.unwrap();
    assert_eq!(store.telegram_offset(111).await.unwrap(), Some(501));
    assert_eq!(store.telegram_offset(222).await.unwrap(), Some(7));
}
