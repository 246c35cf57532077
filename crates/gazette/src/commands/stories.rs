//! `gazette stories`: stories with their articles, outlets and languages, best first.

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
    outlets: Vec<&'a str>,
    languages: Vec<&'a str>,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    articles: &'a [gazette_core::StoryMember],
}

pub async fn run(app: &App, args: StoriesArgs) -> anyhow::Result<()> {
    let period = parse_period("--since", &args.since)?;
    let now = Timestamp::now();
    let since = now - period;
    let stories = pipeline::stories_with_articles(app.store.as_ref(), since).await?;
    let ranked = pipeline::rank(&stories, now);
    let by_id: std::collections::HashMap<_, _> = stories.iter().map(|(s, _)| (s.id, s)).collect();
    let out: Vec<StoryOut<'_>> = ranked
        .iter()
        .filter_map(|r| {
            let story = by_id.get(&r.story_id)?;
            Some(StoryOut {
                id: story.id.0,
                title: &story.title,
                score: r.score,
                outlets: story.outlets().into_iter().collect(),
                languages: story.languages().into_iter().collect(),
                first_seen: story.first_seen(),
                last_seen: story.last_seen(),
                articles: &story.members,
            })
        })
        .take(args.limit)
        .collect();
    match args.format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        TextOrJson::Text => {
            if out.is_empty() {
                println!(
                    "no stories since {} (run `gazette ingest --once` first)",
                    args.since
                );
            }
            for s in &out {
                println!(
                    "#{} {}\n    {}, {}, {}; last {}",
                    s.id,
                    s.title,
                    count(s.outlets.len(), "outlet", "outlets"),
                    count(s.articles.len(), "article", "articles"),
                    s.languages.join(" "),
                    s.last_seen.map_or_else(String::new, |t| relative(t, now)),
                );
                for a in s.articles {
                    println!("    - [{}] {} <{}>", a.outlet, a.title, a.url);
                }
            }
        }
    }
    Ok(())
}
