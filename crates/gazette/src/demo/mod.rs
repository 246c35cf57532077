//! `gazette demo`: the whole pipeline, offline, in well under a minute.
//!
//! 1. Serve the bundled corpus ([`corpus`]) as a small news web on 127.0.0.1 ([`server`]).
//! 2. Open a temporary SQLite store and add one feed per outlet.
//! 3. Ingest through the real fetch path: feeds, then every article page.
//! 4. Group articles into stories, rank them, compose the morning edition and print it.
//!
//! The demo's clock is the latest morning slot (07:30, Europe/Paris): article
//! publication times are placed before it, and every step runs "at" that time.

mod corpus;
mod server;

use anyhow::Context;
use gazette_core::config::{RawChannel, RawConfig, RawFetch};
use gazette_core::{Format, NewSource};
use gazette_editions::Renderer;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::app::App;
use crate::cli::{DemoArgs, TextOrJson};
use crate::pipeline;
use crate::progress::Reporter;

const DEMO_TZ: &str = "Europe/Paris";
const MORNING: Time = Time::constant(7, 30, 0, 0);

pub async fn run(args: DemoArgs, quiet: bool) -> anyhow::Result<()> {
    let tz = TimeZone::get(DEMO_TZ).context("the demo's time zone is missing")?;
    let slot = morning_slot(&tz, Timestamp::now())?;
    let now = slot.timestamp();

    let outlets = corpus::outlets(now);
    let corpus_stories = outlets
        .iter()
        .flat_map(|o| o.articles.iter().map(|a| a.item.story.as_str()))
        .collect::<std::collections::HashSet<_>>()
        .len();
    let server = server::DemoServer::start(outlets)
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
        app.store.add_source(&source, now).await?;
    }
    let progress = Reporter::new(quiet);
    let report = app.ingester()?.run_once(now, &progress).await?;
    tracing::info!(?report, "demo ingest done");
    let grouped = pipeline::group_articles(app.store.as_ref(), &app.config.stories, now).await?;
    tracing::info!(?grouped, "demo grouping done");

    let channel = app.channel("demo")?;
    let edition = pipeline::edition_for_slot(app.store.as_ref(), channel, &slot, now)
        .await?
        .context("the demo corpus gave no edition")?;
    let renderer = Renderer::new(None)?;
    let format = match args.format {
        TextOrJson::Text => Format::Text,
        TextOrJson::Json => Format::Json,
    };
    let rendered = renderer.render(&edition.edition, &channel.title, format)?;
    println!("{}", rendered.parts.join("\n"));
    if !quiet {
        eprintln!(
            "demo: {} feeds served at {}, {} articles ingested, grouped into {} stories \
             (the corpus holds {corpus_stories}); edition of {slot}",
            server.feeds.len(),
            server.base,
            report.new_articles,
            grouped.new_stories,
        );
    }

    if args.serve {
        let html = renderer.render(&edition.edition, &channel.title, Format::Html)?;
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
