//! `gazette feeds add|import|export|list|remove|parse`.

use std::path::Path;

use anyhow::Context;
use gazette_core::config::{Config, parse_url};
use gazette_core::{NewSource, ParsedFeed, Source, SourceId, SourceStatus};
use gazette_ingest::{
    Accept, AddError, Conditional, FetchError, FetchOutcome, Fetcher, OpmlFeed, Progress,
    parse_feed, parse_opml, write_opml,
};
use jiff::Timestamp;
use serde::Serialize;
use url::Url;

use super::relative;
use crate::app::App;
use crate::cli::{FeedsCommand, TextOrJson};
use crate::progress::Reporter;
use crate::usage;

pub async fn run(app: &App, cmd: FeedsCommand, quiet: bool) -> anyhow::Result<()> {
    match cmd {
        FeedsCommand::Add { urls } => add(app, &urls).await,
        FeedsCommand::Import { file } => import(app, &file, quiet).await,
        FeedsCommand::Export { output } => export(app, output.as_deref()).await,
        FeedsCommand::List { format } => list(app, format).await,
        FeedsCommand::Remove { feeds } => remove(app, &feeds).await,
        FeedsCommand::Parse { .. } => unreachable!("parse needs no store"),
    }
}

/// A URL from the command line, or a usage error naming it.
fn cli_url(text: &str) -> anyhow::Result<Url> {
    parse_url("URL", text).map_err(|e| usage!("{text}: {}", e.message))
}

async fn add(app: &App, urls: &[String]) -> anyhow::Result<()> {
    let urls: Vec<Url> = urls
        .iter()
        .map(|u| cli_url(u))
        .collect::<anyhow::Result<_>>()?;
    let ingester = app.ingester()?;
    let mut failures = Vec::new();
    for url in &urls {
        match ingester.add_feed(url, Timestamp::now()).await {
            Ok(outcome) => {
                let what = if outcome.created {
                    "added"
                } else {
                    "already present"
                };
                let via = outcome
                    .discovered_on
                    .map(|page| format!(" (found on {page})"))
                    .unwrap_or_default();
                println!(
                    "{what}: {} {}{via}",
                    outcome.source.url,
                    outcome.source.title.as_deref().unwrap_or("")
                );
            }
            Err(e) => {
                eprintln!("gazette: {url}: {}", gazette_core::report::chain(&e));
                failures.push(e);
            }
        }
    }
    match failures.len() {
        0 => Ok(()),
        n => {
            // A URL that is not a feed, or that the server says does not exist, is
            // the user's input to fix; a network or server failure is not.
            let input_error = failures.iter().all(|e| match e {
                AddError::InvalidFeed { .. } | AddError::NoFeedFound { .. } => true,
                AddError::Fetch(fetch) => {
                    !fetch.is_transient()
                        && matches!(
                            fetch,
                            FetchError::Status {
                                status: 400..=499,
                                ..
                            }
                        )
                }
                AddError::Store(_) => false,
            });
            let msg = format!("{n} of {} feeds could not be added", urls.len());
            Err(if input_error {
                usage!("{msg}")
            } else {
                anyhow::anyhow!(msg)
            })
        }
    }
}

async fn import(app: &App, file: &Path, quiet: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).map_err(|e| usage!("cannot read {}: {e}", file.display()))?;
    let feeds = parse_opml(&bytes).map_err(|e| usage!("{}: {e}", file.display()))?;
    if feeds.is_empty() {
        return Err(usage!(
            "{}: no feeds (outlines with an xmlUrl) found",
            file.display()
        ));
    }
    let progress = Reporter::new(quiet);
    progress.start(feeds.len() as u64, "import");
    let now = Timestamp::now();
    let (mut added, mut present) = (0, 0);
    for feed in &feeds {
        let new = NewSource {
            url: feed.url.clone(),
            title: feed.title.clone(),
            site_url: feed.site_url.clone(),
        };
        let (_, created) = app.store.add_source(&new, now).await?;
        if created {
            added += 1;
        } else {
            present += 1;
        }
        progress.advance(feed.url.as_str());
    }
    progress.finish();
    println!(
        "{}: {added} feeds added, {present} already present; `gazette ingest --once` polls them",
        file.display()
    );
    Ok(())
}

