//! The HTML pages and the Atom feeds.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gazette_core::{Edition, Format, SourceStatus, Story, StoryId};
use jiff::{SignedDuration, Timestamp};
use minijinja::context;
use serde::Serialize;

use super::errors::{ErrorCode, PageError, escape};
use super::{Web, charts, safe_href};

/// How many editions per channel the home page lists.
const HOME_EDITIONS: usize = 10;
/// Days of the sources page's sparklines.
const SPARK_DAYS: usize = 14;

pub type PageResult = Result<Response, PageError>;

impl Web {
    /// Renders a page template with `base` and `lang` added.
    pub fn page(&self, name: &str, ctx: minijinja::Value) -> PageResult {
        let ctx = context! { base => self.base(), ..ctx };
        let html = self.templates.get_template(name)?.render(ctx)?;
        Ok(Html(html).into_response())
    }

    /// A page with a heading and a message (and optionally a form).
    pub fn message(&self, heading: &str, message: &str, form: &str) -> PageResult {
        self.page(
            "message.html.j2",
            context! { heading, message, form, preview => "" },
        )
    }

    pub fn edition_href(&self, edition: &Edition) -> String {
        format!(
            "{}editions/{}/{}",
            self.base(),
            edition.edition.channel,
            edition.edition.slot.timestamp()
        )
    }

    pub fn story_href(&self, id: StoryId) -> String {
        format!("{}stories/{}", self.base(), id.0)
    }

    fn atom_href(&self, channel: &str) -> String {
        format!("{}channels/{channel}/atom.xml", self.base())
    }
}

/// "Morning edition · Thursday 15 January 2026" without reaching into the renderer.
fn edition_label(edition: &Edition) -> String {
    let slot = &edition.edition.slot;
    let part = if slot.hour() < 12 {
        "Morning"
    } else {
        "Evening"
    };
    format!("{part} edition · {}", slot.strftime("%A %-d %B %Y, %H:%M"))
}

#[derive(Serialize)]
struct StoryLink {
    title: String,
    href: String,
    outlets: usize,
    languages: String,
}

pub async fn home(State(web): State<super::State>) -> PageResult {
    let store = web.app.store.as_ref();
    let now = Timestamp::now();
    let mut channels = Vec::new();
    let mut feeds = Vec::new();
    for channel in &web.app.config.channels {
        let mut editions = store
            .editions_since(&channel.name, now - SignedDuration::from_hours(24 * 30))
            .await?;
        if editions.is_empty() {
            editions.extend(store.latest_edition(&channel.name).await?);
        }
        editions.reverse();
        editions.truncate(HOME_EDITIONS);
        let editions: Vec<_> = editions
            .iter()
            .map(|e| {
                context! {
                    href => web.edition_href(e),
                    label => edition_label(e),
                    story_count => e.edition.stories.len(),
                    stories => e.edition.stories.iter().map(|s| context! {
                        title => s.title.clone(),
                        href => web.story_href(s.story_id),
                    }).collect::<Vec<_>>(),
                }
            })
            .collect();
        feeds.push(
            context! { title => channel.title.clone(), href => web.atom_href(&channel.name) },
        );
        channels.push(context! {
            name => channel.name.clone(),
            title => channel.title.clone(),
            atom => web.atom_href(&channel.name),
            editions,
        });
    }
    let mut stories = store
        .stories_since(now - SignedDuration::from_hours(48))
        .await?;
    stories.sort_by_key(|s| std::cmp::Reverse(s.outlets().len()));
    stories.truncate(30);
    let stories: Vec<StoryLink> = stories
        .iter()
        .map(|s| StoryLink {
            title: s.title.clone(),
            href: web.story_href(s.id),
            outlets: s.outlets().len(),
            languages: s.languages().into_iter().collect::<Vec<_>>().join(", "),
        })
        .collect();
    let stories = minijinja::Value::from(minijinja::value::Serde(&stories));
    web.page("home.html.j2", context! { channels, stories, feeds })
}

fn parse_slot(slot: &str) -> Result<Timestamp, ErrorCode> {
    slot.parse().map_err(|_| ErrorCode::BadRequest)
}

/// The stored edition of a channel at a slot.
pub async fn find_edition(
    web: &Web,
    channel: &str,
    slot: &str,
) -> Result<Edition, (ErrorCode, String)> {
    if !web.app.config.channels.iter().any(|c| c.name == channel) {
        return Err((ErrorCode::NotFound, format!("no channel named {channel:?}")));
    }
    let at = parse_slot(slot).map_err(|code| {
        (
            code,
            format!("{slot:?} is not an instant such as 2026-01-15T06:30:00Z"),
        )
    })?;
    match web.app.store.edition_for_slot(channel, at).await {
        Ok(Some(edition)) => Ok(edition),
        Ok(None) => Err((
            ErrorCode::NotFound,
            format!("no edition of {channel} at {at}"),
        )),
        Err(e) => {
            let api = super::errors::ApiError::from(e);
            Err((api.code, api.message))
        }
    }
}

