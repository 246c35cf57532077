//! `gazette bench …`: benchmarks that print figures (never timed tests).
//!
//! `bench feeds DIR` parses every feed file under DIR (`.xml`, `.rss`, `.atom`,
//! `.rdf`, `.json` except feed-rs's `*.serde.json` expectations), all read into
//! memory first so only parsing is timed, for a number of passes. The peer
//! script `tools/bench_feedparser.py` selects the same files and prints the same
//! figures for Python's feedparser; `tools/bench-feeds.sh` runs both side by side.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use gazette_ingest::Progress;
use serde::Serialize;

use crate::cli::{BenchCommand, TextOrJson};
use crate::progress::Reporter;
use crate::usage;

#[derive(Debug, Serialize)]
struct FeedsBench {
    parser: &'static str,
    files: usize,
    bytes: u64,
    iterations: u32,
    parsed: usize,
    failed: usize,
    seconds: f64,
    feeds_per_sec: f64,
    mb_per_sec: f64,
}

pub async fn run(cmd: BenchCommand, config_path: Option<&Path>, quiet: bool) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Edition {
            articles,
            stories,
            iterations,
            format,
        } => super::bench_edition::run(articles, stories, iterations.max(1), format, quiet).await,
        BenchCommand::Analyze {
            files,
            iterations,
            format,
        } => super::bench_analyze::run(&files, iterations.max(1), format, quiet),
        BenchCommand::Pipeline {
            files,
            span_hours,
            format,
        } => super::bench_pipeline::run(&files, span_hours, format).await,
        BenchCommand::Cluster {
            files,
            at,
            window,
            shift,
            format,
        } => {
            // The configured clustering (threshold, embedding backend), with
            // the window of the command line.
            let loaded = crate::config::load(config_path, std::env::vars())?;
            let config = gazette_core::config::StoriesConfig {
                window: super::parse_period("--window", &window)?,
                ..loaded.stories
            };
            let shift = match shift {
                Some(s) => super::parse_period("--shift", &s)?,
                None => config.window + jiff::SignedDuration::from_hours(1),
            };
            if shift.is_zero() {
                return Err(usage!("--shift: expected a period longer than zero"));
            }
            super::bench_cluster::run(&config, &files, &at, shift, format)
        }
        BenchCommand::Extract {
            dirs,
            iterations,
            format,
        } => super::bench_extract::run(&dirs, iterations.max(1), format, quiet),
        BenchCommand::Feeds {
            dir,
            iterations,
            format,
        } => {
            let report = bench_feeds(&dir, iterations.max(1), quiet)?;
            match format {
                TextOrJson::Json => println!("{}", serde_json::to_string(&report)?),
                TextOrJson::Text => println!(
                    "{}: {} files, {:.1} MB, {} passes; parsed {} (failed {}) in {:.3} s: {:.0} feeds/s, {:.2} MB/s",
                    report.parser,
                    report.files,
                    report.bytes as f64 / 1e6,
                    report.iterations,
                    report.parsed,
                    report.failed,
                    report.seconds,
                    report.feeds_per_sec,
                    report.mb_per_sec
                ),
            }
            Ok(())
        }
    }
}

/// Whether a file counts as a feed for the benchmark.
pub fn is_feed_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".serde.json") {
        return false;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("xml" | "rss" | "atom" | "rdf" | "json")
    )
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if is_feed_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn bench_feeds(dir: &Path, iterations: u32, quiet: bool) -> anyhow::Result<FeedsBench> {
    if !dir.is_dir() {
        return Err(usage!("{} is not a directory", dir.display()));
    }
    let mut paths = Vec::new();
    collect(dir, &mut paths).with_context(|| format!("cannot list {}", dir.display()))?;
    paths.sort();
    if paths.is_empty() {
        return Err(usage!(
            "no feed files (.xml, .rss, .atom, .rdf, .json) under {}",
            dir.display()
        ));
    }
    let files: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect::<anyhow::Result<_>>()?;
    let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();

    let progress = Reporter::new(quiet);
    progress.start(u64::from(iterations), "bench feeds");
    let (mut parsed, mut failed) = (0, 0);
    let started = Instant::now();
    for i in 0..iterations {
        for body in &files {
            match gazette_ingest::parse_feed(body, None, None) {
                Ok(feed) => {
                    std::hint::black_box(feed);
                    parsed += 1;
                }
                Err(_) => failed += 1,
            }
        }
        progress.advance(&format!("pass {}", i + 1));
    }
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    let total = files.len() as f64 * f64::from(iterations);
    Ok(FeedsBench {
        parser: "gazette",
        files: files.len(),
        bytes,
        iterations,
        parsed: parsed / iterations as usize,
        failed: failed / iterations as usize,
        seconds,
        feeds_per_sec: total / seconds,
        mb_per_sec: bytes as f64 * f64::from(iterations) / 1e6 / seconds,
    })
}
