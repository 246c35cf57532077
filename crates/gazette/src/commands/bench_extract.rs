//! `gazette bench extract DIR…`: article-extraction throughput on one core.
//!
//! Selects the pages as `gazette extract` does (`.html`, `.htm`, `.html.gz` under
//! each directory, or the files named), reads and decompresses them all into
//! memory first, then runs [`gazette_extract::extract`] on each, for a number of
//! passes on the calling thread. Prints pages/s, MB/s (of decompressed HTML), the
//! pages without an article, and the process's peak resident memory (`VmHWM`).
//! `tools/bench_trafilatura.py` does the same for Python's trafilatura, and
//! `tools/bench-extract.sh` runs both on the same pages in one run.

use std::path::PathBuf;
use std::time::Instant;

use gazette_ingest::Progress;
use serde::Serialize;

use super::bench_analyze::peak_rss_mb;
use super::extract::{collect_pages, read_file};
use crate::cli::TextOrJson;
use crate::progress::Reporter;
use crate::usage;

#[derive(Debug, Serialize)]
struct ExtractBench {
    extractor: &'static str,
    pages: usize,
    bytes: u64,
    iterations: u32,
    no_article: usize,
    seconds: f64,
    pages_per_sec: f64,
    mb_per_sec: f64,
    peak_rss_mb: Option<f64>,
}

pub fn run(
    dirs: &[PathBuf],
    iterations: u32,
    format: TextOrJson,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for dir in dirs {
        if dir.is_dir() {
            collect_pages(dir, &mut files)
                .map_err(|e| usage!("{}: cannot read the directory: {e}", dir.display()))?;
        } else {
            files.push(dir.clone());
        }
    }
    files.sort();
    let mut pages = Vec::with_capacity(files.len());
    for f in &files {
        pages.push(read_file(f).map_err(|e| usage!("{}: {e}", f.display()))?);
    }
    if pages.is_empty() {
        return Err(usage!(
            "no .html, .htm or .html.gz files in the given directories"
        ));
    }
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let url: url::Url = "https://bench.invalid/page.html"
        .parse()
        .expect("a valid URL");
    let progress = Reporter::new(quiet);
    progress.start(u64::from(iterations), "bench extract");
    let mut no_article = 0;
    let started = Instant::now();
    for i in 0..iterations {
        for page in &pages {
            if gazette_extract::extract(page, &url, None).is_err() && i == 0 {
                no_article += 1;
            }
        }
        progress.advance(&format!("pass {}", i + 1));
    }
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    let n = pages.len() as f64 * f64::from(iterations);
    let report = ExtractBench {
        extractor: "gazette",
        pages: pages.len(),
        bytes,
        iterations,
        no_article,
        seconds,
        pages_per_sec: n / seconds,
        mb_per_sec: bytes as f64 * f64::from(iterations) / 1e6 / seconds,
        peak_rss_mb: peak_rss_mb(),
    };
    match format {
        TextOrJson::Json => println!("{}", serde_json::to_string(&report)?),
        TextOrJson::Text => println!(
            "{}: {} pages, {:.1} MB, {} passes in {:.3} s: {:.0} pages/s, {:.1} MB/s on one core; {} without an article; peak memory {}",
            report.extractor,
            report.pages,
            report.bytes as f64 / 1e6,
            report.iterations,
            report.seconds,
            report.pages_per_sec,
            report.mb_per_sec,
            report.no_article,
            report
                .peak_rss_mb
                .map_or("unknown".to_string(), |m| format!("{m:.0} MB")),
        ),
    }
    Ok(())
}