async fn export(app: &App, output: Option<&Path>) -> anyhow::Result<()> {
    let feeds: Vec<OpmlFeed> = app
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| OpmlFeed {
            url: s.url,
            title: s.title,
            site_url: s.site_url,
            category: None,
        })
        .collect();
    let opml = write_opml("gazette feeds", &feeds);
    match output {
        Some(path) => std::fs::write(path, opml)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{opml}"),
    }
    Ok(())
}

#[derive(Serialize)]
struct SourceOut<'a> {
    id: SourceId,
    url: &'a Url,
    title: Option<&'a str>,
    site_url: Option<&'a Url>,
    outlet: String,
    status: SourceStatus,
    last_success_at: Option<Timestamp>,
    last_error: Option<&'a str>,
    last_error_at: Option<Timestamp>,
    consecutive_failures: u32,
    next_poll_at: Timestamp,
    interval_secs: u32,
}

impl<'a> SourceOut<'a> {
    fn new(s: &'a Source) -> Self {
        SourceOut {
            id: s.id,
            url: &s.url,
            title: s.title.as_deref(),
            site_url: s.site_url.as_ref(),
            outlet: s.outlet(),
            status: s.poll.status,
            last_success_at: s.poll.last_success_at,
            last_error: s.poll.last_error.as_deref(),
            last_error_at: s.poll.last_error_at,
            consecutive_failures: s.poll.consecutive_failures,
            next_poll_at: s.poll.next_poll_at,
            interval_secs: s.poll.interval_secs,
        }
    }
}

async fn list(app: &App, format: TextOrJson) -> anyhow::Result<()> {
    let sources = app.store.sources().await?;
    if format == TextOrJson::Json {
        let out: Vec<SourceOut<'_>> = sources.iter().map(SourceOut::new).collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if sources.is_empty() {
        println!("no feeds yet: `gazette feeds add URL` or `gazette feeds import FILE.opml`");
        return Ok(());
    }
    let now = Timestamp::now();
    for s in &sources {
        let status = match s.poll.status {
            SourceStatus::Active => "active",
            SourceStatus::Disabled => "DISABLED",
        };
        println!(
            "{:>4}  {status:<8} {}  {}",
            s.id,
            s.url,
            s.title.as_deref().unwrap_or("")
        );
        let success = s
            .poll
            .last_success_at
            .map_or_else(|| "never".to_string(), |t| relative(t, now));
        let next = match s.poll.status {
            SourceStatus::Active if s.poll.next_poll_at <= now => "due now".into(),
            SourceStatus::Active => relative(s.poll.next_poll_at, now),
            SourceStatus::Disabled => "not polled (re-enable with `gazette feeds add URL`)".into(),
        };
        println!("      last success {success}; next poll {next}");
        if let Some(err) = &s.poll.last_error {
            let when = s
                .poll
                .last_error_at
                .map(|t| relative(t, now))
                .unwrap_or_default();
            println!(
                "      last error {when} ({} in a row): {err}",
                s.poll.consecutive_failures
            );
        }
    }
    Ok(())
}