pub async fn edition(
    State(web): State<super::State>,
    Path((channel, slot)): Path<(String, String)>,
) -> PageResult {
    let edition = find_edition(&web, &channel, &slot)
        .await
        .map_err(|(code, message)| PageError::new(code, message))?;
    let title = web
        .app
        .config
        .channels
        .iter()
        .find(|c| c.name == channel)
        .map(|c| c.title.clone())
        .unwrap_or(channel.clone());
    let body = web
        .renderer
        .render(&edition.edition, &title, Format::Html)
        .map_err(anyhow::Error::new)?
        .parts
        .join("\n");
    let stories: Vec<_> = edition
        .edition
        .stories
        .iter()
        .map(|s| context! { title => s.title.clone(), href => web.story_href(s.story_id) })
        .collect();
    web.page(
        "edition.html.j2",
        context! {
            title => format!("{title} · {}", edition_label(&edition)),
            lang => edition.edition.lang.clone(),
            body,
            stories,
            json => format!("{}api/v1/editions/{channel}/{slot}", web.base()),
        },
    )
}

/// A language's name in its own language, or its code.
pub fn language_name(code: &str) -> String {
    match code {
        "en" => "English",
        "fr" => "Français",
        "de" => "Deutsch",
        "es" => "Español",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pt" => "Português",
        "und" => "Unknown language",
        other => return other.to_string(),
    }
    .to_string()
}

pub fn story_view(web: &Web, story: &Story) -> minijinja::Value {
    let mut by_lang: BTreeMap<&str, Vec<minijinja::Value>> = BTreeMap::new();
    let member = |m: &gazette_core::StoryMember| {
        context! {
            title => m.title.clone(),
            outlet => m.outlet.clone(),
            href => safe_href(&m.url),
            time => m.time.strftime("%d %b %Y %H:%M UTC").to_string(),
            time_iso => m.time.to_string(),
            lead => m.article_id == story.lead,
        }
    };
    for m in &story.members {
        by_lang.entry(m.lang.as_str()).or_default().push(member(m));
    }
    let mut timeline: Vec<_> = story.members.iter().collect();
    timeline.sort_by_key(|m| m.time);
    let fmt = |t: Option<Timestamp>| {
        t.map(|t| t.strftime("%d %b %Y %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    context! {
        id => story.id.0,
        title => story.title.clone(),
        href => web.story_href(story.id),
        article_count => story.members.len(),
        outlet_count => story.outlets().len(),
        first_seen => fmt(story.first_seen()),
        last_seen => fmt(story.last_seen()),
        languages => by_lang.into_iter().map(|(code, members)| context! {
            code, name => language_name(code), members,
        }).collect::<Vec<_>>(),
        timeline => timeline.into_iter().map(member).collect::<Vec<_>>(),
    }
}

pub async fn story(State(web): State<super::State>, Path(id): Path<String>) -> PageResult {
    let id: i64 = id.parse().map_err(|_| {
        PageError::new(
            ErrorCode::BadRequest,
            format!("{id:?} is not a story number"),
        )
    })?;
    let story = web
        .app
        .store
        .story(StoryId(id))
        .await?
        .ok_or_else(|| PageError::new(ErrorCode::NotFound, format!("no story {id}")))?;
    if story.id != StoryId(id) {
        // A story merged into another: its address now leads there.
        return Ok(Redirect::permanent(&web.story_href(story.id)).into_response());
    }
    let times: Vec<Timestamp> = story.members.iter().map(|m| m.time).collect();
    web.page(
        "story.html.j2",
        context! { story => story_view(&web, &story), chart => charts::coverage(&times) },
    )
}

pub async fn sources(State(web): State<super::State>) -> PageResult {
    let store = web.app.store.as_ref();
    let now = Timestamp::now();
    let fmt = |t: Option<Timestamp>| {
        t.map(|t| crate::commands::relative(t, now))
            .unwrap_or_else(|| "never".into())
    };
    let mut rows = Vec::new();
    for source in store.sources().await? {
        let times = store.recent_entry_times(source.id, 1000).await?;
        let per_day = charts::per_day(&times, now, SPARK_DAYS);
        rows.push(context! {
            title => source.title.clone().unwrap_or_else(|| source.outlet()),
            url => source.url.to_string(),
            status => match source.poll.status {
                SourceStatus::Active => "active",
                SourceStatus::Disabled => "disabled",
            },
            last_success => fmt(source.poll.last_success_at),
            last_error => source.poll.last_error.clone(),
            last_error_at => fmt(source.poll.last_error_at),
            failures => source.poll.consecutive_failures,
            sparkline => charts::sparkline(&per_day),
        });
    }
    web.page(
        "sources.html.j2",
        context! { sources => rows, days => SPARK_DAYS },
    )
}

/// XML text escaping.
fn xml(text: &str) -> String {
    escape(text)
}

pub async fn atom(State(web): State<super::State>, Path(channel): Path<String>) -> PageResult {
    let Some(config) = web.app.config.channels.iter().find(|c| c.name == channel) else {
        return Err(PageError::new(
            ErrorCode::NotFound,
            format!("no channel named {channel:?}"),
        ));
    };
    let store = web.app.store.as_ref();
    let now = Timestamp::now();
    let mut editions = store
        .editions_since(&config.name, now - SignedDuration::from_hours(24 * 30))
        .await?;
    if editions.is_empty() {
        editions.extend(store.latest_edition(&config.name).await?);
    }
    editions.reverse();
    editions.truncate(20);
    let updated = editions
        .first()
        .map(|e| e.edition.composed_at)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <id>urn:gazette:channel:{}</id>\n<title>{}</title>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
         <author><name>{}</name></author>\n<generator>gazette</generator>\n",
        xml(&config.lang),
        xml(&config.name),
        xml(&config.title),
        xml(&web.atom_href(&config.name)),
        xml(web.base()),
        xml(&config.title),
    );
    for edition in &editions {
        let entry = web
            .renderer
            .render(&edition.edition, &config.title, Format::Atom)
            .map_err(anyhow::Error::new)?
            .parts
            .join("");
        // Each entry links to its page.
        let link = format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n</entry>",
            xml(&web.edition_href(edition))
        );
        feed.push_str(&entry.trim_end().replacen("</entry>", &link, 1));
        feed.push('\n');
    }
    feed.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
    )
        .into_response())
}

