//! HTTP fetching with politeness and limits: [`Fetcher`].
//!
//! One [`Fetcher`] is shared by everything that fetches (feeds and article
//! pages), so its limits hold across all of it:
//!
//! - **Concurrency**: at most `fetch.concurrency` requests in flight, and at
//!   most `fetch.per_host` to one host (`host:port`).
//! - **Conditional GET**: the [`Conditional`] validators are sent as
//!   `If-None-Match` / `If-Modified-Since`; a 304 is [`FetchOutcome::NotModified`].
//! - **Redirects** are followed by hand, up to `fetch.max_redirects`, so every
//!   hop is checked (scheme, SSRF guard, loops) and a move that is permanent at
//!   every hop (301/308) is reported as `permanent_redirect`.
//! - **Deadlines**: a connect timeout, and a total deadline (`fetch.timeout`)
//!   covering every hop and the body. It starts when the first request may go
//!   out: time spent waiting for a concurrency slot does not count.
//! - **Body cap**: the body is read as a stream and refused as soon as it
//!   exceeds `fetch.max_body_bytes` after decompression (gzip, brotli, deflate).
//! - **SSRF guard**: unless `fetch.allow_private_networks`, loopback, private,
//!   link-local and other reserved addresses are refused, for IP-literal hosts
//!   before connecting and for names by a resolver that filters every DNS answer,
//!   at every hop; `fetch.allow_addresses` exempts chosen addresses or networks.
//!
//! ```no_run
//! # async fn demo(config: &gazette_core::config::FetchConfig) -> Result<(), gazette_ingest::fetch::FetchError> {
//! use gazette_ingest::fetch::{Accept, Conditional, FetchOutcome, Fetcher};
//! let fetcher = Fetcher::new(config)?;
//! let url = "https://www.example.org/feed.xml".parse().unwrap();
//! match fetcher.fetch(&url, &Conditional::default(), Accept::Feed).await? {
//!     FetchOutcome::Fetched { page, .. } => println!("{} bytes", page.body.len()),
//!     FetchOutcome::NotModified { .. } => println!("unchanged"),
//! }
//! # Ok(()) }
//! ```

pub(crate) mod guard;

use std::collections::HashMap;
use std::error::Error as _;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use gazette_core::config::FetchConfig;
use gazette_core::{Page, PollState};
use jiff::{SignedDuration, Timestamp};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::{Host, Url};

use crate::dates::{parse_date, to_timestamp};
use guard::{ForbiddenHost, Guard, PublicResolver};

/// Validators of a previous response, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Conditional {
    /// The validators stored in a source's polling state.
    pub fn from_poll(state: &PollState) -> Conditional {
        Conditional {
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
        }
    }
}

/// What kind of document is asked for (sets the `Accept` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// A feed (an HTML page is accepted too, for discovery).
    Feed,
    /// An article page.
    Html,
}

impl Accept {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Accept::Feed => {
                "application/rss+xml, application/atom+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, \
                 text/html;q=0.5, */*;q=0.1"
            }
            Accept::Html => "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
        })
    }
}

/// The result of a fetch that got an answer worth having.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "one short-lived value per fetch, matched at once; boxing would only add noise for callers"
)]
pub enum FetchOutcome {
    /// 304: unchanged since the [`Conditional`] validators.
    NotModified {
        /// The new URL when every redirect on the way was permanent (301/308).
        permanent_redirect: Option<Url>,
    },
    /// 2xx with its body.
    Fetched {
        page: Page,
        /// The new URL when every redirect on the way was permanent (301/308).
        permanent_redirect: Option<Url>,
    },
}

/// Why a fetch failed. Each variant names the URL of the request that failed
/// (after redirects, the hop that failed).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// No complete response within the total deadline.
    #[error("{url}: no complete response within {after:#} (fetch.timeout)")]
    Timeout { url: Url, after: SignedDuration },
    /// DNS resolution or connection failed (including the connect timeout).
    #[error("{url}: cannot connect: {message}")]
    Connect { url: Url, message: String },
    /// The exchange failed after connecting (reset, protocol or decoding error).
    #[error("{url}: request failed: {message}")]
    Transport { url: Url, message: String },
    /// An HTTP error status.
    #[error("{url}: HTTP {status}{}", retry_note(.retry_after))]
    Status {
        url: Url,
        status: u16,
        /// `Retry-After` of a 429 or 503, as delta-seconds or an HTTP date.
        retry_after: Option<SignedDuration>,
    },
    /// The body exceeded the size limit.
    #[error("{url}: response body larger than {limit} bytes (fetch.max_body)")]
    BodyTooLarge { url: Url, limit: u64 },
    /// More redirects than allowed.
    #[error("{url}: more than {limit} redirects (fetch.max_redirects)")]
    TooManyRedirects { url: Url, limit: u32 },
    /// A redirect back to a URL already visited.
    #[error("{url}: redirect loop back to {url}")]
    RedirectLoop { url: Url },
    /// A redirect without a usable `Location`.
    #[error("{url}: redirect with an invalid Location {location:?}")]
    BadRedirect { url: Url, location: String },
    /// The host is, or resolves only to, a private or reserved address.
    #[error(
        "{url}: refusing to connect to {address}, a private or reserved address \
         (set fetch.allow_private_networks = true to allow it)"
    )]
    ForbiddenAddress { url: Url, address: IpAddr },
    /// Not http or https.
    #[error("{url}: unsupported scheme {:?}; only http and https are fetched", .url.scheme())]
    UnsupportedScheme { url: Url },
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {message}")]
    Setup { message: String },
}

