//! `gazette extract [--format json|jsonl|text|markdown] PATH|URL|- ...`: the article
//! of HTML pages, main text and metadata.
//!
//! Inputs are files (`.html`, `.htm`, `.html.gz`, or any file named explicitly),
//! directories (searched recursively for `.html`, `.htm` and `.html.gz` files, in
//! name order), http(s) URLs (fetched with the ingest fetcher, its limits and
//! politeness) and `-` for standard input. Each page has an `id`: the file name
//! without `.html`/`.htm`/`.html.gz` (`stdin` for `-`, the URL for a URL).
//!
//! Every page gives one record with the fields `id, url, canonical_url, title,
//! authors, published, modified, lang, site_name, description, image, text`
//! (`text`: paragraphs separated by a blank line; dates in ISO 8601). A page
//! without an article gives `"text": ""` and an `"error"` field, and the batch goes
//! on. Formats:
//! - `jsonl`: one record a line;
//! - `json`: the record for one page given alone, else one object keyed by page id
//!   (which `score_extraction.py` reads as its predictions file);
//! - `text` and `markdown`: for people.
//!
//! Exit code 0 when every input could be read (pages without an article included:
//! they carry their `error`), 2 when some input could not be read or is not a page
//! (each named on standard error), 1 when a URL could not be fetched.
//!
//! ```text
//! $ gazette extract --format jsonl pages/ > articles.jsonl
//! $ gazette extract --format json pages/ > predictions.json
//! $ python3 score_extraction.py extraction/aeb predictions.json
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use gazette_core::ArticleContent;
use gazette_core::config::{Config, parse_url};
use gazette_ingest::{Accept, Conditional, FetchOutcome, Fetcher};
use serde::Serialize;
use url::Url;

use crate::cli::{ExtractArgs, ExtractFormat};
use crate::usage;

