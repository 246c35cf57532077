//! The `email` sink against a real SMTP server: Python's aiosmtpd (from PyPI,
//! `pip install aiosmtpd`), started by each test on 127.0.0.1, writing what it
//! receives to a folder. The MIME that arrived is parsed by Python's own
//! e-mail parser (`support/parse_mime.py`), not by us.
//!
//! Without python3 or aiosmtpd these tests fail, saying what to install.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use gazette_core::config::{ChannelConfig, RawConfig};
use gazette_core::{DeliveryState, RankedStory, SourceLink, Store, StoryId};
use gazette_deliver::sinks::email::{UNSUBSCRIBED, check_unsubscribe_token};
use gazette_deliver::{Outbox, SinkContext, queue_edition};
use gazette_editions::Renderer;
use gazette_store::SqliteStore;
use serde_json::{Value, json};
use support::{new_edition, t0, ts};

const KEY: &str = "test-signing-key-0123456789";

/// A running aiosmtpd; stopped (stdin closed, then killed) when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// `mode`: `--plain`, or `--tls`/`--starttls` followed by the certificate and key files.
    fn start(mode: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .args(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start python3 ({e}): the e-mail tests need python3 with aiosmtpd (pip install aiosmtpd)")
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = match line.trim().strip_prefix("PORT ") {
            Some(port) => port.parse().unwrap(),
            None => {
                let _ = child.kill();
                panic!(
                    "the SMTP test server did not start: {:?}. The e-mail tests need aiosmtpd: pip install aiosmtpd (bash .ci/run installs it)",
                    line.trim()
                );
            }
        };
        SmtpServer { child, port, dir }
    }

    /// The messages received so far, in order, as files.
    fn received(&self) -> Vec<PathBuf> {
        let mut files: Vec<(u32, PathBuf)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| (p.file_stem().unwrap().to_str().unwrap().parse().unwrap(), p))
            .collect();
        files.sort();
        files.into_iter().map(|(_, p)| p).collect()
    }

    fn envelope(&self, eml: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(eml.with_extension("json")).unwrap()).unwrap()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        std::thread::sleep(Duration::from_millis(50));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The message as Python's e-mail parser reads it.
fn parse(eml: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/parse_mime.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(eml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "parse_mime.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn channel(smtp: Value, to: &[&str]) -> ChannelConfig {
    let raw: RawConfig = serde_json::from_value(json!({
        "smtp": smtp,
        "web": {"base_url": "https://news.example.org/gazette/", "signing_key": KEY},
        "channels": [{"name": "briefing", "title": "Le <Brief> & co", "timezone": "Europe/Paris",
                      "schedule": ["07:30", "19:00"], "lang": "en",
                      "sinks": [{"kind": "email", "from": "Gazette <news@example.org>", "to": to}]}]
    }))
    .unwrap();
    raw.validate().unwrap().channels.remove(0)
}

fn plain(port: u16) -> Value {
    json!({"host": "127.0.0.1", "port": port, "security": "plain", "timeout": "10s"})
}

/// A story written by someone hostile: markup in every text, a `javascript:` link.
fn hostile_story() -> RankedStory {
    RankedStory {
        story_id: StoryId(1),
        title: "Storm <script>alert('x')</script> hits «Brest»".into(),
        score: 10.0,
        signals: vec![],
        summary: vec!["Winds <img src=x onerror=alert(1)> reached 150 km/h.".into()],
        key_quote: None,
        sources: vec![
            SourceLink {
                url: "javascript:alert(document.cookie)".parse().unwrap(),
                outlet: "evil.example".into(),
                title: "<b onmouseover=alert(2)>x</b>".into(),
                lang: "en".into(),
            },
            SourceLink {
                url: "https://ouest.example/storm?a=1&b=2".parse().unwrap(),
                outlet: "ouest.example".into(),
                title: "Storm".into(),
                lang: "fr".into(),
            },
        ],
        outlet_count: 2,
        article_count: 2,
        languages: vec!["en".into(), "fr".into()],
        first_seen: ts("2026-01-15T04:00:00Z"),
        last_seen: ts("2026-01-15T05:00:00Z"),
        update: false,
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    outbox: Outbox,
    channel: ChannelConfig,
}

async fn setup(channel: ChannelConfig) -> (Setup, gazette_core::Edition) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("gazette.db")).unwrap());
    let context = SinkContext {
        telegram: None,
        store: Some(store.clone()),
    };
    let outbox = Outbox::build(std::slice::from_ref(&channel), &context).unwrap();
    let edition = store
        .insert_edition(&new_edition(
            "2026-01-15T07:30:00+01:00[Europe/Paris]",
            vec![hostile_story()],
        ))
        .await
        .unwrap()
        .into_edition();
    let renderer = Renderer::new(None).unwrap();
    queue_edition(store.as_ref(), &renderer, &channel, &edition, t0())
        .await
        .unwrap();
    (
        Setup {
            _dir: dir,
            store,
            outbox,
            channel,
        },
        edition,
    )
}