impl FetchError {
    /// Whether trying again later may succeed: timeouts, connection and
    /// transport errors, 408, 429 and 5xx.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Transport { .. } => true,
            FetchError::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }

    /// How long the server asked to wait before retrying, if it did.
    pub fn retry_after(&self) -> Option<SignedDuration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn retry_note(retry_after: &Option<SignedDuration>) -> String {
    retry_after
        .map(|d| format!(" (retry after {d:#})"))
        .unwrap_or_default()
}

/// A polite HTTP client (see the [module docs](self)). Cheap to share by reference.
pub struct Fetcher {
    client: reqwest::Client,
    timeout: SignedDuration,
    max_body_bytes: u64,
    max_redirects: u32,
    /// `None` when `fetch.allow_private_networks`.
    guard: Option<Guard>,
    all_hosts: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// What one request of a redirect chain gave.
enum Hop {
    Redirect { location: Url, permanent: bool },
    NotModified,
    Page(Box<Page>),
}

impl Fetcher {
    /// Builds the client: user agent, connect timeout, no automatic redirects,
    /// no proxy (a proxy would resolve names past the SSRF guard), rustls with
    /// the ring provider.
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        // Fails only when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.as_str())
            .connect_timeout(config.connect_timeout.unsigned_abs())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        let guard = (!config.allow_private_networks).then(|| Guard::new(&config.allow_addresses));
        if let Some(guard) = &guard {
            builder = builder.dns_resolver(PublicResolver(guard.clone()));
        }
        let client = builder.build().map_err(|e| FetchError::Setup {
            message: describe(&e),
        })?;
        Ok(Fetcher {
            client,
            timeout: config.timeout,
            max_body_bytes: config.max_body_bytes,
            max_redirects: config.max_redirects,
            guard,
            all_hosts: Arc::new(Semaphore::new(config.concurrency)),
            per_host: config.per_host,
            hosts: Mutex::new(HashMap::new()),
        })
    }

    /// GETs `url`, following redirects. A 2xx gives its body, a 304 gives
    /// `NotModified`; anything else is an error. The page's `fetched_at` is the
    /// wall-clock time the body arrived.
    pub async fn fetch(
        &self,
        url: &Url,
        conditional: &Conditional,
        accept: Accept,
    ) -> Result<FetchOutcome, FetchError> {
        let mut current = url.clone();
        let mut visited = vec![url.clone()];
        let mut permanent = true;
        let mut deadline = None;
        loop {
            self.check_target(&current)?;
            let _permits = self.permits(&current).await;
            let deadline =
                *deadline.get_or_insert_with(|| Instant::now() + self.timeout.unsigned_abs());
            let hop = tokio::time::timeout_at(deadline, self.hop(&current, conditional, accept))
                .await
                .map_err(|_| FetchError::Timeout {
                    url: current.clone(),
                    after: self.timeout,
                })??;
            let moved =
                |final_url: &Url| (permanent && final_url != url).then(|| final_url.clone());
            match hop {
                Hop::NotModified => {
                    return Ok(FetchOutcome::NotModified {
                        permanent_redirect: moved(&current),
                    });
                }
                Hop::Page(page) => {
                    let page = Page {
                        requested_url: url.clone(),
                        ..*page
                    };
                    return Ok(FetchOutcome::Fetched {
                        permanent_redirect: moved(&page.final_url),
                        page,
                    });
                }
                Hop::Redirect {
                    location,
                    permanent: this_permanent,
                } => {
                    if visited.len() > self.max_redirects as usize {
                        return Err(FetchError::TooManyRedirects {
                            url: current,
                            limit: self.max_redirects,
                        });
                    }
                    if visited.contains(&location) {
                        return Err(FetchError::RedirectLoop { url: location });
                    }
                    tracing::debug!(from = %current, to = %location, permanent = this_permanent, "redirect");
                    permanent &= this_permanent;
                    visited.push(location.clone());
                    current = location;
                }
            }
        }
    }

