//! `gazette bench pipeline FILE.jsonl…`: the whole path from articles to an
//! edition, on a mixed stream of labelled articles, with a check of the ranking.
//!
//! The shared clustering sets (`{"title","text","lang"?,"source"?,"story"}` a
//! line) are laid out in time before a morning slot: each gold story gets a
//! start between 2 and 48 hours (`--span-hours`) before the slot and a duration, both derived
//! from a hash of its label, and its articles are spread over that span in
//! file order. An article without a `source` is attributed to one of a few
//! invented outlets (hash of its title). The articles go into a temporary
//! SQLite store in time order, are grouped by the real clusterer
//! (`pipeline::group_articles`), and the channel's edition is composed as
//! `gazette edition preview` does it.
//!
//! The check: the gold labels (never shown to the pipeline) give each gold
//! story with an article in the edition's 24-hour window its distinct outlets
//! up to the slot (as the `outlets` signal counts them) and its
//! articles of the last six hours. The edition's stories are printed with
//! their signals next to the gold story they stand for and that story's rank
//! by outlets; the figure is how many of the edition's stories are among the
//! gold stories with the most outlets (ties included).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use gazette_core::config::{RawChannel, RawConfig};
use gazette_core::{ArticleContent, NewArticle, NewSource, SourceId, Store};
use gazette_store::SqliteStore;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::cli::TextOrJson;
use crate::pipeline;
use crate::usage;

/// Outlets invented for articles that name none.
const INVENTED_OUTLETS: u64 = 10;
/// The edition's lookback.
const LOOKBACK_HOURS: i64 = 24;
/// What "fresh growth" counts: articles of the last hours before the slot.
const FRESH_HOURS: i64 = 6;

#[derive(Debug, Deserialize)]
struct Line {
    title: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    source: Option<String>,
    story: String,
}

struct Placed {
    line: Line,
    gold: String,
    outlet: String,
    time: Timestamp,
}

#[derive(Debug, Serialize)]
struct GoldStory {
    label: String,
    outlets: usize,
    fresh_articles: usize,
    /// Among the gold stories with an article in the window, 1 for the one with
    /// the most outlets (ties share a rank); 0 when it has none in the window.
    rank_by_outlets: usize,
}

#[derive(Debug, Serialize)]
struct PickedStory {
    title: String,
    score: f64,
    outlets: u32,
    articles: u32,
    languages: Vec<String>,
    signals: Vec<gazette_core::Signal>,
    summary: Vec<String>,
    key_quote: Option<String>,
    /// The gold story most of its articles belong to.
    gold: Option<GoldStory>,
}

#[derive(Debug, Serialize)]
struct PipelineBench {
    articles: usize,
    gold_stories: usize,
    stories_formed: usize,
    /// Inserting the articles and grouping them into stories.
    ingest_s: f64,
    articles_per_sec: f64,
    compose_ms: f64,
    edition: Vec<PickedStory>,
    /// Edition stories whose gold story is among the top `edition.len()` gold
    /// stories by outlets in the window (ties included).
    in_gold_top: usize,
}

/// FNV-1a: a stable hash, the same on every machine and run.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn read_lines(path: &Path) -> anyhow::Result<Vec<Line>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line).map_err(|e| {
            usage!(
                "{}, line {}: {e} (expected {{\"title\", \"text\", \"story\", \"source\"?}})",
                path.display(),
                n + 1
            )
        })?;
        lines.push(parsed);
    }
    Ok(lines)
}

/// Lays the articles out in time before `slot` (see the module documentation).
fn place(files: Vec<(PathBuf, Vec<Line>)>, slot: Timestamp, span_hours: i64) -> Vec<Placed> {
    let mut by_story: BTreeMap<String, Vec<Line>> = BTreeMap::new();
    for (path, lines) in files {
        let set = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for line in lines {
            by_story
                .entry(format!("{set}/{}", line.story))
                .or_default()
                .push(line);
        }
    }
    let mut placed = Vec::new();
    for (gold, lines) in by_story {
        let h = fnv(&gold);
        let start_min = 120 + (h % ((span_hours as u64 - 2) * 60)) as i64;
        let duration_min = ((h >> 20) % start_min as u64) as i64;
        let n = lines.len() as i64;
        for (j, line) in lines.into_iter().enumerate() {
            let offset = if n > 1 {
                duration_min * j as i64 / (n - 1)
            } else {
                0
            };
            let time = slot - SignedDuration::from_mins(start_min - offset);
            let outlet = match &line.source {
                Some(s) if !s.is_empty() => s.clone(),
                _ => format!("outlet{}.example", fnv(&line.title) % INVENTED_OUTLETS),
            };
            placed.push(Placed {
                line,
                gold: gold.clone(),
                outlet,
                time,
            });
        }
    }
    placed.sort_by_key(|p| p.time);
    placed
}

