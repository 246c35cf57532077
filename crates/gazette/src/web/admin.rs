//! The admin pages: add a feed, run an ingest, preview and send an edition.
//!
//! They need `[web] admin_token`. A browser signs in by posting the token to
//! `/admin/login`, which sets an `HttpOnly`, `SameSite=Strict` cookie holding
//! an HMAC of the token (never the token itself); a script may send
//! `Authorization: Bearer <token>` instead. Every form carries a CSRF token
//! (another HMAC of the admin token) that the action checks, so another site
//! cannot make a signed-in browser act. Without either: 401.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::NewSource;
use jiff::Timestamp;
use minijinja::context;

use super::errors::{ErrorCode, PageError};
use super::pages::PageResult;
use super::{Web, constant_time_eq, sign};

const COOKIE: &str = "gazette_admin";

impl Web {
    fn admin_token(&self) -> Result<&str, PageError> {
        self.app
            .config
            .web
            .admin_token
            .as_ref()
            .map(|t| t.expose())
            .ok_or_else(|| {
                PageError::new(
                    ErrorCode::NotConfigured,
                    "The admin pages are off: set web.admin_token (GAZETTE_WEB__ADMIN_TOKEN).",
                )
            })
    }

    fn session_value(&self, token: &str) -> String {
        sign(token, "gazette-admin-session")
    }

    fn csrf(&self, token: &str) -> String {
        sign(token, "gazette-admin-csrf")
    }

    /// Whether the request is signed in (cookie or bearer token).
    fn signed_in(&self, headers: &HeaderMap) -> Result<bool, PageError> {
        let token = self.admin_token()?;
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.trim(), token));
        let expected = self.session_value(token);
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == COOKIE && constant_time_eq(value, &expected));
        Ok(bearer || cookie)
    }

    /// The refusal of anonymous requests (401, with the sign-in form) and of
    /// forms without the CSRF token (403); `None` when the request may go on.
    fn refusal(
        &self,
        headers: &HeaderMap,
        form: Option<&HashMap<String, String>>,
    ) -> Option<Response> {
        let token = match self.admin_token() {
            Ok(token) => token,
            Err(e) => return Some(e.into_response()),
        };
        let signed_in = match self.signed_in(headers) {
            Ok(signed_in) => signed_in,
            Err(e) => return Some(e.into_response()),
        };
        if !signed_in {
            let page = self
                .message("Sign in", "The admin pages need the admin token.", "login")
                .unwrap_or_else(IntoResponse::into_response);
            return Some((ErrorCode::Unauthorized.describe().1, page).into_response());
        }
        if let Some(form) = form {
            let given = form.get("csrf").map(String::as_str).unwrap_or("");
            if !constant_time_eq(given, &self.csrf(token)) {
                return Some(
                    PageError::new(
                        ErrorCode::Forbidden,
                        "This form is stale or came from another site (CSRF token missing or wrong).",
                    )
                    .into_response(),
                );
            }
        }
        None
    }
}

pub async fn page(State(web): State<super::State>, headers: HeaderMap) -> Response {
    if let Some(refused) = web.refusal(&headers, None) {
        return refused;
    }
    let token = web.admin_token().expect("authorized");
    let channels: Vec<_> = web
        .app
        .config
        .channels
        .iter()
        .map(|c| context! { name => c.name.clone(), title => c.title.clone() })
        .collect();
    web.page(
        "admin.html.j2",
        context! { csrf => web.csrf(token), channels },
    )
    .unwrap_or_else(IntoResponse::into_response)
}

pub async fn login(
    State(web): State<super::State>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let token = match web.admin_token() {
        Ok(token) => token,
        Err(e) => return e.into_response(),
    };
    let given = form.get("token").map(String::as_str).unwrap_or("");
    if !constant_time_eq(given, token) {
        // For the operator (and fail2ban); never what was given, which may
        // be a near miss of the token.
        tracing::warn!(
            given_chars = given.chars().count(),
            "admin sign-in refused: wrong token"
        );
        let page = web
            .message("Sign in", "That is not the admin token.", "login")
            .unwrap_or_else(IntoResponse::into_response);
        return (StatusCode::UNAUTHORIZED, page).into_response();
    }
    let secure = if web.app.config.web.base_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        web.session_value(token)
    );
    tracing::info!("admin signed in");
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&format!("{}admin", web.base())),
    )
        .into_response()
}