#[tokio::test]
async fn an_edition_arrives_as_multipart_html_and_text_with_a_working_unsubscribe_link() {
    let server = SmtpServer::start(&["--plain"]);
    let (s, edition) = setup(channel(plain(server.port), &["reader@example.org"])).await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!((report.sent, report.failed), (1, 0), "{report:?}");

    let received = server.received();
    assert_eq!(received.len(), 1);
    let envelope = server.envelope(&received[0]);
    assert_eq!(envelope["from"], "news@example.org");
    assert_eq!(envelope["to"], json!(["reader@example.org"]));
    let mail = parse(&received[0]);
    assert_eq!(mail["defects"], json!([]), "{mail:#}");
    let h = &mail["headers"];
    assert_eq!(h["From"], "Gazette <news@example.org>");
    assert_eq!(h["To"], "reader@example.org");
    assert_eq!(
        h["Subject"], "Le <Brief> & co · Morning edition · Thursday 15 January 2026",
        "the subject is text, encoded and decoded intact"
    );
    assert_eq!(h["MIME-Version"], "1.0");
    assert_eq!(mail["content_type"], "multipart/alternative");
    assert_eq!(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert!(h["Message-ID"].as_str().unwrap().ends_with("@example.org>"));

    // The unsubscribe link: in the header and at the foot of both parts, signed.
    let header = h["List-Unsubscribe"].as_str().unwrap();
    let link = header.strip_prefix('<').unwrap().strip_suffix('>').unwrap();
    let url = url::Url::parse(link).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        ("https", Some("news.example.org"), "/gazette/unsubscribe")
    );
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["channel"], "briefing");
    assert_eq!(query["address"], "reader@example.org");
    assert!(check_unsubscribe_token(
        KEY,
        "briefing",
        "reader@example.org",
        &query["token"]
    ));
    assert!(!check_unsubscribe_token(
        KEY,
        "briefing",
        "other@example.org",
        &query["token"]
    ));

    let parts = mail["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{mail:#}");
    assert_eq!(parts[0]["content_type"], "text/plain");
    assert_eq!(parts[1]["content_type"], "text/html");
    assert_eq!(parts[0]["charset"], "utf-8");
    assert_eq!(parts[1]["charset"], "utf-8");
    let text = parts[0]["text"].as_str().unwrap();
    let html = parts[1]["text"].as_str().unwrap();

    // Text: the story as written (it is not HTML), and the link.
    assert!(
        text.contains("Storm <script>alert('x')</script> hits «Brest»"),
        "{text}"
    );
    assert!(text.contains(&format!("Unsubscribe: {link}")), "{text}");

    // HTML: every hostile piece escaped, no script, no handler, no javascript: link.
    assert!(
        html.contains("Storm &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; hits «Brest»"),
        "{html}"
    );
    assert!(
        html.contains("Winds &lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<h1>Le &lt;Brief&gt; &amp; co</h1>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b "), "{html}");
    assert!(
        !html.to_lowercase().contains("href=\"javascript:"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://ouest.example/storm?a=1&amp;b=2\""),
        "{html}"
    );
    let escaped_link = link.replace('&', "&amp;");
    assert!(
        html.contains(&format!("<a href=\"{escaped_link}\">Unsubscribe</a>")),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"));

    // Sent once, with the server's answer as the remote id.
    let rows = s.store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(rows[0].state, DeliveryState::Sent);
    assert!(
        rows[0]
            .remote_id
            .as_deref()
            .unwrap()
            .contains("queued as gazette-test-1"),
        "{rows:?}"
    );
    let again = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(again.claimed, 0);
    assert_eq!(server.received().len(), 1, "never sent twice");
    let _ = &s.channel;
}

#[tokio::test]
async fn an_unsubscribed_address_gets_nothing_and_the_others_still_do() {
    let server = SmtpServer::start(&["--plain"]);
    let (s, edition) = setup(channel(
        plain(server.port),
        &["gone@example.org", "stays@example.org"],
    ))
    .await;
    assert!(
        s.store
            .unsubscribe_email("briefing", "Gone@Example.org", t0())
            .await
            .unwrap()
    );
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.sent, 2);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        server.envelope(&received[0])["to"],
        json!(["stays@example.org"])
    );
    let rows = s.store.deliveries_for_edition(edition.id).await.unwrap();
    let gone = rows
        .iter()
        .find(|r| r.delivery.recipient == "gone@example.org")
        .unwrap();
    assert_eq!(gone.remote_id.as_deref(), Some(UNSUBSCRIBED));
}

