//! `/metrics` in Prometheus' text format (version 0.0.4). Metric names are
//! defined here once.
//!
//! HTTP requests are counted as they are served; the pipeline's figures
//! (sources by status, fetch errors, stories and articles, deliveries of the
//! latest editions, the age of each channel's latest edition) are read from
//! the store at scrape time, so they are right whichever node did the work.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gazette_core::{DeliveryState, SourceStatus};
use jiff::{SignedDuration, Timestamp};

use super::errors::ApiError;

/// Requests by (route, status): count and total seconds.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
}

/// Counts and times every request, by route pattern (not by raw path, so
/// that the number of series stays bounded).
pub async fn track(State(web): State<super::State>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let start = Instant::now();
    let response = next.run(request).await;
    let seconds = start.elapsed().as_secs_f64();
    let mut requests = web
        .metrics
        .requests
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let entry = requests
        .entry((route, response.status().as_u16()))
        .or_default();
    entry.0 += 1;
    entry.1 += seconds;
    response
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub async fn metrics(State(web): State<super::State>) -> Result<Response, ApiError> {
    let store = web.app.store.as_ref();
    let now = Timestamp::now();
    let mut out = String::new();

    let sources = store.sources().await?;
    let mut by_status: BTreeMap<&str, usize> =
        [("active", 0), ("disabled", 0)].into_iter().collect();
    let mut failing = 0;
    for source in &sources {
        let status = match source.poll.status {
            SourceStatus::Active => "active",
            SourceStatus::Disabled => "disabled",
        };
        *by_status.entry(status).or_default() += 1;
        if source.poll.consecutive_failures > 0 {
            failing += 1;
        }
    }
    out.push_str("# HELP gazette_sources Feeds by polling status.\n# TYPE gazette_sources gauge\n");
    for (status, n) in &by_status {
        let _ = writeln!(out, "gazette_sources{{status=\"{status}\"}} {n}");
    }
    out.push_str("# HELP gazette_sources_failing Feeds whose last poll failed.\n# TYPE gazette_sources_failing gauge\n");
    let _ = writeln!(out, "gazette_sources_failing {failing}");
    let fetched_recently = sources
        .iter()
        .filter(|s| {
            s.poll
                .last_success_at
                .is_some_and(|t| now.duration_since(t) < SignedDuration::from_hours(24))
        })
        .count();
    out.push_str("# HELP gazette_sources_fetched_24h Feeds fetched successfully in the last 24 hours.\n# TYPE gazette_sources_fetched_24h gauge\n");
    let _ = writeln!(out, "gazette_sources_fetched_24h {fetched_recently}");

    let stories = store
        .stories_since(now - SignedDuration::from_hours(24))
        .await?;
    let articles: usize = stories.iter().map(|s| s.members.len()).sum();
    out.push_str("# HELP gazette_stories_24h Stories with an article in the last 24 hours.\n# TYPE gazette_stories_24h gauge\n");
    let _ = writeln!(out, "gazette_stories_24h {}", stories.len());
    out.push_str("# HELP gazette_story_articles_24h Articles in those stories.\n# TYPE gazette_story_articles_24h gauge\n");
    let _ = writeln!(out, "gazette_story_articles_24h {articles}");

    out.push_str("# HELP gazette_latest_edition_age_seconds Seconds since each channel's latest edition was composed.\n# TYPE gazette_latest_edition_age_seconds gauge\n");
    let mut deliveries: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for channel in &web.app.config.channels {
        if let Some(edition) = store.latest_edition(&channel.name).await? {
            let age = now
                .duration_since(edition.edition.composed_at)
                .as_secs_f64();
            let _ = writeln!(
                out,
                "gazette_latest_edition_age_seconds{{channel=\"{}\"}} {age:.3}",
                label(&channel.name)
            );
            for row in store.deliveries_for_edition(edition.id).await? {
                let state = match row.state {
                    DeliveryState::Pending => "pending",
                    DeliveryState::Sending => "sending",
                    DeliveryState::Sent => "sent",
                    DeliveryState::Failed => "failed",
                };
                *deliveries.entry((channel.name.clone(), state)).or_default() += 1;
            }
        }
    }
    out.push_str("# HELP gazette_latest_edition_deliveries Outbox rows of each channel's latest edition, by state.\n# TYPE gazette_latest_edition_deliveries gauge\n");
    for ((channel, state), n) in &deliveries {
        let _ = writeln!(
            out,
            "gazette_latest_edition_deliveries{{channel=\"{}\",state=\"{state}\"}} {n}",
            label(channel)
        );
    }

    let requests = web
        .metrics
        .requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    out.push_str("# HELP gazette_http_requests_total HTTP requests served, by route and status.\n# TYPE gazette_http_requests_total counter\n");
    for ((route, status), (count, _)) in &requests {
        let _ = writeln!(
            out,
            "gazette_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
            label(route)
        );
    }
    out.push_str("# HELP gazette_http_request_duration_seconds Time spent serving requests, by route.\n# TYPE gazette_http_request_duration_seconds summary\n");
    let mut by_route: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for ((route, _), (count, seconds)) in &requests {
        let entry = by_route.entry(route).or_default();
        entry.0 += count;
        entry.1 += seconds;
    }
    for (route, (count, seconds)) in by_route {
        let route = label(route);
        let _ = writeln!(
            out,
            "gazette_http_request_duration_seconds_sum{{route=\"{route}\"}} {seconds:.6}"
        );
        let _ = writeln!(
            out,
            "gazette_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
        );
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}