fn gold_stories(placed: &[Placed], slot: Timestamp) -> HashMap<String, GoldStory> {
    let window = slot - SignedDuration::from_hours(LOOKBACK_HOURS);
    let fresh = slot - SignedDuration::from_hours(FRESH_HOURS);
    // A story counts all its outlets so far, as the edition's `outlets` signal
    // does for a story that began before the window; only the stories with an
    // article in the window are ranked.
    let in_window: BTreeSet<&str> = placed
        .iter()
        .filter(|p| p.time >= window)
        .map(|p| p.gold.as_str())
        .collect();
    let mut outlets: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut recent: HashMap<&str, usize> = HashMap::new();
    for p in placed {
        outlets.entry(&p.gold).or_default().insert(&p.outlet);
        if p.time >= fresh {
            *recent.entry(&p.gold).or_default() += 1;
        }
    }
    let counts: Vec<usize> = in_window.iter().map(|g| outlets[g].len()).collect();
    outlets
        .iter()
        .map(|(label, o)| {
            let rank = if in_window.contains(label) {
                1 + counts.iter().filter(|&&c| c > o.len()).count()
            } else {
                0
            };
            (
                (*label).to_owned(),
                GoldStory {
                    label: (*label).to_owned(),
                    outlets: o.len(),
                    fresh_articles: recent.get(label).copied().unwrap_or(0),
                    rank_by_outlets: rank,
                },
            )
        })
        .collect()
}

