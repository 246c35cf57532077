//! The `webhook` sink: POSTs each edition as JSON to a URL, signed.
//!
//! The body is the edition's JSON ([`Format::Json`](gazette_core::Format),
//! the same keys as `gazette edition preview --format json`); the request carries
//! - `Content-Type: application/json`,
//! - `X-Gazette-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body
//!   bytes under the sink's `secret` ([`signature`]); receivers compute it
//!   again and compare in constant time,
//! - `X-Gazette-Delivery`: the outbox row's id, the same on every retry, so a
//!   receiver can drop a repeat,
//! - `X-Gazette-Edition`: the edition's id.
//!
//! | answer | outcome |
//! |---|---|
//! | 2xx | sent; the remote id is the status code |
//! | 429 or 503 with `Retry-After` (seconds) | retried after that delay |
//! | 408, 429, 5xx, connection failure, timeout | retried with the outbox's backoff |
//! | other 4xx, 3xx | failed for good (a redirect is not followed: the signature is for this URL) |
//!
//! ```no_run
//! use gazette_core::config::Secret;
//! use gazette_deliver::sinks::webhook::WebhookSink;
//! let sink = WebhookSink::new(
//!     "https://hooks.example.org/gazette".parse().unwrap(),
//!     Secret::new("a shared secret of 16+ chars"),
//!     jiff::SignedDuration::from_secs(10),
//! );
//! ```

use std::time::Duration;

use async_trait::async_trait;
use gazette_core::Delivery;
use gazette_core::config::Secret;
use hmac::{KeyInit, Mac};
use jiff::SignedDuration;
use url::Url;

use super::email::hex;
use crate::{Receipt, Retry, SendError, Sink};

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "X-Gazette-Signature";

/// The value of [`SIGNATURE_HEADER`] for `body`: `sha256=` and the
/// HMAC-SHA256 of the body under `secret`, in lowercase hex.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// POSTs parts to a URL.
pub struct WebhookSink {
    url: Url,
    secret: Secret,
    http: Result<reqwest::Client, String>,
}

impl WebhookSink {
    /// A sink posting to `url`, signing with `secret`, each request within `timeout`.
    pub fn new(url: Url, secret: Secret, timeout: SignedDuration) -> WebhookSink {
        // Fails only when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("gazette/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10).min(timeout.unsigned_abs()))
            .timeout(timeout.unsigned_abs())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"));
        WebhookSink { url, secret, http }
    }
}

#[async_trait]
impl Sink for WebhookSink {
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| SendError::never(e.clone()))?;
        let body = delivery.delivery.body.clone().into_bytes();
        let signature = signature(self.secret.expose(), &body);
        let sent = http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header("X-Gazette-Delivery", delivery.id.to_string())
            .header(
                "X-Gazette-Edition",
                delivery.delivery.edition_id.to_string(),
            )
            .body(body)
            .send()
            .await;
        // reqwest's errors name the URL, which may carry a secret in its query: not shown.
        let host = self.url.host_str().unwrap_or("?").to_string();
        let response = match sent {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                return Err(SendError::backoff(format!("webhook {host}: timed out")));
            }
            Err(e) => {
                let kind = if e.is_connect() {
                    "cannot connect"
                } else {
                    "request failed"
                };
                return Err(SendError::backoff(format!(
                    "webhook {host}: {kind}: {}",
                    e.without_url()
                )));
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(Receipt {
                remote_id: Some(status.as_u16().to_string()),
            });
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok());
        let message = format!("webhook {host} answered {status}");
        let code = status.as_u16();
        Err(match (code, retry_after) {
            (429 | 503, Some(secs)) => SendError {
                retry: Retry::After(SignedDuration::from_secs(secs.into())),
                message,
            },
            (408 | 429, _) | (500..=599, _) => SendError::backoff(message),
            _ => SendError::never(message),
        })
    }
}
