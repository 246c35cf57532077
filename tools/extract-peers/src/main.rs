//! Runs a peer extraction crate on a directory of pages, for comparison with
//! `gazette extract` on the shared benchmarks. See README.md.
//!
//! ```text
//! extract-peers --extractor rs-trafilatura|trafilatura|dom_smoothie [--with-comments] DIR... > pred.json
//! extract-peers --extractor dom_smoothie --bench [--iterations N] DIR...
//! ```
//!
//! Pages are selected as `gazette extract` does: `.html`, `.htm`, `.html.gz`,
//! `.htm.gz` files under each directory, in path order; the page id is the file
//! name without that extension. The JSON written is one object keyed by page id,
//! each value a record with at least `id`, `title` and `text` (the shape of
//! `gazette extract --format json DIR`), which `score_extraction.py` reads.
//!
//! Every extractor gets the same input: the page bytes decoded to a string
//! (byte-order mark, else `<meta charset>` in the first 4 KiB, else UTF-8 when
//! valid, else chardetng's guess). Decoding is part of the timed work, as in
//! `gazette bench extract`. A panic inside an extractor is caught per page and
//! counted; the page then gets `"text": ""` and an `error`.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use encoding_rs::{Encoding, UTF_8};
use serde::Serialize;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Extractor {
    RsTrafilatura,
    Trafilatura,
    DomSmoothie,
}

impl Extractor {
    fn parse(s: &str) -> Option<Extractor> {
        match s {
            "rs-trafilatura" | "rs_trafilatura" => Some(Extractor::RsTrafilatura),
            "trafilatura" => Some(Extractor::Trafilatura),
            "dom_smoothie" | "dom-smoothie" => Some(Extractor::DomSmoothie),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Extractor::RsTrafilatura => "rs-trafilatura 0.2.2",
            Extractor::Trafilatura => "trafilatura 0.6.0 (fallback on)",
            Extractor::DomSmoothie => "dom_smoothie 0.19.0 (TextMode::Formatted)",
        }
    }
}

#[derive(Serialize)]
struct Record {
    id: String,
    title: Option<String>,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

struct Extracted {
    title: Option<String>,
    text: String,
}

struct Setup {
    extractor: Extractor,
    with_comments: bool,
    traf_opts: trafilatura::Options,
    rs_opts: rs_trafilatura::Options,
}

impl Setup {
    fn new(extractor: Extractor, with_comments: bool) -> Setup {
        let traf_opts = trafilatura::Options::default().with_fallback(true);
        let rs_opts = rs_trafilatura::Options {
            include_comments: with_comments,
            ..rs_trafilatura::Options::default()
        };
        Setup {
            extractor,
            with_comments,
            traf_opts,
            rs_opts,
        }
    }

    /// One page: bytes → text with the chosen crate. Err is the crate's error.
    fn extract(&self, bytes: &[u8]) -> Result<Extracted, String> {
        let html = decode(bytes);
        match self.extractor {
            Extractor::RsTrafilatura => {
                let r = rs_trafilatura::extract_with_options(&html, &self.rs_opts)
                    .map_err(|e| e.to_string())?;
                let mut text = r.content_text;
                if self.with_comments {
                    append(&mut text, r.comments_text.as_deref().unwrap_or(""));
                }
                Ok(Extracted {
                    title: r.metadata.title,
                    text,
                })
            }
            Extractor::Trafilatura => {
                let r = trafilatura::extract(&html, &self.traf_opts).map_err(|e| e.to_string())?;
                let mut text = r.content_text;
                if self.with_comments {
                    append(&mut text, &r.comments_text);
                }
                let title = Some(r.metadata.title).filter(|t| !t.is_empty());
                Ok(Extracted { title, text })
            }
            Extractor::DomSmoothie => {
                let cfg = dom_smoothie::Config {
                    text_mode: dom_smoothie::TextMode::Formatted,
                    ..Default::default()
                };
                let mut r = dom_smoothie::Readability::new(html, None, Some(cfg))
                    .map_err(|e| e.to_string())?;
                let a = r.parse().map_err(|e| e.to_string())?;
                let title = Some(a.title).filter(|t| !t.is_empty());
                Ok(Extracted {
                    title,
                    text: a.text_content.to_string(),
                })
            }
        }
    }

    /// As `extract`, with a panic caught and reported as an error.
    fn extract_caught(&self, bytes: &[u8]) -> Result<Extracted, PageError> {
        match catch_unwind(AssertUnwindSafe(|| self.extract(bytes))) {
            Ok(Ok(x)) => Ok(x),
            Ok(Err(e)) => Err(PageError::Failed(e)),
            Err(p) => {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                Err(PageError::Panicked(msg))
            }
        }
    }
}

enum PageError {
    Failed(String),
    Panicked(String),
}

fn append(text: &mut String, more: &str) {
    if more.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(more);
}

/// Bytes → string: BOM, then `<meta charset>` in the first 4 KiB, then UTF-8 when
/// valid, then chardetng's guess.
fn decode(bytes: &[u8]) -> String {
    let enc = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| meta_charset(&bytes[..bytes.len().min(4096)]))
        .unwrap_or_else(|| {
            if std::str::from_utf8(bytes).is_ok() {
                UTF_8
            } else {
                let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                d.feed(bytes, true);
                d.guess(None, chardetng::Utf8Detection::Deny)
            }
        });
    enc.decode(bytes).0.into_owned()
}