pub async fn run(files: &[PathBuf], span_hours: u32, format: TextOrJson) -> anyhow::Result<()> {
    if span_hours < 3 {
        return Err(usage!("--span-hours must be at least 3"));
    }
    let mut sets = Vec::new();
    for path in files {
        sets.push((path.clone(), read_lines(path)?));
    }
    let slot: Timestamp = "2026-01-15T06:30:00Z".parse().expect("valid instant");
    let placed = place(sets, slot, i64::from(span_hours));
    if placed.is_empty() {
        return Err(usage!("no articles in the given files"));
    }
    let gold = gold_stories(&placed, slot);

    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let store = SqliteStore::open(&dir.path().join("bench.db"))?;
    let config = RawConfig {
        channels: vec![RawChannel {
            name: Some("bench".into()),
            timezone: Some("UTC".into()),
            schedule: Some(vec!["06:30".into()]),
            lookback: Some(format!("{LOOKBACK_HOURS}h")),
            size: Some(8),
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate()?;
    let channel = &config.channels[0];

    let started = Instant::now();
    let mut sources: HashMap<String, SourceId> = HashMap::new();
    let mut gold_of_url: HashMap<String, String> = HashMap::new();
    // Kept from one pass to the next, as `gazette run` keeps it.
    let mut grouping = pipeline::GroupState::default();
    for (i, p) in placed.iter().enumerate() {
        let source = match sources.get(&p.outlet) {
            Some(id) => *id,
            None => {
                let new = NewSource {
                    url: format!("https://{}/feed.xml", p.outlet).parse()?,
                    title: Some(p.outlet.clone()),
                    site_url: None,
                };
                let id = store.add_source(&new, p.time).await?.0.id;
                sources.insert(p.outlet.clone(), id);
                id
            }
        };
        let url = format!("https://{}/articles/{i}", p.outlet);
        gold_of_url.insert(url.clone(), p.gold.clone());
        let article = NewArticle {
            source_id: source,
            entry_id: None,
            url: url.parse()?,
            outlet: p.outlet.clone(),
            title: p.line.title.clone(),
            discovered_at: p.time,
            content: ArticleContent {
                title: Some(p.line.title.clone()),
                published: Some(p.time),
                lang: p.line.lang.clone(),
                text: p.line.text.clone().unwrap_or_default(),
                ..Default::default()
            },
        };
        store.insert_article(&article).await?;
        // Grouped as they arrive, in small batches, as `gazette run` does between polls.
        if i % 50 == 49 {
            pipeline::group_articles_locked(&store, &config, p.time, None, &mut grouping).await?;
        }
    }
    pipeline::group_articles_locked(&store, &config, slot, None, &mut grouping).await?;
    let ingest_s = started.elapsed().as_secs_f64();
    let stories_formed = store
        .stories_since(slot - SignedDuration::from_hours(96))
        .await?
        .len();

    let slot_zoned = gazette_editions::latest_slot(channel, slot);
    let t = Instant::now();
    let window = pipeline::load_window(&store, channel, &slot_zoned, slot).await?;
    let edition =
        pipeline::compose_from_window(&store, &config, channel, &window, &slot_zoned, slot).await?;
    let compose_ms = t.elapsed().as_secs_f64() * 1000.0;

    let members: HashMap<_, _> = window.stories.iter().map(|s| (s.id, s)).collect();
    let mut picked = Vec::new();
    for story in edition.map(|e| e.stories).unwrap_or_default() {
        let mut votes: HashMap<&str, usize> = HashMap::new();
        if let Some(s) = members.get(&story.story_id) {
            for m in &s.members {
                if let Some(g) = gold_of_url.get(m.url.as_str()) {
                    *votes.entry(g).or_default() += 1;
                }
            }
        }
        let majority = votes
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)));
        let gold = majority.and_then(|(g, _)| gold.get(g)).map(|g| GoldStory {
            label: g.label.clone(),
            outlets: g.outlets,
            fresh_articles: g.fresh_articles,
            rank_by_outlets: g.rank_by_outlets,
        });
        picked.push(PickedStory {
            title: story.title,
            score: story.score,
            outlets: story.outlet_count,
            articles: story.article_count,
            languages: story.languages,
            signals: story.signals,
            summary: story.summary,
            key_quote: story
                .key_quote
                .map(|q| format!("« {} » ({})", q.text, q.speaker.unwrap_or_default())),
            gold,
        });
    }
    let n = picked.len();
    let in_gold_top = picked
        .iter()
        .filter(|p| {
            p.gold
                .as_ref()
                .is_some_and(|g| g.rank_by_outlets >= 1 && g.rank_by_outlets <= n)
        })
        .count();
    let report = PipelineBench {
        articles: placed.len(),
        gold_stories: gold.len(),
        stories_formed,
        ingest_s,
        articles_per_sec: placed.len() as f64 / ingest_s,
        compose_ms,
        edition: picked,
        in_gold_top,
    };
    match format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        TextOrJson::Text => print_text(&report),
    }
    Ok(())
}

fn print_text(r: &PipelineBench) {
    println!(
        "{} articles of {} gold stories → {} stories; stored and grouped in {:.2} s ({:.0} articles/s); edition composed in {:.1} ms",
        r.articles, r.gold_stories, r.stories_formed, r.ingest_s, r.articles_per_sec, r.compose_ms
    );
    for (i, s) in r.edition.iter().enumerate() {
        println!(
            "\n{}. {}  (score {:.2}; {} outlets, {} articles, {})",
            i + 1,
            s.title,
            s.score,
            s.outlets,
            s.articles,
            s.languages.join(" ")
        );
        for signal in &s.signals {
            println!(
                "     {:<10} {:+6.2}  {}",
                signal.name, signal.contribution, signal.reason
            );
        }
        for sentence in &s.summary {
            println!("     > {sentence}");
        }
        if let Some(q) = &s.key_quote {
            println!("     quote: {q}");
        }
        match &s.gold {
            Some(g) if g.rank_by_outlets == 0 => println!(
                "     gold {}: {} outlets, no article in the window",
                g.label, g.outlets
            ),
            Some(g) => println!(
                "     gold {}: {} outlets (rank {}), {} articles in the last {FRESH_HOURS} h",
                g.label, g.outlets, g.rank_by_outlets, g.fresh_articles
            ),
            None => println!("     gold: none"),
        }
    }
    println!(
        "\n{} of the edition's {} stories are among the {} gold stories with the most outlets (ties included)",
        r.in_gold_top,
        r.edition.len(),
        r.edition.len()
    );
}
