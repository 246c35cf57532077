//! The e-mail part of the store contract: unsubscriptions.

use gazette_core::*;

use super::t0;

pub async fn email_unsubscribes_are_per_channel_and_ignore_case(store: &dyn Store) {
    assert!(
        !store
            .email_unsubscribed("briefing", "reader@example.org")
            .await
            .unwrap()
    );
    assert!(
        store
            .unsubscribe_email("briefing", "Reader@Example.org", t0())
            .await
            .unwrap()
    );
    assert!(
        !store
            .unsubscribe_email("briefing", "reader@example.org", t0())
            .await
            .unwrap(),
        "a second unsubscription changes nothing"
    );
    assert!(
        store
            .email_unsubscribed("briefing", "READER@example.org")
            .await
            .unwrap()
    );
    assert!(
        !store
            .email_unsubscribed("evening", "reader@example.org")
            .await
            .unwrap()
    );
    assert!(
        !store
            .email_unsubscribed("briefing", "other@example.org")
            .await
            .unwrap()
    );
}
