//! `gazette stories`: stories with their articles, outlets and languages, best
//! first; `--explain` shows what each ranking signal contributes.

use gazette_core::{RankedStory, Signal, Story, StoryMember};
use jiff::Timestamp;
use serde::Serialize;

use super::{count, parse_period, relative};
use crate::app::App;
use crate::cli::{StoriesArgs, TextOrJson};
use crate::pipeline;

#[derive(Serialize)]
struct StoryOut<'a> {
    id: i64,
    title: &'a str,
    score: f64,
    signals: &'a [Signal],
    summary: &'a [String],
    outlets: Vec<&'a str>,
    languages: Vec<&'a str>,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    articles: &'a [StoryMember],
}

pub async fn run(app: &App, args: StoriesArgs) -> anyhow::Result<()> {
    let period = parse_period("--since", &args.since)?;
    let channel = match &args.channel {
        Some(name) => Some(app.channel(name)?),
        None => None,
    };
    let now = Timestamp::now();
    let stories = app.store.stories_since(now - period).await?;
    let context = pipeline::rank_context(&app.config.ranking, channel);
    let ranked =
        pipeline::rank_stories(app.store.as_ref(), &stories, &context, now, args.limit).await?;
    let by_id: std::collections::HashMap<_, &Story> = stories.iter().map(|s| (s.id, s)).collect();
    let out: Vec<StoryOut<'_>> = ranked
        .iter()
        .map(|r| story_out(r, by_id[&r.story_id]))
        .collect();
    match args.format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        TextOrJson::Text => print_text(&out, &args, now),
    }
    Ok(())
}

fn story_out<'a>(ranked: &'a RankedStory, story: &'a Story) -> StoryOut<'a> {
    StoryOut {
        id: story.id.0,
        title: &story.title,
        score: ranked.score,
        signals: &ranked.signals,
        summary: &ranked.summary,
        outlets: story.outlets().into_iter().collect(),
        languages: story.languages().into_iter().collect(),
        first_seen: story.first_seen(),
        last_seen: story.last_seen(),
        articles: &story.members,
    }
}

fn print_text(out: &[StoryOut<'_>], args: &StoriesArgs, now: Timestamp) {
    if out.is_empty() {
        println!(
            "no stories since {} (run `gazette ingest --once` first)",
            args.since
        );
    }
    for s in out {
        println!(
            "#{} {}\n    score {:.2}: {}, {}, {}; last {}",
            s.id,
            s.title,
            s.score,
            count(s.outlets.len(), "outlet", "outlets"),
            count(s.articles.len(), "article", "articles"),
            s.languages.join(" "),
            s.last_seen.map_or_else(String::new, |t| relative(t, now)),
        );
        if args.explain {
            for signal in s.signals {
                println!(
                    "      {:<10} {:+6.2}  {}",
                    signal.name, signal.contribution, signal.reason
                );
            }
            for sentence in s.summary {
                println!("      > {sentence}");
            }
        }
        for a in s.articles {
            println!("    - [{}] {} <{}>", a.outlet, a.title, a.url);
        }
    }
}