/// The checked parameters of an unsubscribe link.
fn unsubscribe_params(
    web: &Web,
    query: &HashMap<String, String>,
) -> Result<(String, String), PageError> {
    let Some(key) = &web.app.config.web.signing_key else {
        return Err(PageError::new(
            ErrorCode::NotConfigured,
            "Unsubscribe links are not set up here (web.signing_key).",
        ));
    };
    let get = |name: &str| query.get(name).cloned().unwrap_or_default();
    let (channel, address, token) = (get("channel"), get("address"), get("token"));
    if !gazette_deliver::sinks::email::check_unsubscribe_token(
        key.expose(),
        &channel,
        &address,
        &token,
    ) {
        return Err(PageError::new(
            ErrorCode::Forbidden,
            "This unsubscribe link is not valid: use the link of the e-mail as it came.",
        ));
    }
    Ok((channel, address))
}

/// GET: a confirmation form (link scanners follow links; only a POST unsubscribes).
pub async fn unsubscribe_form(
    State(web): State<super::State>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let (channel, address) = unsubscribe_params(&web, &query)?;
    let action = format!("{}unsubscribe?{}", web.base(), raw.unwrap_or_default());
    web.page(
        "message.html.j2",
        context! {
            heading => "Unsubscribe",
            message => format!("Stop sending the editions of {channel} to {address}?"),
            form => "unsubscribe",
            action,
            address,
            preview => "",
        },
    )
}

/// POST (the form, or a mail client's one-click `List-Unsubscribe=One-Click`).
pub async fn unsubscribe(
    State(web): State<super::State>,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let (channel, address) = unsubscribe_params(&web, &query)?;
    let added = web
        .app
        .store
        .unsubscribe_email(&channel, &address, Timestamp::now())
        .await?;
    tracing::info!(%channel, new = added, "e-mail address unsubscribed");
    web.message(
        "Unsubscribed",
        &format!("{address} will get no more editions of {channel}."),
        "",
    )
}

/// How many articles a search shows.
pub const SEARCH_LIMIT: usize = 50;

pub async fn search(
    State(web): State<super::State>,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let q = query
        .get("q")
        .map(|q| q.trim().to_string())
        .unwrap_or_default();
    let hits = if q.is_empty() {
        Vec::new()
    } else {
        web.app.store.search_articles(&q, SEARCH_LIMIT).await?
    };
    let hits: Vec<_> = hits
        .iter()
        .map(|hit| {
            let a = &hit.article;
            context! {
                title => a.title.clone(),
                href => safe_href(&a.url),
                outlet => a.outlet.clone(),
                time => a.effective_time().strftime("%d %b %Y %H:%M UTC").to_string(),
                story => hit.story_id.map(|id| web.story_href(id)),
            }
        })
        .collect();
    web.page("search.html.j2", context! { q, hits })
}
