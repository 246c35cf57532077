//! `gazette bench analyze FILE.jsonl…`: text-analysis throughput on one core.
//!
//! Reads articles from JSON lines (`{"title", "text", "lang"?}`, the shape of
//! the shared clustering sets), all into memory first, then runs
//! [`gazette_text::analyze()`] on `title + text` of each, without the declared
//! language (so language identification is timed too), for a number of passes
//! on the calling thread. Prints articles/s, MB/s and the process's peak
//! resident memory (`VmHWM` from `/proc/self/status`, where there is one).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use gazette_ingest::Progress;
use gazette_text::{AnalyzeConfig, analyze};
use serde::{Deserialize, Serialize};

use crate::cli::TextOrJson;
use crate::progress::Reporter;
use crate::usage;

#[derive(Debug, Serialize)]
struct AnalyzeBench {
    files: usize,
    articles: usize,
    bytes: u64,
    iterations: u32,
    seconds: f64,
    articles_per_sec: f64,
    mb_per_sec: f64,
    sentences: usize,
    entities: usize,
    quotes: usize,
    peak_rss_mb: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Line {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

pub fn run(
    files: &[PathBuf],
    iterations: u32,
    format: TextOrJson,
    quiet: bool,
) -> anyhow::Result<()> {
    let articles = load(files)?;
    let bytes: u64 = articles.iter().map(|a| a.len() as u64).sum();
    let config = AnalyzeConfig::default();
    let progress = Reporter::new(quiet);
    progress.start(u64::from(iterations), "bench analyze");
    let (mut sentences, mut entities, mut quotes) = (0, 0, 0);
    let started = Instant::now();
    for i in 0..iterations {
        for article in &articles {
            let analysis = analyze(article, &config);
            if i == 0 {
                sentences += analysis.sentences.len();
                entities += analysis.entities.len();
                quotes += analysis.quotes.len();
            }
            std::hint::black_box(analysis);
        }
        progress.advance(&format!("pass {}", i + 1));
    }
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    let total = articles.len() as f64 * f64::from(iterations);
    let report = AnalyzeBench {
        files: files.len(),
        articles: articles.len(),
        bytes,
        iterations,
        seconds,
        articles_per_sec: total / seconds,
        mb_per_sec: bytes as f64 * f64::from(iterations) / 1e6 / seconds,
        sentences,
        entities,
        quotes,
        peak_rss_mb: peak_rss_mb(),
    };
    match format {
        TextOrJson::Json => println!("{}", serde_json::to_string(&report)?),
        TextOrJson::Text => println!(
            "analyze: {} articles from {} files, {:.1} MB, {} passes in {:.3} s: {:.0} articles/s, {:.2} MB/s on one core; \
             {} sentences, {} entities, {} quotes per pass; peak RSS {}",
            report.articles,
            report.files,
            report.bytes as f64 / 1e6,
            report.iterations,
            report.seconds,
            report.articles_per_sec,
            report.mb_per_sec,
            report.sentences,
            report.entities,
            report.quotes,
            report
                .peak_rss_mb
                .map_or("unknown".to_string(), |mb| format!("{mb:.1} MB")),
        ),
    }
    Ok(())
}

/// `title\n\ntext` of every line of every file.
fn load(files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut articles = Vec::new();
    for file in files {
        let data = std::fs::read_to_string(file)
            .map_err(|e| usage!("cannot read {}: {e}", file.display()))?;
        for (number, line) in data.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(line)
                .map_err(|e| usage!("{}:{}: {e}", file.display(), number + 1))?;
            let title = line.title.unwrap_or_default();
            let text = line.text.unwrap_or_default();
            articles.push(format!("{title}\n\n{text}").trim().to_string());
        }
    }
    if articles.is_empty() {
        return Err(usage!("no articles in the given files"));
    }
    Ok(articles)
}

/// Peak resident memory of this process, in MB (Linux).
pub(crate) fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string(Path::new("/proc/self/status"))
        .context("no /proc/self/status")
        .ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
