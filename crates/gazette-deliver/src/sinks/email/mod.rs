//! The `email` sink: one message per recipient, through an SMTP server.
//!
//! A row's body is an [`EmailParts`] as JSON (queued by [`body`]); its
//! recipient is the address. The message is `multipart/alternative` with the
//! text part first and the HTML part second, both UTF-8, and carries:
//! - `List-Unsubscribe: <https://…/unsubscribe?…>` and
//!   `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), and the
//!   same link at the foot of both parts. The link holds the channel, the
//!   address and an HMAC-SHA256 of both under `[web] signing_key`
//!   ([`unsubscribe_token`]); the web server checks it and records the
//!   unsubscription in the store, after which this sink skips the address
//!   (the row is marked sent with the remote id `unsubscribed`).
//! - a `Message-ID` made of the edition, the part and the address, so that a
//!   repeated delivery (after a crash) can be recognised by the receiver.
//!
//! The connection is implicit TLS, STARTTLS (required) or plain, as
//! `[smtp] security` says; TLS is rustls with the platform's roots.
//!
//! | SMTP answer | outcome |
//! |---|---|
//! | 250 to `DATA` | row sent, remote id = the server's answer |
//! | 4xx, connection or TLS failure, timeout | retried with the outbox's backoff |
//! | 5xx (address refused, message refused) | failed for good |
//!
//! ```no_run
//! # fn example(config: &gazette_core::config::SinkConfig) {
//! use gazette_deliver::sinks::email::EmailSink;
//! if let gazette_core::config::SinkConfig::Email { from, smtp, unsubscribe, .. } = config {
//!     let sink = EmailSink::new("briefing", from, smtp.clone(), unsubscribe.clone(), None);
//! }
//! # }
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use gazette_core::config::{SmtpConfig, SmtpSecurity, UnsubscribeConfig};
use gazette_core::{Delivery, NewEdition, Store};
use gazette_editions::{EmailParts, RenderError, Renderer};
use hmac::{KeyInit, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{Receipt, SendError, Sink};

/// The remote id of a row whose address had unsubscribed: nothing was sent.
pub const UNSUBSCRIBED: &str = "unsubscribed";

/// The body of an `email` row: the edition's [`EmailParts`] as JSON.
pub fn body(renderer: &Renderer, edition: &NewEdition, title: &str) -> Result<String, RenderError> {
    let parts = renderer.email(edition, title)?;
    serde_json::to_string(&parts).map_err(|source| RenderError::Json { source })
}

/// The token of an unsubscribe link: HMAC-SHA256 under `key` of the channel
/// and the address (lowercased), as 64 hex digits.
pub fn unsubscribe_token(key: &str, channel: &str, address: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(b"gazette-unsubscribe\n");
    mac.update(channel.as_bytes());
    mac.update(b"\n");
    mac.update(address.to_lowercase().as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Whether `token` is the unsubscribe token of (channel, address), compared in constant time.
pub fn check_unsubscribe_token(key: &str, channel: &str, address: &str, token: &str) -> bool {
    let expected = unsubscribe_token(key, channel, address);
    expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The unsubscribe link of an address: `<base>unsubscribe?channel=…&address=…&token=…`.
pub fn unsubscribe_url(config: &UnsubscribeConfig, channel: &str, address: &str) -> url::Url {
    let mut url = config
        .base_url
        .join("unsubscribe")
        .expect("a base URL ending with / takes a relative path");
    url.query_pairs_mut()
        .append_pair("channel", channel)
        .append_pair("address", address)
        .append_pair(
            "token",
            &unsubscribe_token(config.key.expose(), channel, address),
        );
    url
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Sends parts as e-mails through an SMTP server.
pub struct EmailSink {
    channel: String,
    from: String,
    smtp: SmtpConfig,
    unsubscribe: UnsubscribeConfig,
    store: Option<Arc<dyn Store>>,
}

impl EmailSink {
    /// A sink for `channel`'s editions, from `from`, through `smtp`; with a
    /// store, addresses that unsubscribed are skipped.
    pub fn new(
        channel: &str,
        from: &str,
        smtp: SmtpConfig,
        unsubscribe: UnsubscribeConfig,
        store: Option<Arc<dyn Store>>,
    ) -> EmailSink {
        EmailSink {
            channel: channel.to_string(),
            from: from.to_string(),
            smtp,
            unsubscribe,
            store,
        }
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
        let tls = |host: &str| {
            let mut builder = TlsParameters::builder(host.to_string());
            if let Some(path) = &self.smtp.ca_file {
                let pem = std::fs::read(path).map_err(|e| {
                    SendError::backoff(format!("cannot read smtp.ca_file {}: {e}", path.display()))
                })?;
                let certificate = Certificate::from_pem(&pem).map_err(|e| {
                    SendError::never(format!("smtp.ca_file {}: {e}", path.display()))
                })?;
                builder = builder.add_root_certificate(certificate);
            }
            builder
                .build_rustls()
                .map_err(|e| SendError::never(format!("cannot set up TLS for {host}: {e}")))
        };
        let tls = match self.smtp.security {
            SmtpSecurity::Tls => Tls::Wrapper(tls(&self.smtp.host)?),
            SmtpSecurity::StartTls => Tls::Required(tls(&self.smtp.host)?),
            SmtpSecurity::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.smtp.host)
            .port(self.smtp.port)
            .tls(tls)
            .timeout(Some(self.smtp.timeout.unsigned_abs()));
        if let Some(user) = &self.smtp.username {
            let password = self
                .smtp
                .password
                .as_ref()
                .map(|p| p.expose().to_string())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(builder.build())
    }

    /// The message of one row.
    pub fn message(&self, delivery: &Delivery) -> Result<Message, SendError> {
        let row = &delivery.delivery;
        let parts: EmailParts = serde_json::from_str(&row.body).map_err(|e| {
            SendError::never(format!("the row's body is not an e-mail (JSON): {e}"))
        })?;
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|e| SendError::never(format!("sender {:?}: {e}", self.from)))?;
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| SendError::never(format!("recipient {:?}: {e}", row.recipient)))?;
        let link = unsubscribe_url(&self.unsubscribe, &self.channel, &row.recipient);
        let text = format!("{}\n-- \nUnsubscribe: {link}\n", parts.text.trim_end());
        let footer = format!(
            "<p style=\"font-size:13px;color:#555\"><a href=\"{}\">Unsubscribe</a></p>\n",
            escape_attribute(link.as_str())
        );
        let html = match parts.html.rfind("</body>") {
            Some(at) => format!("{}{footer}{}", &parts.html[..at], &parts.html[at..]),
            None => format!("{}{footer}", parts.html),
        };
        let domain = from.email.domain().to_string();
        let message_id = format!(
            "<gazette.{}.{}.{}@{domain}>",
            row.edition_id,
            row.part,
            &unsubscribe_token(self.unsubscribe.key.expose(), &self.channel, &row.recipient)[..16]
        );
        let mut message = Message::builder()
            .from(from)
            .to(to)
            .subject(parts.subject)
            .message_id(Some(message_id))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )
            .map_err(|e| SendError::never(format!("cannot build the message: {e}")))?;
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{link}>"),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
        Ok(message)
    }
}

/// Escapes a URL for an HTML attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[async_trait]
impl Sink for EmailSink {
    async fn send(&self, delivery: &Delivery) -> Result<Receipt, SendError> {
        let address = &delivery.delivery.recipient;
        if let Some(store) = &self.store {
            match store.email_unsubscribed(&self.channel, address).await {
                Ok(true) => {
                    tracing::info!(channel = %self.channel, "address unsubscribed: not sent");
                    return Ok(Receipt {
                        remote_id: Some(UNSUBSCRIBED.to_string()),
                    });
                }
                Ok(false) => {}
                Err(e) => {
                    return Err(SendError::backoff(format!(
                        "cannot check the unsubscriptions: {e}"
                    )));
                }
            }
        }
        let message = self.message(delivery)?;
        let transport = self.transport()?;
        match transport.send(message).await {
            Ok(response) => Ok(Receipt {
                remote_id: Some(response.message().collect::<Vec<_>>().join(" ")),
            }),
            Err(e) if e.is_permanent() => Err(SendError::never(format!(
                "the SMTP server {} refused the message: {e}",
                self.smtp.host
            ))),
            Err(e) => Err(SendError::backoff(format!(
                "cannot send through the SMTP server {}:{}: {e}",
                self.smtp.host, self.smtp.port
            ))),
        }
    }
}