/// One page's output record.
#[derive(Debug, Serialize)]
pub struct Record {
    pub id: String,
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Record {
    fn new(id: String, url: Option<&Url>, content: ArticleContent) -> Record {
        Record {
            id,
            url: url.or(content.canonical_url.as_ref()).map(Url::to_string),
            canonical_url: content.canonical_url.map(String::from),
            title: content.title,
            authors: content.authors,
            published: content.published.map(|t| t.to_string()),
            modified: content.modified.map(|t| t.to_string()),
            lang: content.lang,
            site_name: content.site_name,
            description: content.description,
            image: content.image.map(String::from),
            text: content.text,
            error: None,
        }
    }

    fn failed(id: String, url: Option<&Url>, error: String) -> Record {
        Record {
            id,
            url: url.map(Url::to_string),
            canonical_url: None,
            title: None,
            authors: Vec::new(),
            published: None,
            modified: None,
            lang: None,
            site_name: None,
            description: None,
            image: None,
            text: String::new(),
            error: Some(error),
        }
    }
}

/// One page to extract.
enum Input {
    File(PathBuf),
    Stdin,
    Url(String),
}

pub async fn run(config_path: Option<&Path>, args: ExtractArgs) -> anyhow::Result<()> {
    let mut unreadable = Vec::new();
    let mut inputs = Vec::new();
    for arg in &args.inputs {
        if arg == "-" {
            inputs.push(Input::Stdin);
        } else if arg.starts_with("http://") || arg.starts_with("https://") {
            inputs.push(Input::Url(arg.clone()));
        } else {
            let path = Path::new(arg);
            if path.is_dir() {
                let mut files = Vec::new();
                if let Err(e) = collect_pages(path, &mut files) {
                    unreadable.push(format!("{arg}: cannot read the directory: {e}"));
                }
                files.sort();
                inputs.extend(files.into_iter().map(Input::File));
            } else {
                inputs.push(Input::File(path.to_path_buf()));
            }
        }
    }

    let config: Option<Config> = if inputs.iter().any(|i| matches!(i, Input::Url(_))) {
        Some(crate::config::load(config_path, std::env::vars())?)
    } else {
        None
    };
    let mut fetcher = None;
    let single =
        args.inputs.len() == 1 && inputs.len() == 1 && !Path::new(&args.inputs[0]).is_dir();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut json_map = serde_json::Map::new();
    let mut fetch_failed = false;
    let mut first = true;

    for input in inputs {
        let record = match input {
            Input::File(path) => {
                let id = page_id(&path);
                match read_file(&path) {
                    Ok(bytes) => {
                        let base = std::fs::canonicalize(&path)
                            .ok()
                            .and_then(|p| Url::from_file_path(p).ok())
                            .unwrap_or_else(|| "file:///input.html".parse().expect("a valid URL"));
                        extract_record(id, &bytes, &base, None, false)
                    }
                    Err(e) => {
                        unreadable.push(format!("{}: {e}", path.display()));
                        Record::failed(id, None, e)
                    }
                }
            }
            Input::Stdin => {
                let mut bytes = Vec::new();
                if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
                    unreadable.push(format!("standard input: {e}"));
                    bytes.clear();
                }
                let base: Url = "file:///stdin.html".parse().expect("a valid URL");
                extract_record("stdin".into(), &bytes, &base, None, false)
            }
            Input::Url(input) => match parse_url("URL", &input) {
                Ok(url) => {
                    fetch_record(
                        &mut fetcher,
                        config.as_ref(),
                        &input,
                        url,
                        &mut fetch_failed,
                    )
                    .await?
                }
                Err(e) => {
                    unreadable.push(format!("{input}: {}", e.message));
                    Record::failed(input.clone(), None, e.message)
                }
            },
        };
        if let Some(error) = &record.error {
            tracing::info!(page = %record.id, %error, "no article");
        }
        match args.format {
            ExtractFormat::Jsonl => {
                serde_json::to_writer(&mut out, &record)?;
                writeln!(out)?;
            }
            ExtractFormat::Json if single => {
                serde_json::to_writer_pretty(&mut out, &record)?;
                writeln!(out)?;
            }
            ExtractFormat::Json => {
                let mut id = record.id.clone();
                let mut n = 2;
                while json_map.contains_key(&id) {
                    id = format!("{}#{n}", record.id);
                    n += 1;
                }
                json_map.insert(id, serde_json::to_value(&record)?);
            }
            ExtractFormat::Text => {
                if !first {
                    writeln!(out)?;
                }
                write_text(&mut out, &record, single)?;
            }
            ExtractFormat::Markdown => {
                if !first {
                    writeln!(out, "\n---\n")?;
                }
                write_markdown(&mut out, &record)?;
            }
        }
        first = false;
    }
    if args.format == ExtractFormat::Json && !single {
        serde_json::to_writer_pretty(&mut out, &json_map)?;
        writeln!(out)?;
    }
    out.flush().context("cannot write the output")?;

    if !unreadable.is_empty() {
        for u in &unreadable {
            eprintln!("gazette: {u}");
        }
        return Err(usage!(
            "{} of the inputs could not be read",
            unreadable.len()
        ));
    }
    if fetch_failed {
        anyhow::bail!("some URLs could not be fetched");
    }
    Ok(())
}

/// Fetches a URL and extracts it; a fetch failure is a record with an error.
async fn fetch_record(
    fetcher: &mut Option<Fetcher>,
    config: Option<&Config>,
    input: &str,
    url: Url,
    fetch_failed: &mut bool,
) -> anyhow::Result<Record> {
    let fetcher = match fetcher {
        Some(f) => f,
        None => fetcher.insert(Fetcher::new(&config.expect("loaded for URLs").fetch)?),
    };
    Ok(
        match fetcher
            .fetch(&url, &Conditional::default(), Accept::Html)
            .await
        {
            Ok(FetchOutcome::Fetched { page, .. }) => extract_record(
                input.to_string(),
                &page.body,
                &page.final_url,
                page.charset(),
                true,
            ),
            Ok(FetchOutcome::NotModified { .. }) => {
                *fetch_failed = true;
                eprintln!("gazette: {input}: the server answered 304 Not Modified");
                Record::failed(input.to_string(), Some(&url), "304 Not Modified".into())
            }
            Err(e) => {
                *fetch_failed = true;
                let msg = gazette_core::report::chain(&e);
                eprintln!("gazette: {input}: {msg}");
                Record::failed(input.to_string(), Some(&url), msg)
            }
        },
    )
}

