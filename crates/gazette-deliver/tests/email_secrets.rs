//! The SMTP password never appears in an error, a stored `last_error` or a
//! log line, on the failure paths that involve it: a server refusing the
//! credentials (AUTH PLAIN and AUTH LOGIN), and a server that hangs up in the
//! middle of authentication. The server is a small SMTP listener on
//! 127.0.0.1 written here (aiosmtpd cannot be told to refuse credentials); it
//! records what it received, so the test knows the password was really sent.
//! In its own test binary, so that its log subscriber sees every event.

mod support;

use std::sync::{Arc, Mutex};

use gazette_core::config::{ChannelConfig, RawConfig};
use gazette_core::{DeliveryState, Store};
use gazette_deliver::{Outbox, SinkContext, queue_edition};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use serde_json::json;
use support::{new_edition, story, t0};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const USER: &str = "gazette-user";
const PASSWORD: &str = "Sm7p-pa55w0rd-n3ver-logged";

/// How the listener answers authentication.
#[derive(Clone, Copy)]
enum Refusal {
    /// Offers AUTH PLAIN and answers 535.
    Plain,
    /// Offers only AUTH LOGIN, asks for the user and password, answers 535.
    Login,
    /// Offers AUTH PLAIN and closes the connection when it comes.
    HangUp,
}

/// Starts the listener; returns its port and the lines it received.
async fn smtp_listener(refusal: Refusal) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 localhost ESMTP test\r\n").await;
                let mut in_login = 0;
                while let Ok(Some(line)) = lines.next_line().await {
                    log.lock().unwrap().push(line.clone());
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if in_login == 1 {
                        in_login = 2;
                        b"334 UGFzc3dvcmQ6\r\n"
                    } else if in_login == 2 {
                        in_login = 0;
                        b"535 5.7.8 Authentication credentials invalid\r\n"
                    } else if upper.starts_with("EHLO") {
                        match refusal {
                            Refusal::Login => b"250-localhost\r\n250 AUTH LOGIN\r\n",
                            _ => b"250-localhost\r\n250 AUTH PLAIN\r\n",
                        }
                    } else if upper.starts_with("AUTH LOGIN") {
                        in_login = 1;
                        b"334 VXNlcm5hbWU6\r\n"
                    } else if upper.starts_with("AUTH") {
                        if let Refusal::HangUp = refusal {
                            return;
                        }
                        b"535 5.7.8 Authentication credentials invalid\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

fn channel(port: u16) -> ChannelConfig {
    let raw: RawConfig = serde_json::from_value(json!({
        "smtp": {"host": "127.0.0.1", "port": port, "security": "plain", "timeout": "5s",
                 "username": USER, "password": PASSWORD},
        "web": {"base_url": "https://news.example.org/", "signing_key": "signing-key-0123456789"},
        "channels": [{"name": "briefing", "timezone": "UTC", "schedule": ["07:30"],
                      "sinks": [{"kind": "email", "from": "news@example.org",
                                 "to": ["reader@example.org"]}]}]
    }))
    .unwrap();
    raw.validate().unwrap().channels.remove(0)
}

/// Base64 (standard alphabet, padded): to find the password in what the
/// listener received.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn the_smtp_password_appears_in_no_error_and_no_log_line() {
    let logs = support::capture_logs();

    for refusal in [Refusal::Plain, Refusal::Login, Refusal::HangUp] {
        let (port, received) = smtp_listener(refusal).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
        let channel = channel(port);
        assert!(!format!("{channel:?}").contains(PASSWORD));
        let context = SinkContext {
            telegram: None,
            store: Some(store.clone()),
        };
        let outbox = Outbox::build(std::slice::from_ref(&channel), &context).unwrap();
        let edition = store
            .insert_edition(&new_edition(
                "2026-01-15T07:30:00+00:00[UTC]",
                vec![story(1, "One", 10)],
            ))
            .await
            .unwrap()
            .into_edition();
        let renderer = Renderer::new(None).unwrap();
        queue_edition(store.as_ref(), &renderer, &channel, &edition, t0())
            .await
            .unwrap();
        let report = outbox.run_once(store.as_ref(), t0()).await.unwrap();
        assert_eq!(report.sent, 0, "{report:?}");

        // The password was sent: the refusal is of these credentials.
        let received = received.lock().unwrap().join("\n");
        let plain = base64(format!("\0{USER}\0{PASSWORD}").as_bytes());
        let login = base64(PASSWORD.as_bytes());
        match refusal {
            Refusal::Plain | Refusal::HangUp => assert!(received.contains(&plain), "{received}"),
            Refusal::Login => assert!(received.contains(&login), "{received}"),
        }

        let rows = store.deliveries_for_edition(edition.id).await.unwrap();
        assert_eq!(rows.len(), 1);
        let error = rows[0].last_error.clone().unwrap_or_default();
        match refusal {
            Refusal::HangUp => assert_eq!(rows[0].state, DeliveryState::Pending, "{error}"),
            _ => assert!(error.contains("535"), "{error}"),
        }
        for secret in [PASSWORD, plain.as_str(), login.as_str()] {
            assert!(
                !error.contains(secret),
                "password in the row's error: {error}"
            );
        }
    }
    let logged = logs.text();
    assert!(
        logged.contains("delivery failed") || logged.contains("535"),
        "the pass logged its failures:\n{logged}"
    );
    let plain = base64(format!("\0{USER}\0{PASSWORD}").as_bytes());
    let login = base64(PASSWORD.as_bytes());
    for secret in [PASSWORD, plain.as_str(), login.as_str()] {
        assert!(!logged.contains(secret), "password in the logs:\n{logged}");
    }
}
