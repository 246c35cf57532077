//! `gazette demo`: the whole pipeline, offline, in well under a minute.
//!
//! 1. Serve the bundled corpus ([`corpus`]) as a small news web on 127.0.0.1 ([`server`]).
//! 2. Open a temporary SQLite store and add one feed per outlet.
//! 3. At the morning slot (07:30, Europe/Paris): ingest through the real fetch
//!    path (feeds, then every article page), group articles into stories, rank
//!    them and compose the morning edition.
//! 4. At the evening slot (19:00 the same day) the site has published the day's
//!    articles: poll again (conditional GET), group, compose the evening
//!    edition, which covers the day since the morning edition and repeats a
//!    morning story only if it developed (then marked as an update).
//!
//! The demo's clock is the latest morning slot: article publication times are
//! placed around it, and every step runs "at" its slot.

mod corpus;
mod server;

use anyhow::Context;
use gazette_core::config::{RawChannel, RawConfig, RawFetch};
use gazette_core::{Edition, Format, NewSource};
use gazette_editions::Renderer;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::app::App;
use crate::cli::{DemoArgs, DemoEdition, TextOrJson};
use crate::pipeline;
use crate::progress::Reporter;

const DEMO_TZ: &str = "Europe/Paris";
const MORNING: Time = Time::constant(7, 30, 0, 0);
const EVENING: Time = Time::constant(19, 0, 0, 0);

pub async fn run(args: DemoArgs, quiet: bool) -> anyhow::Result<()> {
    let tz = TimeZone::get(DEMO_TZ).context("the demo's time zone is missing")?;
    let morning = morning_slot(&tz, Timestamp::now())?;
    let evening = morning
        .date()
        .to_datetime(EVENING)
        .to_zoned(tz.clone())
        .context("the demo's evening slot")?;

    let outlets = corpus::outlets(morning.timestamp());
    let corpus_stories = outlets
        .iter()
        .flat_map(|o| o.articles.iter().map(|a| a.item.story.as_str()))
        .collect::<std::collections::HashSet<_>>()
        .len();
    let server = server::DemoServer::start(outlets, morning.timestamp())
        .await
        .context("cannot start the demo's local web server")?;
    let dir = tempfile::Builder::new()
        .prefix("gazette-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo's store")?;
    let config = RawConfig {
        data_dir: Some(dir.path().to_path_buf()),
        fetch: RawFetch {
            // The demo's news web is on 127.0.0.1.
            allow_private_networks: Some(true),
            per_host: Some(8),
            ..Default::default()
        },
        channels: vec![RawChannel {
            name: Some("demo".into()),
            title: Some("gazette demo".into()),
            timezone: Some(DEMO_TZ.into()),
            schedule: Some(vec!["07:30".into(), "19:00".into()]),
            size: Some(6),
            lang: Some("en".into()),
            lookback: Some("24h".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate()
    .context("the demo's configuration is invalid")?;
    let app = App::open(config).await?;
    for url in &server.feeds {
        let source = NewSource {
            url: url.clone(),
            title: None,
            site_url: None,
        };
        app.store.add_source(&source, morning.timestamp()).await?;
    }

    let progress = Reporter::new(quiet);
    let mut editions = Vec::new();
    let mut articles = 0;
    let wanted: &[&Zoned] = match args.edition {
        DemoEdition::Morning => &[&morning],
        DemoEdition::Evening | DemoEdition::Both => &[&morning, &evening],
    };
    for slot in wanted {
        let now = slot.timestamp();
        server.set_clock(now);
        let report = app.ingester()?.run_once(now, &progress).await?;
        articles += report.new_articles;
        pipeline::group_articles(app.store.as_ref(), &app.config, now).await?;
        let channel = app.channel("demo")?;
        let edition =
            pipeline::edition_for_slot(app.store.as_ref(), &app.config, channel, slot, now)
                .await?
                .with_context(|| format!("the demo corpus gave no edition at {slot}"))?;
        editions.push(edition);
    }
    let shown: Vec<&Edition> = match args.edition {
        DemoEdition::Morning => vec![&editions[0]],
        DemoEdition::Evening => vec![&editions[1]],
        DemoEdition::Both => editions.iter().collect(),
    };
    let channel = app.channel("demo")?;
    let renderer = Renderer::new(None)?;
    print_editions(&renderer, &shown, &channel.title, args.format)?;
    if !quiet {
        let stories = app
            .store
            .stories_since(morning.timestamp() - jiff::SignedDuration::from_hours(48))
            .await?
            .len();
        eprintln!(
            "demo: {} feeds served at {}, {articles} articles ingested, grouped into {stories} \
             stories (the corpus holds {corpus_stories})",
            server.feeds.len(),
            server.base,
        );
    }

    if args.serve {
        let html = renderer.render(&shown[0].edition, &channel.title, Format::Html)?;
        server.set_edition_page(html.parts.join("\n"));
        eprintln!(
            "serving the edition at {}edition (Ctrl-C to stop)",
            server.base
        );
        tokio::signal::ctrl_c().await?;
    }
    server.stop();
    Ok(())
}

/// Prints editions: text one after the other; JSON as one object, or an array.
fn print_editions(
    renderer: &Renderer,
    editions: &[&Edition],
    title: &str,
    format: TextOrJson,
) -> anyhow::Result<()> {
    let format = match format {
        TextOrJson::Text => Format::Text,
        TextOrJson::Json => Format::Json,
    };
    let rendered: Vec<String> = editions
        .iter()
        .map(|e| Ok(renderer.render(&e.edition, title, format)?.parts.join("\n")))
        .collect::<anyhow::Result<_>>()?;
    match (format, rendered.as_slice()) {
        (Format::Json, [one]) => println!("{}", one.trim_end()),
        (Format::Json, many) => println!(
            "[{}]",
            many.iter()
                .map(|s| s.trim_end())
                .collect::<Vec<_>>()
                .join(",\n")
        ),
        (_, parts) => println!("{}", parts.join("\n")),
    }
    Ok(())
}

/// The latest 07:30 in `tz` at or before `now`.
fn morning_slot(tz: &TimeZone, now: Timestamp) -> anyhow::Result<Zoned> {
    let local = now.to_zoned(tz.clone());
    let today = local.date().to_datetime(MORNING).to_zoned(tz.clone())?;
    Ok(if today.timestamp() <= now {
        today
    } else {
        local
            .date()
            .yesterday()?
            .to_datetime(MORNING)
            .to_zoned(tz.clone())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_morning_slot_is_today_after_0730_and_yesterday_before() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let after: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        let before: Timestamp = "2026-11-29T05:00:00Z".parse().unwrap();
        assert_eq!(
            morning_slot(&tz, after).unwrap().to_string(),
            "2026-11-29T07:30:00+01:00[Europe/Paris]"
        );
        assert_eq!(
            morning_slot(&tz, before).unwrap().to_string(),
            "2026-11-28T07:30:00+01:00[Europe/Paris]"
        );
    }
}