    /// Refuses schemes other than http(s) and, unless allowed, IP-literal
    /// hosts in forbidden ranges (names are checked by the resolver).
    fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::UnsupportedScheme { url: url.clone() });
        }
        let address = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if self.guard.as_ref().is_some_and(|g| g.refuses(address)) {
            return Err(FetchError::ForbiddenAddress {
                url: url.clone(),
                address,
            });
        }
        Ok(())
    }

    /// A slot for `url`'s host, then a slot among all hosts (in that order, so
    /// that a busy host does not hold global slots while it waits).
    async fn permits(&self, url: &Url) -> [OwnedSemaphorePermit; 2] {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let host = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            Arc::clone(
                hosts
                    .entry(key)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        let closed = "fetch semaphores are never closed";
        let host = host.acquire_owned().await.expect(closed);
        let all = Arc::clone(&self.all_hosts)
            .acquire_owned()
            .await
            .expect(closed);
        [host, all]
    }

    /// One request: the response classified, with its body when it is a 2xx.
    async fn hop(
        &self,
        url: &Url,
        conditional: &Conditional,
        accept: Accept,
    ) -> Result<Hop, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, accept.header());
        let validators = [
            (header::IF_NONE_MATCH, &conditional.etag),
            (header::IF_MODIFIED_SINCE, &conditional.last_modified),
        ];
        for (name, value) in validators {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        let response = self
            .client
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| request_error(url, &e))?;
        let status = response.status();
        match status.as_u16() {
            304 => Ok(Hop::NotModified),
            301 | 302 | 303 | 307 | 308 => {
                let raw = header_str(response.headers(), header::LOCATION).unwrap_or_default();
                let location = Some(raw.trim())
                    .filter(|l| !l.is_empty())
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| FetchError::BadRedirect {
                        url: url.clone(),
                        location: raw.to_string(),
                    })?;
                Ok(Hop::Redirect {
                    location,
                    permanent: matches!(status.as_u16(), 301 | 308),
                })
            }
            200..=299 => self
                .read_page(url, response)
                .await
                .map(|page| Hop::Page(Box::new(page))),
            code => {
                let throttled = matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                );
                Err(FetchError::Status {
                    url: url.clone(),
                    status: code,
                    retry_after: if throttled {
                        retry_after(response.headers())
                    } else {
                        None
                    },
                })
            }
        }
    }

    /// Reads a 2xx response into a [`Page`], refusing bodies over the limit.
    async fn read_page(&self, url: &Url, mut response: Response) -> Result<Page, FetchError> {
        let too_large = || FetchError::BodyTooLarge {
            url: url.clone(),
            limit: self.max_body_bytes,
        };
        // Known only when the body is not compressed; the stream check below
        // covers the rest.
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body_bytes)
        {
            return Err(too_large());
        }
        let headers = response.headers();
        let value = |name| header_str(headers, name).map(str::to_string);
        let (etag, last_modified, content_type) = (
            value(header::ETAG),
            value(header::LAST_MODIFIED),
            value(header::CONTENT_TYPE),
        );
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| request_error(url, &e))? {
            if (body.len() + chunk.len()) as u64 > self.max_body_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Page {
            requested_url: url.clone(),
            final_url: url.clone(),
            status,
            etag,
            last_modified,
            content_type,
            body,
            fetched_at: Timestamp::now(),
        })
    }
}

/// `Retry-After` as a wait: delta-seconds, or an HTTP date measured from the
/// response's `Date` (the server's clock), else from the local clock.
fn retry_after(headers: &HeaderMap) -> Option<SignedDuration> {
    let value = header_str(headers, header::RETRY_AFTER)?;
    let server_now = header_str(headers, header::DATE)
        .and_then(parse_http_date)
        .unwrap_or_else(Timestamp::now);
    parse_retry_after(value, server_now)
}

/// Parses a `Retry-After` value: delta-seconds, or an HTTP date (a date in
/// the past means no wait).
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<SignedDuration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u32>() {
        return Some(SignedDuration::from_secs(i64::from(seconds)));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).max(SignedDuration::ZERO))
}

fn parse_http_date(value: &str) -> Option<Timestamp> {
    parse_date(value).and_then(to_timestamp)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name)?.to_str().ok()
}

/// Classifies a client error, recognising the SSRF guard's refusals.
fn request_error(url: &Url, error: &reqwest::Error) -> FetchError {
    let url = url.clone();
    if let Some(refused) = find_source::<ForbiddenHost>(error) {
        return FetchError::ForbiddenAddress {
            url,
            address: refused.address,
        };
    }
    let message = describe(error);
    if error.is_connect() {
        FetchError::Connect { url, message }
    } else {
        FetchError::Transport { url, message }
    }
}

/// The first error of type `E` in `error`'s source chain.
fn find_source<'e, E: std::error::Error + 'static>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e E> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// An error and its sources, `: `-separated, without repeats.
fn describe(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now: Timestamp = "2024-05-01T10:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(SignedDuration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 01 May 2024 11:30:00 GMT", now),
            Some(SignedDuration::from_mins(90))
        );
        assert_eq!(
            parse_retry_after("Wed, 01 May 2024 09:00:00 GMT", now),
            Some(SignedDuration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn transient_errors_are_told_apart() {
        let url: Url = "https://example.org/".parse().unwrap();
        let status = |status| FetchError::Status {
            url: url.clone(),
            status,
            retry_after: None,
        };
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(!status(404).is_transient());
        assert!(!status(410).is_transient());
        let timeout = FetchError::Timeout {
            url: url.clone(),
            after: SignedDuration::from_secs(30),
        };
        assert!(timeout.is_transient());
        assert_eq!(
            timeout.to_string(),
            "https://example.org/: no complete response within 30s (fetch.timeout)"
        );
        assert!(!FetchError::UnsupportedScheme { url }.is_transient());
    }
}
