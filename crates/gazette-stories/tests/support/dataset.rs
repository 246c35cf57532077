//! The clustering evaluation format (`/work/shared/data/clustering/*.jsonl`):
//! one article a line, `{"id", "story", "lang", "title", "text", "published", "source"}`,
//! in stream order. Shared by the fixture test and the `score` example.

use gazette_core::config::StoriesConfig;
use gazette_core::{Article, ArticleContent, ArticleId, SourceId, StoryId};
use gazette_stories::{Assignment, Clusterer};
use jiff::Timestamp;
use serde::Deserialize;

/// One line as written.
#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    story: Option<String>,
    lang: Option<String>,
    title: String,
    text: Option<String>,
    published: Option<Timestamp>,
    source: Option<String>,
}

/// An article of the stream with its identifiers in the file.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub id: String,
    /// The gold story, when the file has one.
    pub story: Option<String>,
    pub article: Article,
}

/// Where the stream starts when no article says when it was published.
const EPOCH: &str = "2020-01-01T00:00:00Z";

/// Parses a JSONL stream. An article without a publication time is given the
/// latest time seen so far, as if found right after the previous one.
pub fn parse(jsonl: &str) -> Result<Vec<Labelled>, String> {
    let mut clock: Timestamp = EPOCH.parse().expect("valid epoch");
    let mut out = Vec::new();
    for (n, text) in jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line = serde_json::from_str(text).map_err(|e| format!("line {}: {e}", n + 1))?;
        if let Some(published) = line.published {
            clock = clock.max(published);
        }
        let outlet = line.source.unwrap_or_else(|| "unknown.invalid".into());
        let index = i64::try_from(out.len()).expect("fewer than 2^63 lines");
        let article = Article {
            id: ArticleId(index),
            source_id: SourceId(0),
            entry_id: None,
            url: format!("https://{outlet}/{}", line.id)
                .parse()
                .map_err(|e| format!("line {}: {e}", n + 1))?,
            outlet,
            title: line.title,
            discovered_at: clock,
            content: ArticleContent {
                lang: line.lang,
                published: line.published,
                text: line.text.unwrap_or_default(),
                ..ArticleContent::default()
            },
        };
        out.push(Labelled {
            id: line.id,
            story: line.story,
            article,
        });
    }
    Ok(out)
}

/// Streams the articles through a clusterer, as gazette does, and returns each one's story.
pub fn cluster(articles: &[Labelled], config: &StoriesConfig) -> Vec<StoryId> {
    let mut clusterer = Clusterer::new(config);
    let mut next = 0;
    articles
        .iter()
        .map(|labelled| {
            let article = &labelled.article;
            clusterer.evict(article.effective_time());
            let story = match clusterer.assign(article) {
                Assignment::Join { story, .. } => story,
                Assignment::New { .. } => {
                    next += 1;
                    StoryId(next)
                }
            };
            clusterer.add_member(story, article);
            story
        })
        .collect()
}