/// The label after the first `charset=` in `head`, when it names an ASCII-compatible encoding.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let pos = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = &lower[pos..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| {
            !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':' || b == b'.')
        })
        .unwrap_or(rest.len());
    let enc = Encoding::for_label(&rest[..end])?;
    // A page saying "utf-16" in ASCII is not UTF-16 (as browsers treat it).
    Some(if enc.is_ascii_compatible() {
        enc
    } else {
        UTF_8
    })
}

fn collect_pages(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_pages(&path, out)?;
        } else if page_id(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

fn page_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let low = name.to_ascii_lowercase();
    [".html.gz", ".htm.gz", ".html", ".htm"]
        .iter()
        .find(|ext| low.ends_with(*ext))
        .map(|ext| name[..name.len() - ext.len()].to_string())
}

fn read_page(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

const USAGE: &str = "usage: extract-peers --extractor rs-trafilatura|trafilatura|dom_smoothie \
[--with-comments] [--bench [--iterations N]] DIR...";

fn main() -> ExitCode {
    let mut extractor = None;
    let mut bench = false;
    let mut with_comments = false;
    let mut iterations = 1u32;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--extractor" => extractor = args.next().as_deref().and_then(Extractor::parse),
            "--bench" => bench = true,
            "--with-comments" => with_comments = true,
            "--iterations" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => iterations = n,
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if a.starts_with('-') => {
                eprintln!("unknown option {a}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    let Some(extractor) = extractor else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if dirs.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for d in &dirs {
        if d.is_dir() {
            if let Err(e) = collect_pages(d, &mut files) {
                eprintln!("{}: {e}", d.display());
                return ExitCode::from(2);
            }
        } else {
            files.push(d.clone());
        }
    }
    files.sort();
    let mut pages = Vec::with_capacity(files.len());
    for f in &files {
        match read_page(f) {
            Ok(b) => pages.push((page_id(f).unwrap_or_else(|| f.display().to_string()), b)),
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::from(2);
            }
        }
    }
    if pages.is_empty() {
        eprintln!("no .html, .htm or .html.gz files in the given directories");
        return ExitCode::from(2);
    }
    // Panics are counted per page; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let setup = Setup::new(extractor, with_comments);

    if bench {
        let bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
        let (mut failed, mut panicked, mut empty) = (0usize, 0usize, 0usize);
        let start = Instant::now();
        for i in 0..iterations {
            for (_, b) in &pages {
                let r = setup.extract_caught(b);
                if i == 0 {
                    match r {
                        Ok(x) => empty += x.text.trim().is_empty() as usize,
                        Err(PageError::Failed(_)) => failed += 1,
                        Err(PageError::Panicked(_)) => panicked += 1,
                    }
                } else {
                    std::hint::black_box(r.ok());
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let n = pages.len() as f64 * iterations as f64;
        println!(
            "{}: {} pages, {:.1} MB, {iterations} passes in {secs:.3} s: {:.0} pages/s, {:.1} MB/s \
             on one thread; {failed} errors, {panicked} panics, {empty} empty; peak memory {} MB",
            extractor.name(),
            pages.len(),
            bytes as f64 / 1e6,
            n / secs,
            bytes as f64 * iterations as f64 / 1e6 / secs,
            peak_rss_mb().map_or("?".into(), |m| format!("{m:.0}")),
        );
        return ExitCode::SUCCESS;
    }

    let mut map = serde_json::Map::new();
    let (mut failed, mut panicked) = (0usize, 0usize);
    for (id, b) in &pages {
        let rec = match setup.extract_caught(b) {
            Ok(x) => Record {
                id: id.clone(),
                title: x.title,
                text: x.text,
                error: None,
            },
            Err(e) => {
                let error = match e {
                    PageError::Failed(m) => {
                        failed += 1;
                        m
                    }
                    PageError::Panicked(m) => {
                        panicked += 1;
                        eprintln!("{id}: panic: {m}");
                        format!("panic: {m}")
                    }
                };
                Record {
                    id: id.clone(),
                    title: None,
                    text: String::new(),
                    error: Some(error),
                }
            }
        };
        let mut key = id.clone();
        let mut n = 2;
        while map.contains_key(&key) {
            key = format!("{id}#{n}");
            n += 1;
        }
        map.insert(key, serde_json::to_value(&rec).expect("serialisable"));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if serde_json::to_writer_pretty(&mut out, &map)
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(out))
        .and_then(|_| out.flush())
        .is_err()
    {
        eprintln!("cannot write the output");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{}: {} pages, {failed} errors (no content), {panicked} panics",
        extractor.name(),
        pages.len()
    );
    ExitCode::SUCCESS
}