/// Extracts one page into a record; a page without an article is a record with an error.
fn extract_record(
    id: String,
    bytes: &[u8],
    url: &Url,
    http_charset: Option<&str>,
    from_network: bool,
) -> Record {
    match gazette_extract::extract(bytes, url, http_charset) {
        Ok(content) => Record::new(id, from_network.then_some(url), content),
        Err(e) => Record::failed(
            id,
            from_network.then_some(url),
            gazette_core::report::chain(&e),
        ),
    }
}

/// Reads a page file, decompressing `.gz`.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        || bytes.starts_with(&[0x1f, 0x8b])
    {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            // A page-size cap: decompression stops past it (the extractor refuses big pages).
            .take(64 * 1024 * 1024)
            .read_to_end(&mut out)
            .map_err(|e| format!("cannot decompress: {e}"))?;
        return Ok(out);
    }
    Ok(bytes)
}

/// Whether a directory entry is a page: `.html`, `.htm`, `.html.gz`, `.htm.gz`.
pub fn is_page_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    [".html", ".htm", ".html.gz", ".htm.gz"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The page files under `dir`, recursively.
pub fn collect_pages(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_pages(&path, out)?;
        } else if is_page_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// The file name without `.html`, `.htm`, `.html.gz` or `.htm.gz`.
pub fn page_id(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    for ext in [".html.gz", ".htm.gz", ".html", ".htm", ".gz"] {
        if lower.ends_with(ext) {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name
}

fn write_text(out: &mut impl Write, record: &Record, single: bool) -> std::io::Result<()> {
    if !single {
        writeln!(out, "==> {} <==", record.id)?;
    }
    if let Some(error) = &record.error {
        return writeln!(out, "(no article: {error})");
    }
    if let Some(title) = &record.title {
        writeln!(out, "{title}\n")?;
    }
    writeln!(out, "{}", record.text)
}

fn write_markdown(out: &mut impl Write, record: &Record) -> std::io::Result<()> {
    writeln!(
        out,
        "# {}\n",
        record.title.as_deref().unwrap_or(record.id.as_str())
    )?;
    let mut meta = Vec::new();
    if !record.authors.is_empty() {
        meta.push(record.authors.join(", "));
    }
    if let Some(site) = &record.site_name {
        meta.push(site.clone());
    }
    if let Some(p) = &record.published {
        meta.push(p.clone());
    }
    if let Some(u) = record.canonical_url.as_ref().or(record.url.as_ref()) {
        meta.push(format!("<{u}>"));
    }
    if !meta.is_empty() {
        writeln!(out, "*{}*\n", meta.join(" · "))?;
    }
    if let Some(error) = &record.error {
        return writeln!(out, "> no article: {error}");
    }
    writeln!(out, "{}", record.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_drop_html_extensions() {
        assert_eq!(page_id(Path::new("a/b/0001.html.gz")), "0001");
        assert_eq!(page_id(Path::new("x.HTML")), "x");
        assert_eq!(page_id(Path::new("y.htm")), "y");
        assert_eq!(page_id(Path::new("z.txt")), "z.txt");
    }

    #[test]
    fn page_files_are_recognised_by_name() {
        assert!(is_page_file(Path::new("a.html.gz")));
        assert!(is_page_file(Path::new("a.htm")));
        assert!(!is_page_file(Path::new("a.json")));
    }
}
