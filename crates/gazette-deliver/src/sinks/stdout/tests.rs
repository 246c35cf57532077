use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use gazette_core::{Delivery, DeliveryId, DeliveryState, EditionId, NewDelivery};

use super::*;
use crate::Retry;

/// A writer whose bytes the test can read afterwards.
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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A writer that refuses everything, like a closed pipe.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn delivery(part: u32, body: &str) -> Delivery {
    Delivery {
        id: DeliveryId(1),
        delivery: NewDelivery {
            edition_id: EditionId(1),
            sink: "briefing/stdout".into(),
            recipient: RECIPIENT.into(),
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

#[tokio::test]
async fn writes_each_part_on_its_own_lines() {
    let out = Captured::default();
    let sink = StdoutSink::with_writer(Box::new(out.clone()));
    let receipt = sink.send(&delivery(0, "first part\n")).await.unwrap();
    assert_eq!(receipt.remote_id, None);
    sink.send(&delivery(1, "second part")).await.unwrap();
    assert_eq!(out.text(), "first part\nsecond part\n");
}

#[tokio::test]
async fn write_error_is_retried_with_backoff() {
    let sink = StdoutSink::with_writer(Box::new(Closed));
    let error = sink.send(&delivery(0, "x")).await.unwrap_err();
    assert_eq!(error.retry, Retry::Backoff);
    assert!(
        error.message.contains("standard output"),
        "{}",
        error.message
    );
}
