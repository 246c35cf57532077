//! `gazette bench cluster FILE.jsonl…`: clustering throughput on one core and
//! memory as the stream grows.
//!
//! Reads articles in the `gazette cluster` input format (the shared clustering
//! sets), all into memory first, then replays them as one long stream: pass
//! `r` shifts every article by `r × --shift` and gives it a fresh ID and URL,
//! articles of a pass spread evenly over the shift. The default shift is the
//! window plus an hour, so that an article's copy from the previous pass has
//! left the window; with a shorter shift the copies are caught as duplicates
//! (cheap), which would flatter the figure. Every
//! article goes through [`gazette_stories::StoryStream::push`] on the calling
//! thread: duplicate keys, text features (language, stems, entities) and the
//! clusterer, with the configured window (default 72 h) evicting as it goes.
//! Prints, at each checkpoint (`--at`, default 50k, 100k, 200k articles), the
//! articles/s so far, the open stories, the articles the duplicate index holds,
//! and the process's peak resident memory (`VmHWM`).

use std::path::PathBuf;
use std::time::Instant;

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, ArticleId};
use jiff::SignedDuration;
use serde::Serialize;

use super::cluster::{parse_line, to_article};
use crate::cli::TextOrJson;
use crate::usage;

#[derive(Debug, Serialize)]
struct Checkpoint {
    articles: usize,
    seconds: f64,
    articles_per_sec: f64,
    open_stories: usize,
    stories_created: i64,
    duplicates: usize,
    /// Stories merged into an older one (`stories.merge_threshold`).
    merged: usize,
    /// Articles the embedding model was run on (0 without `[stories.embedding]`).
    embedded: u64,
    window_articles: usize,
    peak_rss_mb: Option<f64>,
}

pub fn run(
    config: &StoriesConfig,
    files: &[PathBuf],
    checkpoints: &[usize],
    shift: SignedDuration,
    format: TextOrJson,
) -> anyhow::Result<()> {
    let corpus = load(files)?;
    let total = checkpoints.iter().copied().max().unwrap_or(200_000);
    let embedder = gazette_stories::embed::from_config(&config.embedding)?;
    let mut stream = gazette_stories::StoryStream::with_embedder(config, embedder);
    let start = corpus
        .iter()
        .map(Article::effective_time)
        .min()
        .expect("at least one article");
    let step = shift / i32::try_from(corpus.len()).unwrap_or(i32::MAX);
    let mut duplicates = 0;
    let mut merged = 0;
    let mut last_story = 0;
    let mut reports = Vec::new();
    let started = Instant::now();
    let mut article = corpus[0].clone();
    for n in 0..total {
        let pass = n / corpus.len();
        let index = n % corpus.len();
        let template = &corpus[index];
        // A fresh article: new ID and URL, its time shifted by the pass.
        article.clone_from(template);
        let id = i64::try_from(n).unwrap_or(i64::MAX);
        article.id = ArticleId(id);
        article.url = format!("https://{}/bench/{id}", template.outlet)
            .parse()
            .unwrap_or_else(|_| template.url.clone());
        let offset = shift * i32::try_from(pass).unwrap_or(i32::MAX)
            + step * i32::try_from(index).unwrap_or(i32::MAX);
        article.discovered_at = start + offset;
        article.content.published = Some(article.discovered_at);
        let placed = stream.push(&article);
        if placed.duplicate.is_some() {
            duplicates += 1;
        }
        if placed.absorbed.is_some() {
            merged += 1;
        }
        last_story = last_story.max(placed.story.0);
        if checkpoints.contains(&(n + 1)) {
            let seconds = started.elapsed().as_secs_f64();
            reports.push(Checkpoint {
                articles: n + 1,
                seconds,
                articles_per_sec: (n + 1) as f64 / seconds,
                open_stories: stream.clusterer().open_stories(),
                stories_created: last_story,
                duplicates,
                merged,
                embedded: stream.embedded(),
                window_articles: stream.remembered(),
                peak_rss_mb: super::bench_analyze::peak_rss_mb(),
            });
            if format == TextOrJson::Text {
                let r = reports.last().expect("just pushed");
                println!(
                    "cluster: {:>7} articles in {:6.2} s: {:>6.0} articles/s on one core; {} open stories ({} created), \
                     {} duplicates, {} merged, {} embedded, {} articles in the window; peak RSS {}",
                    r.articles,
                    r.seconds,
                    r.articles_per_sec,
                    r.open_stories,
                    r.stories_created,
                    r.duplicates,
                    r.merged,
                    r.embedded,
                    r.window_articles,
                    r.peak_rss_mb
                        .map_or("unknown".to_string(), |mb| format!("{mb:.1} MB")),
                );
            }
        }
    }
    if format == TextOrJson::Json {
        println!("{}", serde_json::to_string(&reports)?);
    }
    Ok(())
}

/// The articles of every file, in order.
fn load(files: &[PathBuf]) -> anyhow::Result<Vec<Article>> {
    let mut articles = Vec::new();
    for file in files {
        let data = std::fs::read_to_string(file)
            .map_err(|e| usage!("cannot read {}: {e}", file.display()))?;
        let mut clock = jiff::Timestamp::UNIX_EPOCH;
        for (number, line) in data.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parsed =
                parse_line(line).map_err(|e| usage!("{}:{}: {e}", file.display(), number + 1))?;
            let mut article = to_article(&parsed, number + 1, &mut clock);
            // Replayed times replace the files' own.
            article.content.published = None;
            article.discovered_at = jiff::Timestamp::UNIX_EPOCH;
            articles.push(article);
        }
    }
    if articles.is_empty() {
        return Err(usage!("no articles in the given files"));
    }
    Ok(articles)
}
