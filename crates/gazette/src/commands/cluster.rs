//! `gazette cluster --input ARTICLES.jsonl [--output OUT.jsonl]`: groups a
//! stream of articles into stories, in one pass, in input order (DESIGN.md §6).
//!
//! Input: one JSON object a line, `{"id", "title", "text", "lang"?,
//! "published"?, "source"?}`; `id` is a string or a number and is only echoed
//! back; `text` may be missing or null (a headline alone); an optional `url`
//! lets duplicates under one canonical URL be found; other fields are ignored.
//!
//! Output: one `{"id", "story"}` line per input line, in input order,
//! written as each article is placed (standard output without `--output`).
//! Stories are numbered from 1 in order of creation. When two open stories
//! merge (`stories.merge_threshold`), the younger's articles are written again
//! with the older's ID, right after the line that caused the merge: the last
//! line for an ID gives the article's story.
//!
//! Time: an article is placed at its `published` time; one without a date is
//! placed at the latest time seen so far (right after the article before it).
//! A malformed line stops the command with exit code 2 and a message naming
//! the file and line; what was written before stays written.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use gazette_core::config::StoriesConfig;
use gazette_core::{Article, ArticleContent, ArticleId, SourceId, StoryId};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::cli::ClusterArgs;
use crate::usage;

/// One input line as written.
#[derive(Debug, Deserialize)]
pub struct Line {
    pub id: Value,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub published: Option<Timestamp>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Lines between two passes dropping the closed stories' article IDs.
const PRUNE_EVERY: usize = 1024;

/// Where the clock starts when no article of the stream says when it was published.
const EPOCH: Timestamp = Timestamp::UNIX_EPOCH;

pub fn run(config: &StoriesConfig, args: &ClusterArgs) -> anyhow::Result<()> {
    let input = std::fs::File::open(&args.input)
        .map_err(|e| usage!("cannot read {}: {e}", args.input.display()))?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| usage!("cannot write {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    let embedder = gazette_stories::embed::from_config(&config.embedding)?;
    let mut stream = gazette_stories::StoryStream::with_embedder(config, embedder);
    let mut clock = EPOCH;
    // The IDs of the open stories' articles, to write them again when their
    // story merges into another (closed stories are dropped from time to time).
    let mut members: HashMap<StoryId, Vec<serde_json::Value>> = HashMap::new();
    let write = |out: &mut BufWriter<Box<dyn Write>>, id: &serde_json::Value, story: StoryId| {
        let record = serde_json::json!({ "id": id, "story": story.0.to_string() });
        writeln!(out, "{record}").with_context(|| output_name(args.output.as_deref()))
    };
    for (index, line) in BufReader::new(input).lines().enumerate() {
        let number = index + 1;
        let line = line.with_context(|| format!("cannot read {}", args.input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed =
            parse_line(&line).map_err(|e| usage!("{}:{number}: {e}", args.input.display()))?;
        let article = to_article(&parsed, number, &mut clock);
        let placed = stream.push(&article);
        if let Some(from) = placed.absorbed {
            // The absorbed story's articles now belong to `placed.story`:
            // their lines are written again (the last line for an ID counts).
            let moved = members.remove(&from).unwrap_or_default();
            for id in &moved {
                write(&mut out, id, placed.story)?;
            }
            members.entry(placed.story).or_default().extend(moved);
        }
        write(&mut out, &parsed.id, placed.story)?;
        members.entry(placed.story).or_default().push(parsed.id);
        if number % PRUNE_EVERY == 0 {
            members.retain(|story, _| stream.clusterer().is_open(*story));
        }
    }
    out.flush()
        .with_context(|| output_name(args.output.as_deref()))?;
    Ok(())
}

fn output_name(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("cannot write {}", p.display()),
        None => "cannot write to standard output".to_string(),
    }
}

/// Parses and checks one line: an object with an `id` that is a string or a number.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let parsed: Line = serde_json::from_str(line).map_err(|e| e.to_string())?;
    match &parsed.id {
        Value::String(s) if !s.is_empty() => {}
        Value::Number(_) => {}
        other => {
            return Err(format!(
                "\"id\" must be a non-empty string or a number, found {other}"
            ));
        }
    }
    Ok(parsed)
}

/// The article the clusterer sees; `clock` is the latest publication time seen.
pub fn to_article(line: &Line, number: usize, clock: &mut Timestamp) -> Article {
    if let Some(published) = line.published {
        *clock = (*clock).max(published);
    }
    let outlet = line
        .source
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown.invalid".into());
    // Without a URL of its own, each line gets a distinct one (its line number).
    let url = line
        .url
        .as_deref()
        .and_then(|u| u.parse().ok())
        .or_else(|| format!("https://{outlet}/{number}").parse().ok())
        .unwrap_or_else(|| {
            format!("https://unknown.invalid/{number}")
                .parse()
                .expect("a valid URL")
        });
    Article {
        id: ArticleId(i64::try_from(number).unwrap_or(i64::MAX)),
        source_id: SourceId(0),
        entry_id: None,
        url,
        outlet,
        title: line.title.clone().unwrap_or_default(),
        discovered_at: *clock,
        content: ArticleContent {
            lang: line.lang.clone().filter(|l| !l.trim().is_empty()),
            published: line.published,
            text: line.text.clone().unwrap_or_default(),
            ..ArticleContent::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_needs_an_id() {
        assert!(parse_line(r#"{"title": "x"}"#).is_err());
        assert!(parse_line(r#"{"id": null, "title": "x"}"#).is_err());
        assert!(parse_line(r#"{"id": "", "title": "x"}"#).is_err());
        assert!(parse_line(r#"{"id": 7, "title": "x"}"#).is_ok());
    }

    #[test]
    fn text_may_be_missing_or_null() {
        let line = parse_line(r#"{"id": "a", "title": "Headline", "text": null}"#).unwrap();
        let mut clock = EPOCH;
        let article = to_article(&line, 1, &mut clock);
        assert_eq!(article.content.text, "");
        assert_eq!(article.title, "Headline");
    }

    #[test]
    fn undated_articles_follow_the_latest_date() {
        let dated = parse_line(r#"{"id": "a", "title": "x", "published": "2024-05-01T10:00:00Z"}"#)
            .unwrap();
        let undated = parse_line(r#"{"id": "b", "title": "y"}"#).unwrap();
        let mut clock = EPOCH;
        to_article(&dated, 1, &mut clock);
        let b = to_article(&undated, 2, &mut clock);
        assert_eq!(b.effective_time(), "2024-05-01T10:00:00Z".parse().unwrap());
    }
}