async fn remove(app: &App, feeds: &[String]) -> anyhow::Result<()> {
    let mut missing = Vec::new();
    for feed in feeds {
        let source = match feed.parse::<i64>() {
            Ok(id) => app.store.source(SourceId(id)).await?,
            Err(_) => app.store.source_by_url(&cli_url(feed)?).await?,
        };
        match source {
            Some(s) if app.store.remove_source(s.id).await? => println!("removed: {}", s.url),
            _ => missing.push(feed.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(usage!(
            "no such feed: {} (see `gazette feeds list`)",
            missing.join(", ")
        ))
    }
}

// ---------------------------------------------------------------------------
// feeds parse
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct ParsedOut<'a> {
    source: &'a str,
    kind: gazette_core::FeedKind,
    title: Option<&'a str>,
    description: Option<&'a str>,
    link: Option<&'a Url>,
    language: Option<&'a str>,
    updated: Option<Timestamp>,
    /// Present when the document was not well-formed XML and was read
    /// leniently: the strict parser's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    recovered: Option<&'a str>,
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    id: &'a str,
    title: Option<&'a str>,
    link: Option<&'a Url>,
    published: Option<Timestamp>,
    updated: Option<Timestamp>,
    authors: &'a [String],
    summary: Option<&'a str>,
    content_html: Option<&'a str>,
    image: Option<&'a Url>,
    language: Option<&'a str>,
}

impl<'a> ParsedOut<'a> {
    fn new(source: &'a str, feed: &'a ParsedFeed) -> Self {
        ParsedOut {
            source,
            kind: feed.kind,
            title: feed.title.as_deref(),
            description: feed.description.as_deref(),
            link: feed.link.as_ref(),
            language: feed.language.as_deref(),
            updated: feed.updated,
            recovered: feed.recovered.as_deref(),
            entries: feed
                .entries
                .iter()
                .map(|e| EntryOut {
                    id: &e.id,
                    title: e.title.as_deref(),
                    link: e.link.as_ref(),
                    published: e.published,
                    updated: e.updated,
                    authors: &e.authors,
                    summary: e.summary.as_deref(),
                    content_html: e.content_html.as_deref(),
                    image: e.image.as_ref(),
                    language: e.language.as_deref(),
                })
                .collect(),
        }
    }
}

/// Parses files and URLs without a store. One input prints one JSON object;
/// several print an array. Inputs that fail are reported on standard error
/// (exit 2 when the input is at fault, 1 for a network failure) after the others are printed.
pub async fn parse(config: &Config, inputs: &[String]) -> anyhow::Result<()> {
    let mut fetcher = None;
    let mut parsed = Vec::new();
    let mut failures = Vec::new();
    let mut network_failure = false;
    for input in inputs {
        let result = if input.starts_with("http://") || input.starts_with("https://") {
            let fetcher = match &mut fetcher {
                Some(f) => f,
                None => fetcher.insert(Fetcher::new(&config.fetch)?),
            };
            parse_url_input(fetcher, input).await.inspect_err(|e| {
                network_failure |= !matches!(e, InputError::Invalid(_));
            })
        } else {
            parse_file_input(Path::new(input))
        };
        match result {
            Ok(feed) => parsed.push((input.as_str(), feed)),
            Err(e) => failures.push(format!("{input}: {e}")),
        }
    }
    let out: Vec<ParsedOut<'_>> = parsed.iter().map(|(s, f)| ParsedOut::new(s, f)).collect();
    match out.as_slice() {
        [] => {}
        [one] if inputs.len() == 1 => println!("{}", serde_json::to_string_pretty(one)?),
        many => println!("{}", serde_json::to_string_pretty(many)?),
    }
    if failures.is_empty() {
        return Ok(());
    }
    for f in &failures {
        eprintln!("gazette: {f}");
    }
    let msg = format!(
        "{} of {} inputs could not be parsed",
        failures.len(),
        inputs.len()
    );
    Err(if network_failure {
        anyhow::anyhow!(msg)
    } else {
        usage!("{msg}")
    })
}

/// Why one `feeds parse` input failed.
#[derive(Debug)]
enum InputError {
    /// The input is not a readable feed: the user's to fix.
    Invalid(String),
    /// The network or server failed.
    Fetch(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Invalid(m) | InputError::Fetch(m) => f.write_str(m),
        }
    }
}

fn parse_file_input(path: &Path) -> Result<ParsedFeed, InputError> {
    let bytes =
        std::fs::read(path).map_err(|e| InputError::Invalid(format!("cannot read: {e}")))?;
    let base = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| Url::from_file_path(p).ok());
    parse_feed(&bytes, base.as_ref(), None).map_err(|e| InputError::Invalid(e.to_string()))
}

async fn parse_url_input(fetcher: &Fetcher, input: &str) -> Result<ParsedFeed, InputError> {
    let url = parse_url("URL", input).map_err(|e| InputError::Invalid(e.message))?;
    match fetcher
        .fetch(&url, &Conditional::default(), Accept::Feed)
        .await
        .map_err(|e| InputError::Fetch(e.to_string()))?
    {
        FetchOutcome::Fetched { page, .. } => {
            parse_feed(&page.body, Some(&page.final_url), page.charset())
                .map_err(|e| InputError::Invalid(e.to_string()))
        }
        FetchOutcome::NotModified { .. } => Err(InputError::Fetch(
            "the server answered 304 Not Modified to an unconditional request".into(),
        )),
    }
}
