//! `gazette edition preview|send CHANNEL`.

use gazette_core::Format;
use gazette_core::config::ChannelConfig;
use gazette_editions::Renderer;
use jiff::civil::{DateTime, Time};
use jiff::{Timestamp, Zoned};

use crate::app::App;
use crate::cli::{EditionArgs, EditionCommand, EditionFormat};
use crate::{pipeline, usage};

pub async fn run(app: &App, cmd: EditionCommand) -> anyhow::Result<()> {
    match cmd {
        EditionCommand::Preview(args) => preview(app, args).await,
        EditionCommand::Send(args) => send(app, args).await,
    }
}

async fn preview(app: &App, args: EditionArgs) -> anyhow::Result<()> {
    let channel = app.channel(&args.channel)?;
    let now = Timestamp::now();
    let slot = slot_for(channel, args.at.as_deref(), now)?;
    let stored = app
        .store
        .edition_for_slot(&channel.name, slot.timestamp())
        .await?;
    let edition = match stored {
        Some(e) => Some(e.edition),
        None => {
            pipeline::compose_edition(app.store.as_ref(), &app.config, channel, &slot, now).await?
        }
    };
    let Some(edition) = edition else {
        eprintln!(
            "no edition for {} at {slot}: fewer than {} stories in the window (a quiet period)",
            channel.name, channel.min_stories
        );
        return Ok(());
    };
    let renderer = Renderer::new(None)?;
    let rendered = renderer.render(&edition, &channel.title, format(args.format))?;
    print_parts(&rendered.parts);
    Ok(())
}

async fn send(app: &App, args: EditionArgs) -> anyhow::Result<()> {
    let channel = app.channel(&args.channel)?;
    if channel.sinks.is_empty() {
        return Err(usage!(
            "channel {:?} has no sinks: add [[channels.sinks]] to the configuration",
            channel.name
        ));
    }
    let now = Timestamp::now();
    let slot = slot_for(channel, args.at.as_deref(), now)?;
    let Some(edition) =
        pipeline::edition_for_slot(app.store.as_ref(), &app.config, channel, &slot, now).await?
    else {
        eprintln!(
            "no edition for {} at {slot}: fewer than {} stories in the window (a quiet period)",
            channel.name, channel.min_stories
        );
        return Ok(());
    };
    let renderer = Renderer::new(None)?;
    let queued =
        gazette_deliver::queue_edition(app.store.as_ref(), &renderer, channel, &edition, now)
            .await?;
    let subscribers =
        gazette_deliver::telegram::queue_subscribers(app.store.as_ref(), &renderer, channel, now)
            .await?;
    let outbox = super::telegram::outbox(app, super::telegram::context(app)?)?;
    let report = outbox.run_once(app.store.as_ref(), now).await?;
    eprintln!(
        "edition {} of {} for {slot}: {} stories, {queued} parts queued, {} for subscribers; {report:?}",
        edition.id,
        channel.name,
        edition.edition.stories.len(),
        subscribers.rows
    );
    Ok(())
}

fn format(f: EditionFormat) -> Format {
    match f {
        EditionFormat::Text => Format::Text,
        EditionFormat::Json => Format::Json,
        EditionFormat::Telegram => Format::Telegram,
        EditionFormat::Html => Format::Html,
        EditionFormat::Email => Format::Email,
        EditionFormat::Atom => Format::Atom,
    }
}

/// Prints rendered parts; several parts (Telegram messages) are numbered.
pub fn print_parts(parts: &[String]) {
    if parts.len() == 1 {
        println!("{}", parts[0]);
        return;
    }
    for (i, part) in parts.iter().enumerate() {
        println!("----- part {}/{} -----\n{part}", i + 1, parts.len());
    }
}

/// The slot whose edition is due at `at` (default: now), in the channel's zone.
fn slot_for(channel: &ChannelConfig, at: Option<&str>, now: Timestamp) -> anyhow::Result<Zoned> {
    let at = match at {
        None => now,
        Some(text) => parse_at(channel, text, now)?,
    };
    Ok(gazette_editions::latest_slot(channel, at))
}

/// RFC 3339, a local date-time, or a local time today, in the channel's zone.
fn parse_at(channel: &ChannelConfig, text: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    let tz = &channel.timezone;
    let local = if let Ok(dt) = text.parse::<DateTime>() {
        dt
    } else if let Ok(t) = text.parse::<Time>() {
        now.to_zoned(tz.clone()).date().to_datetime(t)
    } else {
        return Err(usage!(
            "--at: expected 2026-11-29T07:30:00+01:00, 2026-11-29T07:30 or 07:30, found {text:?}"
        ));
    };
    Ok(local
        .to_zoned(tz.clone())
        .map_err(|e| {
            usage!(
                "--at: {text:?} does not exist in {}: {e}",
                channel.timezone_name
            )
        })?
        .timestamp())
}
