//! The web role: the web edition, Atom feeds, the JSON API, health, metrics
//! and the admin pages, served by axum (`gazette run --role web`).
//!
//! | route | what |
//! |---|---|
//! | `/` | the latest editions of every channel, recent stories |
//! | `/editions/{channel}/{slot}` | an edition (`slot`: the slot's instant, RFC 3339 in UTC) |
//! | `/stories/{id}` | a story: sources by language, timeline, coverage chart (SVG); a merged story redirects (308) to the one it became |
//! | `/sources` | every feed's health, with articles per day as a sparkline |
//! | `/search?q=` | articles holding every word (SQLite FTS5, PostgreSQL tsvector) |
//! | `/channels/{channel}/atom.xml` | the channel's editions as Atom 1.0 |
//! | `/unsubscribe` | the e-mail unsubscribe link (GET: a confirmation form; POST: one click, RFC 8058) |
//! | `/admin…` | add a feed, run an ingest, preview and send an edition (token, CSRF) |
//! | `/api/v1/…` | JSON (see `openapi.json`); errors `{"error": {"code", "message"}}` |
//! | `/healthz`, `/metrics` | liveness with a store check; Prometheus text |
//!
//! Pages are server-rendered from minijinja templates (`templates/`), with no
//! script and no external asset; every value from a feed is auto-escaped, and
//! links are offered only for `http(s)` URLs. Editions themselves are
//! rendered by `gazette-editions` (the same HTML as the `html` format).
//!
//! ```no_run
//! # async fn example(app: std::sync::Arc<crate::app::App>) -> anyhow::Result<()> {
//! let listener = tokio::net::TcpListener::bind(app.config.web.listen).await?;
//! crate::web::serve(app, listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

mod admin;
mod api;
mod charts;
mod errors;
mod metrics;
mod pages;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use gazette_editions::Renderer;
use hmac::{KeyInit, Mac};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::app::App;

const TEMPLATES: [(&str, &str); 8] = [
    ("search.html.j2", include_str!("templates/search.html.j2")),
    ("layout.html.j2", include_str!("templates/layout.html.j2")),
    ("home.html.j2", include_str!("templates/home.html.j2")),
    ("edition.html.j2", include_str!("templates/edition.html.j2")),
    ("story.html.j2", include_str!("templates/story.html.j2")),
    ("sources.html.j2", include_str!("templates/sources.html.j2")),
    ("message.html.j2", include_str!("templates/message.html.j2")),
    ("admin.html.j2", include_str!("templates/admin.html.j2")),
];

/// What every handler shares.
pub struct Web {
    pub app: Arc<App>,
    pub renderer: Renderer,
    pub templates: Environment<'static>,
    pub metrics: metrics::Metrics,
}

/// The shared state handlers get.
pub type State = Arc<Web>;

impl Web {
    pub fn new(app: Arc<App>) -> anyhow::Result<Web> {
        let mut templates = Environment::new();
        templates.set_undefined_behavior(UndefinedBehavior::Strict);
        templates.set_auto_escape_callback(|_| AutoEscape::Html);
        templates.set_formatter(format_value);
        for (name, source) in TEMPLATES {
            templates.add_template(name, source)?;
        }
        Ok(Web {
            app,
            renderer: Renderer::new(None)?,
            templates,
            metrics: metrics::Metrics::default(),
        })
    }

    /// The public base URL, ending with `/`.
    pub fn base(&self) -> &str {
        self.app.config.web.base_url.as_str()
    }
}

/// The router of every route above.
pub fn router(web: State) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/editions/{channel}/{slot}", get(pages::edition))
        .route("/stories/{id}", get(pages::story))
        .route("/sources", get(pages::sources))
        .route("/search", get(pages::search))
        .route("/channels/{channel}/atom.xml", get(pages::atom))
        .route(
            "/unsubscribe",
            get(pages::unsubscribe_form).post(pages::unsubscribe),
        )
        .route("/admin", get(admin::page))
        .route("/admin/login", post(admin::login))
        .route("/admin/logout", post(admin::logout))
        .route("/admin/feeds", post(admin::add_feed))
        .route("/admin/ingest", post(admin::ingest))
        .route("/admin/preview", post(admin::preview))
        .route("/admin/send", post(admin::send))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/editions", get(api::editions))
        .route("/api/v1/editions/{channel}/{slot}", get(api::edition))
        .route("/api/v1/stories", get(api::stories))
        .route("/api/v1/stories/{id}", get(api::story))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/search", get(api::search))
        .fallback(errors::fallback)
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            metrics::track,
        ))
        .with_state(web)
}

/// Serves the web role on `listener` until `shutdown` completes.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let web = Arc::new(Web::new(app)?);
    tracing::info!(listen = %listener.local_addr()?, base = web.base(), "web server listening");
    axum::serve(listener, router(web))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Writes a value into a page: strings not marked safe are escaped with the
/// five entities HTML needs (`&`, `<`, `>`, `"`, `'`), as the edition
/// templates do (minijinja's own escaping also encodes `/`, which makes URLs
/// in text unreadable in the source).
fn format_value(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if !value.is_safe() => out
            .write_str(&errors::escape(text))
            .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure)),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// HMAC-SHA256 of `message` under `key`, in lowercase hex.
pub fn sign(key: &str, message: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A link only for http(s) URLs: anything else (`javascript:`, `data:`) is no link.
pub fn safe_href(url: &url::Url) -> Option<String> {
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}
