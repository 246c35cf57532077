//! The bundled demo corpus (`crates/gazette/demo/corpus.jsonl`, see its README
//! for sources and licences), laid out as outlets with feeds and article pages.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

const CORPUS: &str = include_str!("../../demo/corpus.jsonl");

/// One article of the corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    /// The corpus's own story label: for tests, never read by the pipeline.
    pub story: String,
    /// The outlet's domain.
    pub site: String,
    pub lang: String,
    pub title: String,
    pub text: String,
    pub minutes_before: i64,
}

/// An article placed in time, with its path on the demo server.
#[derive(Debug, Clone)]
pub struct Article {
    pub item: Item,
    pub published: Timestamp,
    /// Path of the article page, e.g. `/sunstar.com.ph/3-magnitude-6-1-quake-hits-indonesia.html`.
    pub path: String,
}

/// The feed formats the demo outlets use, so every parser runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

/// An outlet: its site, its feed and its articles, newest first.
#[derive(Debug, Clone)]
pub struct Outlet {
    pub site: String,
    pub lang: String,
    pub format: FeedFormat,
    pub articles: Vec<Article>,
}

impl Outlet {
    /// Path of the outlet's feed on the demo server.
    pub fn feed_path(&self) -> String {
        let file = match self.format {
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        };
        format!("/{}/{file}", self.site)
    }
}

/// Parses the bundled corpus; publication times are placed around the morning
/// `slot`: before it for the morning edition, after it (negative
/// `minutes_before`) for the day the evening edition covers.
pub fn outlets(slot: Timestamp) -> Vec<Outlet> {
    let mut by_site: BTreeMap<String, Vec<Article>> = BTreeMap::new();
    for (i, line) in CORPUS.lines().enumerate() {
        let item: Item = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("demo/corpus.jsonl line {}: {e}", i + 1));
        let published = slot - SignedDuration::from_mins(item.minutes_before);
        let path = format!("/{}/{}-{}.html", item.site, i + 1, slug(&item.title));
        by_site.entry(item.site.clone()).or_default().push(Article {
            item,
            published,
            path,
        });
    }
    by_site
        .into_iter()
        .enumerate()
        .map(|(i, (site, mut articles))| {
            articles.sort_by_key(|a| std::cmp::Reverse(a.published));
            Outlet {
                lang: articles[0].item.lang.clone(),
                site,
                format: [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json][i % 3],
                articles,
            }
        })
        .collect()
}

/// A URL-safe slug of a title.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in gazette_text::fold(title).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_parses_into_outlets_with_every_feed_format() {
        let slot: Timestamp = "2026-11-29T06:30:00Z".parse().unwrap();
        let outlets = outlets(slot);
        assert!(outlets.len() > 20);
        for format in [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json] {
            assert!(outlets.iter().any(|o| o.format == format));
        }
        let evening = slot + SignedDuration::from_hours(11) + SignedDuration::from_mins(30);
        let all: Vec<&Article> = outlets.iter().flat_map(|o| &o.articles).collect();
        assert!(all.iter().all(|a| a.published < evening));
        assert!(all.iter().filter(|a| a.published < slot).count() >= 40);
        assert!(all.iter().filter(|a| a.published > slot).count() >= 10);
        for o in &outlets {
            assert!(
                o.articles
                    .windows(2)
                    .all(|w| w[0].published >= w[1].published)
            );
        }
    }

    #[test]
    fn each_story_is_covered_by_distinct_outlets() {
        let slot: Timestamp = "2026-11-29T06:30:00Z".parse().unwrap();
        let mut seen = std::collections::HashSet::new();
        for outlet in outlets(slot) {
            for a in &outlet.articles {
                assert!(
                    seen.insert((a.item.story.clone(), outlet.site.clone())),
                    "{} covers {} twice",
                    outlet.site,
                    a.item.story
                );
            }
        }
        let stories: std::collections::HashSet<_> = seen.iter().map(|(s, _)| s).collect();
        assert!(stories.len() >= 10);
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            slug("Magnitude-6. 1 quake hits Indonesia; 1 dead"),
            "magnitude-6-1-quake-hits-indonesia-1-dead"
        );
        assert_eq!(slug("L'été à Pékin"), "l-ete-a-pekin");
    }
}