pub async fn logout(
    State(web): State<super::State>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = web.refusal(&headers, Some(&form)) {
        return refused;
    }
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
        )],
        Redirect::to(web.base()),
    )
        .into_response()
}

fn respond(result: PageResult) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn add_feed(
    State(web): State<super::State>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = web.refusal(&headers, Some(&form)) {
        return refused;
    }
    let text = form.get("url").map(|s| s.trim()).unwrap_or("");
    let url = match gazette_core::config::parse_url("url", text) {
        Ok(url) => url,
        Err(e) => return PageError::new(ErrorCode::BadRequest, e.message).into_response(),
    };
    let new = NewSource {
        url,
        title: None,
        site_url: None,
    };
    respond(
        async {
            let (source, created) = web.app.store.add_source(&new, Timestamp::now()).await?;
            let what = if created { "Added" } else { "Already known" };
            web.message(
                "Feed",
                &format!("{what}: {} (polled at the next ingest).", source.url),
                "",
            )
        }
        .await,
    )
}

pub async fn ingest(
    State(web): State<super::State>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = web.refusal(&headers, Some(&form)) {
        return refused;
    }
    respond(
        async {
            let now = Timestamp::now();
            let report = web
                .app
                .ingester()?
                .run_once(now, &gazette_ingest::NoProgress)
                .await?;
            // Under the scheduler's lock, as a node of its own: in `gazette run`
            // the scheduler of this very process may hold it.
            let node = format!("{}-web", crate::pipeline::node_name());
            let grouped = crate::pipeline::group_articles_exclusive(
                web.app.store.as_ref(),
                &web.app.config,
                now,
                &node,
            )
            .await?;
            let grouped = match grouped {
                Some(g) => format!(
                    "{} articles grouped, {} new stories",
                    g.assigned, g.new_stories
                ),
                None => "grouping left to the running scheduler".into(),
            };
            web.message(
                "Ingest",
                &format!(
                    "{} feeds polled ({} failed), {} new entries; {grouped}.",
                    report.polled, report.failed, report.new_entries
                ),
                "",
            )
        }
        .await,
    )
}

fn channel<'a>(
    web: &'a Web,
    form: &HashMap<String, String>,
) -> Result<&'a gazette_core::config::ChannelConfig, PageError> {
    let name = form.get("channel").map(String::as_str).unwrap_or("");
    web.app
        .config
        .channels
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| PageError::new(ErrorCode::NotFound, format!("no channel named {name:?}")))
}

pub async fn preview(
    State(web): State<super::State>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = web.refusal(&headers, Some(&form)) {
        return refused;
    }
    respond(async {
        let channel = channel(&web, &form)?;
        let now = Timestamp::now();
        let slot = gazette_editions::latest_slot(channel, now);
        let edition = crate::pipeline::compose_edition(
            web.app.store.as_ref(),
            &web.app.config,
            channel,
            &slot,
            now,
        )
        .await?;
        let Some(edition) = edition else {
            return web.message(
                "Preview",
                "No edition now: too few stories in the window (a quiet period).",
                "",
            );
        };
        let html = web
            .renderer
            .render(&edition, &channel.title, gazette_core::Format::Html)
            .map_err(anyhow::Error::new)?
            .parts
            .join("\n");
        web.page(
            "message.html.j2",
            context! {
                heading => "Preview",
                message => format!("The edition {} would get now (not stored, not sent).", channel.name),
                form => "",
                preview => html,
            },
        )
    }
    .await)
}

pub async fn send(
    State(web): State<super::State>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = web.refusal(&headers, Some(&form)) {
        return refused;
    }
    respond(
        async {
            let channel = channel(&web, &form)?;
            let now = Timestamp::now();
            let slot = gazette_editions::latest_slot(channel, now);
            let store = web.app.store.as_ref();
            let Some(edition) =
                crate::pipeline::edition_for_slot(store, &web.app.config, channel, &slot, now)
                    .await?
            else {
                return web.message("Send", "No edition now: a quiet period.", "");
            };
            let queued =
                gazette_deliver::queue_edition(store, &web.renderer, channel, &edition, now)
                    .await
                    .map_err(anyhow::Error::new)?;
            web.message(
            "Send",
            &format!(
                "Edition {} of {} queued: {queued} new deliveries; the deliver role sends them.",
                edition.id, channel.name
            ),
            "",
        )
        }
        .await,
    )
}
