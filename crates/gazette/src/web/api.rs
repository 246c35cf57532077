//! The JSON API (`/api/v1`), `/healthz`, and the OpenAPI document.
//!
//! Lists take `limit` (1–200); stories take `since` (`24h`, `3d`). Every
//! error is `{"error": {"code", "message"}}` with a code from
//! [`ErrorCode`].

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gazette_core::{Format, SourceStatus, Story, StoryId};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::errors::{ApiError, ErrorCode};
use super::{Web, safe_href};

const OPENAPI: &str = include_str!("openapi.json");

type ApiResult = Result<Response, ApiError>;

fn limit(query: &HashMap<String, String>, default: usize) -> Result<usize, ApiError> {
    match query.get("limit") {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    format!("limit: expected a number from 1 to 200, found {text:?}"),
                )
            }),
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn healthz(State(web): State<super::State>) -> Response {
    match web.app.store.sources().await {
        Ok(_) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %gazette_core::report::chain(&e), "health check: the store did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "error": {"code": "store_unavailable", "message": "the store did not answer"}})),
            )
                .into_response()
        }
    }
}

fn edition_summary(web: &Web, edition: &gazette_core::Edition) -> Value {
    json!({
        "id": edition.id.0,
        "channel": edition.edition.channel,
        "slot": edition.edition.slot.timestamp().to_string(),
        "composed_at": edition.edition.composed_at.to_string(),
        "story_count": edition.edition.stories.len(),
        "html_url": web.edition_href(edition),
        "url": format!("{}api/v1/editions/{}/{}", web.base(), edition.edition.channel, edition.edition.slot.timestamp()),
    })
}

/// `GET /api/v1/editions[?channel=NAME][&limit=N]`: the latest editions, newest first.
pub async fn editions(
    State(web): State<super::State>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let limit = limit(&query, 20)?;
    let channels: Vec<&str> = match query.get("channel") {
        Some(name) => {
            if !web.app.config.channels.iter().any(|c| &c.name == name) {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no channel named {name:?}"),
                ));
            }
            vec![name.as_str()]
        }
        None => web
            .app
            .config
            .channels
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
    };
    let since = Timestamp::now() - SignedDuration::from_hours(24 * 30);
    let mut all = Vec::new();
    for channel in channels {
        let mut editions = web.app.store.editions_since(channel, since).await?;
        if editions.is_empty() {
            editions.extend(web.app.store.latest_edition(channel).await?);
        }
        all.extend(editions);
    }
    all.sort_by_key(|e| std::cmp::Reverse((e.edition.slot.timestamp(), e.id)));
    all.truncate(limit);
    let list: Vec<Value> = all.iter().map(|e| edition_summary(&web, e)).collect();
    Ok(Json(json!({ "editions": list })).into_response())
}

/// `GET /api/v1/editions/{channel}/{slot}`: one edition as the `json` format gives it.
pub async fn edition(
    State(web): State<super::State>,
    Path((channel, slot)): Path<(String, String)>,
) -> ApiResult {
    let edition = super::pages::find_edition(&web, &channel, &slot)
        .await
        .map_err(|(code, message)| ApiError::new(code, message))?;
    let title = web
        .app
        .config
        .channels
        .iter()
        .find(|c| c.name == channel)
        .map(|c| c.title.clone())
        .unwrap_or(channel);
    let rendered = web
        .renderer
        .render(&edition.edition, &title, Format::Json)
        .map_err(|e| {
            tracing::error!(error = %gazette_core::report::chain(&e), "cannot render an edition as JSON");
            ApiError::new(ErrorCode::Internal, "cannot render the edition")
        })?;
    let mut body: Value = serde_json::from_str(&rendered.parts[0])
        .map_err(|_| ApiError::new(ErrorCode::Internal, "cannot render the edition"))?;
    if let Some(object) = body.as_object_mut() {
        object.insert("id".into(), json!(edition.id.0));
        object.insert("html_url".into(), json!(web.edition_href(&edition)));
    }
    Ok(Json(body).into_response())
}

fn story_json(web: &Web, story: &Story, members: bool) -> Value {
    let mut value = json!({
        "id": story.id.0,
        "title": story.title,
        "article_count": story.members.len(),
        "outlets": story.outlets().into_iter().collect::<Vec<_>>(),
        "languages": story.languages().into_iter().collect::<Vec<_>>(),
        "first_seen": story.first_seen().map(|t| t.to_string()),
        "last_seen": story.last_seen().map(|t| t.to_string()),
        "html_url": web.story_href(story.id),
    });
    if members {
        value["articles"] = story
            .members
            .iter()
            .map(|m| {
                json!({
                    "id": m.article_id.0,
                    "title": m.title,
                    "url": safe_href(&m.url),
                    "outlet": m.outlet,
                    "lang": m.lang,
                    "time": m.time.to_string(),
                    "lead": m.article_id == story.lead,
                })
            })
            .collect();
    }
    value
}

/// `GET /api/v1/stories[?since=24h][&limit=N]`: stories with recent articles, most covered first.
pub async fn stories(
    State(web): State<super::State>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let limit = limit(&query, 50)?;
    let since = match query.get("since") {
        None => SignedDuration::from_hours(24),
        Some(text) => crate::commands::parse_period("since", text)
            .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?,
    };
    let mut stories = web
        .app
        .store
        .stories_since(Timestamp::now() - since)
        .await?;
    stories.sort_by_key(|s| std::cmp::Reverse((s.outlets().len(), s.members.len())));
    stories.truncate(limit);
    let list: Vec<Value> = stories.iter().map(|s| story_json(&web, s, false)).collect();
    Ok(Json(json!({ "stories": list })).into_response())
}

/// `GET /api/v1/stories/{id}`: a story with its articles.
pub async fn story(State(web): State<super::State>, Path(id): Path<String>) -> ApiResult {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, format!("{id:?} is not a story id")))?;
    let story = web
        .app
        .store
        .story(StoryId(id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no story {id}")))?;
    Ok(Json(story_json(&web, &story, true)).into_response())
}

/// `GET /api/v1/sources`: every feed with its health.
pub async fn sources(State(web): State<super::State>) -> ApiResult {
    let list: Vec<Value> = web
        .app
        .store
        .sources()
        .await?
        .iter()
        .map(|s| {
            json!({
                "id": s.id.0,
                "url": s.url.to_string(),
                "title": s.title,
                "status": match s.poll.status { SourceStatus::Active => "active", SourceStatus::Disabled => "disabled" },
                "last_polled_at": s.poll.last_polled_at.map(|t| t.to_string()),
                "last_success_at": s.poll.last_success_at.map(|t| t.to_string()),
                "last_error": s.poll.last_error,
                "last_error_at": s.poll.last_error_at.map(|t| t.to_string()),
                "consecutive_failures": s.poll.consecutive_failures,
                "next_poll_at": s.poll.next_poll_at.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({ "sources": list })).into_response())
}

/// `GET /api/v1/search?q=WORDS[&limit=N]`: articles holding every word, newest first.
pub async fn search(
    State(web): State<super::State>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let limit = limit(&query, 50)?;
    let q = query.get("q").map(String::as_str).unwrap_or("");
    let hits = web.app.store.search_articles(q, limit).await?;
    let list: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let a = &hit.article;
            json!({
                "id": a.id.0,
                "title": a.title,
                "url": safe_href(&a.url),
                "outlet": a.outlet,
                "lang": a.content.lang,
                "time": a.effective_time().to_string(),
                "story_id": hit.story_id.map(|id| id.0),
            })
        })
        .collect();
    Ok(Json(json!({ "query": q, "articles": list })).into_response())
}