#[tokio::test]
async fn a_refused_address_fails_for_good_and_a_temporary_refusal_is_retried() {
    let server = SmtpServer::start(&["--plain"]);
    let (s, edition) = setup(channel(
        plain(server.port),
        &["refuse@example.org", "later@example.org", "ok@example.org"],
    ))
    .await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (1, 1, 1),
        "{report:?}"
    );
    let rows = s.store.deliveries_for_edition(edition.id).await.unwrap();
    let state = |who: &str| {
        let row = rows.iter().find(|r| r.delivery.recipient == who).unwrap();
        (row.state, row.last_error.clone().unwrap_or_default())
    };
    let (refused, error) = state("refuse@example.org");
    assert_eq!(refused, DeliveryState::Failed);
    assert!(error.contains("550"), "{error}");
    let (later, error) = state("later@example.org");
    assert_eq!(later, DeliveryState::Pending);
    assert!(error.contains("451"), "{error}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_with_backoff() {
    // A port nobody listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (s, edition) = setup(channel(plain(port), &["reader@example.org"])).await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    let rows = s.store.deliveries_for_edition(edition.id).await.unwrap();
    assert_eq!(rows[0].state, DeliveryState::Pending);
}

/// A private CA and a certificate for 127.0.0.1 it signed, made with openssl.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run openssl ({e}): the TLS e-mail tests make certificates with it")
            });
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=gazette test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

async fn over_tls(mode: &str, security: &str) {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(certs.path());
    let server = SmtpServer::start(&[mode, cert.to_str().unwrap(), key.to_str().unwrap()]);
    let smtp = json!({"host": "127.0.0.1", "port": server.port, "security": security,
                      "timeout": "10s", "ca_file": ca});
    let (s, _) = setup(channel(smtp.clone(), &["reader@example.org"])).await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        server.envelope(&received[0])["tls"],
        true,
        "the message came over TLS"
    );
    assert_eq!(parse(&received[0])["parts"].as_array().unwrap().len(), 2);

    // Without the private CA, the server's certificate is refused: nothing is sent.
    let mut untrusted = smtp;
    untrusted.as_object_mut().unwrap().remove("ca_file");
    let (s, edition) = setup(channel(untrusted, &["reader@example.org"])).await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    let rows = s.store.deliveries_for_edition(edition.id).await.unwrap();
    assert!(rows[0].last_error.is_some());
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn implicit_tls_verifies_the_servers_certificate() {
    over_tls("--tls", "tls").await;
}

#[tokio::test]
async fn starttls_is_required_and_verifies_the_servers_certificate() {
    over_tls("--starttls", "starttls").await;
}

#[tokio::test]
async fn starttls_refuses_a_server_that_does_not_offer_it() {
    let server = SmtpServer::start(&["--plain"]);
    let smtp =
        json!({"host": "127.0.0.1", "port": server.port, "security": "starttls", "timeout": "10s"});
    let (s, _) = setup(channel(smtp, &["reader@example.org"])).await;
    let report = s.outbox.run_once(s.store.as_ref(), t0()).await.unwrap();
    assert_eq!(report.sent, 0, "{report:?}");
    assert!(
        server.received().is_empty(),
        "nothing goes out in the clear"
    );
}
