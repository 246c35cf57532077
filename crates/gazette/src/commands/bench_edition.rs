//! `gazette bench edition`: how long composing one edition takes over a large window.
//!
//! A temporary SQLite store is filled with a synthetic window (by default
//! 100,000 articles from 300 outlets in 20,000 stories, sizes skewed as in the
//! news: a few large stories, many single articles, times spread over the 24
//! hours before the slot). Then the channel's edition is composed several
//! times, exactly as `gazette edition preview` does (`pipeline::compose_edition`),
//! and the median times are printed for the two halves: reading the window's
//! stories from the store (`load_window`), and composing from the window
//! (`compose_from_window`: score every story from its members, summarise the
//! best candidates from a few of their articles, select, as a daemon that
//! keeps its window in memory does).

use std::time::{Duration, Instant};

use anyhow::Context;
use gazette_core::config::{RawChannel, RawConfig};
use gazette_core::{ArticleContent, NewArticle, NewSource, SourceId, Store};
use gazette_ingest::Progress;
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::cli::TextOrJson;
use crate::pipeline;
use crate::progress::Reporter;
use crate::usage;

const OUTLETS: usize = 300;

#[derive(Debug, Serialize)]
struct EditionBench {
    articles: usize,
    stories: usize,
    iterations: u32,
    /// Median time of a whole composition, store reads included, in milliseconds.
    total_ms: f64,
    /// Median time to read the window's stories (members) from the store.
    load_ms: f64,
    /// Median time to compose from the window already read.
    compose_ms: f64,
    edition_stories: usize,
    setup_s: f64,
}

pub async fn run(
    articles: usize,
    stories: usize,
    iterations: u32,
    format: TextOrJson,
    quiet: bool,
) -> anyhow::Result<()> {
    if stories == 0 || articles < stories {
        return Err(usage!(
            "--articles must be at least --stories, and --stories at least 1"
        ));
    }
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let store = SqliteStore::open(&dir.path().join("bench.db"))?;
    let slot: Timestamp = "2026-01-15T06:30:00Z".parse().expect("valid instant");
    let started = Instant::now();
    fill(&store, articles, stories, slot, quiet).await?;
    let setup_s = started.elapsed().as_secs_f64();

    let config = RawConfig {
        channels: vec![RawChannel {
            name: Some("bench".into()),
            timezone: Some("UTC".into()),
            schedule: Some(vec!["06:30".into()]),
            lookback: Some("24h".into()),
            size: Some(8),
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate()?;
    let channel = &config.channels[0];
    let slot_zoned = gazette_editions::latest_slot(channel, slot);

    let (mut total, mut load, mut compose) = (Vec::new(), Vec::new(), Vec::new());
    let mut edition_stories = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        let window = pipeline::load_window(&store, channel, &slot_zoned, slot).await?;
        let loaded = t.elapsed();
        let edition =
            pipeline::compose_from_window(&store, &config, channel, &window, &slot_zoned, slot)
                .await?;
        total.push(t.elapsed());
        load.push(loaded);
        compose.push(t.elapsed() - loaded);
        edition_stories = edition.map_or(0, |e| e.stories.len());
    }
    let report = EditionBench {
        articles,
        stories,
        iterations,
        total_ms: median_ms(&mut total),
        load_ms: median_ms(&mut load),
        compose_ms: median_ms(&mut compose),
        edition_stories,
        setup_s,
    };
    match format {
        TextOrJson::Json => println!("{}", serde_json::to_string(&report)?),
        TextOrJson::Text => println!(
            "edition from {} articles in {} stories: composing from the window {:.1} ms; reading the window from the store {:.1} ms; both {:.1} ms (medians of {}); {} stories in the edition; setup {:.1} s",
            report.articles,
            report.stories,
            report.compose_ms,
            report.load_ms,
            report.total_ms,
            report.iterations,
            report.edition_stories,
            report.setup_s
        ),
    }
    Ok(())
}

fn median_ms(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

/// The story of article `i`: skewed so that low story numbers are large.
fn story_of(i: usize, articles: usize, stories: usize) -> usize {
    // The first `stories` articles open one story each; the rest go mostly to
    // the first stories (a quadratic skew), as coverage concentrates in news.
    if i < stories {
        return i;
    }
    let x = (i - stories) as f64 / (articles - stories).max(1) as f64;
    let u = (x * 7919.0).fract();
    ((u * u) * stories as f64) as usize % stories
}

async fn fill(
    store: &SqliteStore,
    articles: usize,
    stories: usize,
    slot: Timestamp,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut sources = Vec::with_capacity(OUTLETS);
    for o in 0..OUTLETS {
        let new = NewSource {
            url: format!("https://outlet{o}.example/feed.xml").parse()?,
            title: Some(format!("Outlet {o}")),
            site_url: None,
        };
        sources.push(store.add_source(&new, slot).await?.0.id);
    }
    let progress = Reporter::new(quiet);
    progress.start(articles as u64, "bench edition: filling the store");
    let mut story_ids = vec![None; stories];
    for i in 0..articles {
        let s = story_of(i, articles, stories);
        let outlet = (i * 31 + s) % OUTLETS;
        let minutes = ((i * 37) % (24 * 60 - 1)) as i64 + 1;
        let time = slot - SignedDuration::from_mins(minutes);
        let article = synthetic_article(i, s, outlet, sources[outlet], time);
        let (id, _) = store.insert_article(&article).await?;
        match story_ids[s] {
            None => story_ids[s] = Some(store.create_story(id, time).await?),
            Some(story) => store.add_to_story(story, id, time).await?,
        }
        progress.advance("");
    }
    progress.finish();
    Ok(())
}

fn synthetic_article(
    i: usize,
    story: usize,
    outlet: usize,
    source: SourceId,
    time: Timestamp,
) -> NewArticle {
    let title = format!(
        "Story {story}: officials in region {} announce measure {i}",
        story % 97
    );
    let text = format!(
        "Officials in region {r} announced a new measure on story {story} on Tuesday, the outlet {outlet} reported.\n\n\
         The decision follows weeks of talks between the parties, according to people familiar with the matter.\n\n\
         \u{201c}This is an important step for everyone involved in region {r},\u{201d} a spokesperson said in a statement.\n\n\
         More details are expected in the coming days as the measure takes effect.",
        r = story % 97
    );
    NewArticle {
        source_id: source,
        entry_id: None,
        url: format!("https://outlet{outlet}.example/articles/{i}")
            .parse()
            .expect("valid URL"),
        outlet: format!("outlet{outlet}.example"),
        title: title.clone(),
        discovered_at: time,
        content: ArticleContent {
            title: Some(title),
            published: Some(time),
            lang: Some("en".into()),
            text,
            ..Default::default()
        },
    }
}
