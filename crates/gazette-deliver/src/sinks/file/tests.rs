use gazette_core::{Delivery, DeliveryId, DeliveryState, EditionId, NewDelivery};

use super::*;
use crate::Retry;

fn delivery(recipient: &str, part: u32, body: &str) -> Delivery {
    Delivery {
        id: DeliveryId(1),
        delivery: NewDelivery {
            edition_id: EditionId(1),
            sink: "briefing/file".into(),
            recipient: recipient.into(),
            part,
            body: body.into(),
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

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn recipient_is_channel_and_local_slot() {
    let edition = NewEdition {
        channel: "briefing".into(),
        slot: "2026-03-29T03:30:00+02:00[Europe/Paris]".parse().unwrap(),
        window_start: jiff::Timestamp::UNIX_EPOCH,
        window_end: jiff::Timestamp::UNIX_EPOCH,
        composed_at: jiff::Timestamp::UNIX_EPOCH,
        lang: "en".into(),
        stories: vec![],
    };
    assert_eq!(recipient(&edition), "briefing-2026-03-29T0330");
}

#[tokio::test]
async fn writes_each_part_to_its_file_creating_the_directory() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("nested/editions");
    let sink = FileSink::new(dir.clone(), Format::Telegram);
    let first = sink
        .send(&delivery("briefing-2026-01-15T0730", 0, "<b>one</b>"))
        .await
        .unwrap();
    sink.send(&delivery("briefing-2026-01-15T0730", 1, "<b>two</b>"))
        .await
        .unwrap();
    let expected = dir.join("briefing-2026-01-15T0730-part1.html");
    assert_eq!(first.remote_id, Some(expected.display().to_string()));
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), "<b>one</b>");
    assert_eq!(
        files_in(&dir),
        [
            "briefing-2026-01-15T0730-part1.html",
            "briefing-2026-01-15T0730-part2.html"
        ],
        "no temporary file is left behind"
    );
}

#[tokio::test]
async fn sending_again_rewrites_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let sink = FileSink::new(dir.path().to_path_buf(), Format::Json);
    sink.send(&delivery("briefing-2026-01-15T0730", 0, "{}"))
        .await
        .unwrap();
    sink.send(&delivery("briefing-2026-01-15T0730", 0, "{\"a\":1}"))
        .await
        .unwrap();
    assert_eq!(
        files_in(dir.path()),
        ["briefing-2026-01-15T0730-part1.json"]
    );
    let text =
        std::fs::read_to_string(dir.path().join("briefing-2026-01-15T0730-part1.json")).unwrap();
    assert_eq!(text, "{\"a\":1}");
}

#[tokio::test]
async fn recipient_that_is_not_a_plain_stem_is_refused_for_good() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("editions");
    let sink = FileSink::new(dir.clone(), Format::Text);
    for recipient in ["../escape", "a/b", "", ".hidden"] {
        let error = sink.send(&delivery(recipient, 0, "x")).await.unwrap_err();
        assert_eq!(error.retry, Retry::Never, "{recipient:?}");
    }
    assert_eq!(
        files_in(root.path()),
        Vec::<String>::new(),
        "nothing written anywhere"
    );
}

#[tokio::test]
async fn unwritable_directory_is_retried_with_backoff() {
    let root = tempfile::tempdir().unwrap();
    let blocker = root.path().join("editions");
    std::fs::write(&blocker, "a file where the directory should be").unwrap();
    let sink = FileSink::new(blocker.clone(), Format::Text);
    let error = sink
        .send(&delivery("briefing-2026-01-15T0730", 0, "x"))
        .await
        .unwrap_err();
    assert_eq!(error.retry, Retry::Backoff);
    assert!(
        error.message.contains("briefing-2026-01-15T0730-part1.txt"),
        "{}",
        error.message
    );
}
