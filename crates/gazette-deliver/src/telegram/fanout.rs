//! Queueing editions for the bot's subscribers, each at their own times.
//!
//! The channel composes its editions on its own schedule. A subscriber
//! receives the editions they chose (`/editions morning|evening|both`, by the
//! edition's label: a slot before noon is the morning edition) at their own
//! local times (`/time`, `/timezone`), or, by default, when the channel
//! composes them. At each of their delivery times, the latest edition with
//! that label from the previous 24 hours is queued for them, filtered and in
//! their language ([`filter`]).
//!
//! [`queue_subscribers`] runs after each composing pass, with the same `now`,
//! so an edition composed for a slot is there when the subscribers whose time
//! is that slot are served. It records how far each subscriber was served
//! (`served_until`) after queueing; queueing is idempotent (one outbox row per
//! edition, sink, chat and part), so a crash between the two queues nothing
//! twice. Subscribers with the same edition, language, topics and mutes share
//! one rendering.

use std::collections::HashMap;

use gazette_core::config::{ChannelConfig, SinkConfig};
use gazette_core::{Edition, EditionChoice, NewDelivery, Store, Subscriber};
use gazette_editions::Renderer;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::filter;
use crate::{DeliverError, sink_key};

/// Delivery times further back than this are not caught up (after downtime).
const CATCH_UP: SignedDuration = SignedDuration::from_hours(26);
/// An edition is delivered at a subscriber's time up to this long after its slot.
const FRESH: SignedDuration = SignedDuration::from_hours(24);
/// Outbox rows stored per call to the store.
const ROWS_PER_WRITE: usize = 10_000;

/// An edition's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Morning,
    Evening,
}

impl Label {
    /// The label of an edition for `slot`: morning before noon local time.
    pub fn of(slot: &jiff::Zoned) -> Label {
        if slot.hour() < 12 {
            Label::Morning
        } else {
            Label::Evening
        }
    }

    fn wanted_by(self, choice: EditionChoice) -> bool {
        matches!(
            (self, choice),
            (_, EditionChoice::Both)
                | (Label::Morning, EditionChoice::Morning)
                | (Label::Evening, EditionChoice::Evening)
        )
    }
}

/// What makes subscribers' editions differ: (edition index, language, sorted
/// topics, sorted mutes). Subscribers with the same variant share a rendering.
type Variant = (usize, String, Vec<String>, Vec<String>);

/// What [`queue_subscribers`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FanoutReport {
    /// Subscribers with a delivery time in the pass.
    pub due: usize,
    /// Subscribers an edition was queued for.
    pub served: usize,
    /// Outbox rows created.
    pub rows: usize,
    /// Distinct renderings (edition, language, topics, mutes).
    pub renderings: usize,
}

/// The name of the channel's sink that serves the bot's subscribers, if any.
pub fn subscriber_sink(channel: &ChannelConfig) -> Option<&str> {
    channel.sinks.iter().find_map(|s| match s {
        SinkConfig::Telegram {
            name,
            subscribers: true,
            ..
        } => Some(name.as_str()),
        _ => None,
    })
}

/// A subscriber's time zone, or the channel's when theirs is unset or unknown.
pub fn subscriber_zone(subscriber: &Subscriber, channel: &ChannelConfig) -> TimeZone {
    subscriber
        .timezone
        .as_deref()
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or_else(|| channel.timezone.clone())
}

/// The local times of a subscriber's deliveries with their labels: their own
/// morning or evening time, or else the channel's schedule times of that label.
pub fn delivery_times(subscriber: &Subscriber, channel: &ChannelConfig) -> Vec<(Time, Label)> {
    let mut times = Vec::new();
    for (label, own) in [
        (Label::Morning, subscriber.morning),
        (Label::Evening, subscriber.evening),
    ] {
        if !label.wanted_by(subscriber.editions) {
            continue;
        }
        match own {
            Some(t) => times.push((t, label)),
            None => times.extend(
                channel
                    .schedule
                    .iter()
                    .filter(|t| (t.hour() < 12) == (label == Label::Morning))
                    .map(|t| (*t, label)),
            ),
        }
    }
    times
}

/// The subscriber's delivery instants in `(from, to]`, oldest first.
fn instants(
    times: &[(Time, Label)],
    zone: &TimeZone,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, Label)> {
    let mut out = Vec::new();
    let Ok(first) = from.to_zoned(zone.clone()).date().checked_sub(1.day()) else {
        return out;
    };
    let last = to.to_zoned(zone.clone()).date();
    for date in first.series(1.day()).take_while(|d| *d <= last) {
        for (time, label) in times {
            // Local times in a DST gap move forward, in a fold take the first instant.
            if let Ok(zoned) = date.to_datetime(*time).to_zoned(zone.clone()) {
                let at = zoned.timestamp();
                if at > from && at <= to {
                    out.push((at, *label));
                }
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// Queues, for every active subscriber with a delivery time in
/// `(served_until, now]`, the edition due then (see the [module docs](self)),
/// through the channel's subscriber sink, and advances their `served_until`.
/// Does nothing when the channel has no such sink.
pub async fn queue_subscribers(
    store: &dyn Store,
    renderer: &Renderer,
    channel: &ChannelConfig,
    now: Timestamp,
) -> Result<FanoutReport, DeliverError> {
    let mut report = FanoutReport::default();
    let Some(sink_name) = subscriber_sink(channel) else {
        return Ok(report);
    };
    let key = sink_key(&channel.name, sink_name);
    let editions = store
        .editions_since(&channel.name, now - CATCH_UP - FRESH)
        .await?;
    let subscribers = store.active_subscribers().await?;
    let mut groups: HashMap<Variant, Vec<i64>> = HashMap::new();
    let mut served = Vec::new();
    for subscriber in &subscribers {
        let since = subscriber
            .served_until
            .unwrap_or(subscriber.created_at)
            .max(now - CATCH_UP);
        let times = delivery_times(subscriber, channel);
        let zone = subscriber_zone(subscriber, channel);
        let due = instants(&times, &zone, since, now);
        if due.is_empty() {
            continue;
        }
        report.due += 1;
        served.push(subscriber.chat_id);
        let mut queued = false;
        for (at, label) in due {
            if let Some(index) = edition_due(&editions, label, at) {
                let mut topics = subscriber.topics.clone();
                topics.sort();
                let mut mutes = subscriber.mutes.clone();
                mutes.sort();
                groups
                    .entry((index, subscriber.lang.clone(), topics, mutes))
                    .or_default()
                    .push(subscriber.chat_id);
                queued = true;
            }
        }
        report.served += usize::from(queued);
    }
    let mut rows = Vec::new();
    for ((index, lang, topics, mutes), chats) in groups {
        let edition = &editions[index];
        let Some(variant) = filter::for_subscriber(&edition.edition, &lang, &topics, &mutes) else {
            continue;
        };
        let rendered = renderer
            .render(&variant, &channel.title, gazette_core::Format::Telegram)
            .map_err(|source| DeliverError::Render {
                edition: edition.id,
                sink: key.clone(),
                source,
            })?;
        report.renderings += 1;
        for chat in chats {
            for (part, body) in (0..).zip(&rendered.parts) {
                rows.push(NewDelivery {
                    edition_id: edition.id,
                    sink: key.clone(),
                    recipient: chat.to_string(),
                    part,
                    body: body.clone(),
                });
            }
        }
    }
    // Keep each subscriber's parts together and in order, oldest edition first.
    rows.sort_by(|a, b| {
        (a.edition_id, &a.recipient, a.part).cmp(&(b.edition_id, &b.recipient, b.part))
    });
    for chunk in rows.chunks(ROWS_PER_WRITE) {
        report.rows += store.enqueue_deliveries(chunk, now).await?;
    }
    store.set_subscribers_served(&served, now).await?;
    if report.due > 0 {
        tracing::info!(channel = %channel.name, due = report.due, served = report.served,
            rows = report.rows, renderings = report.renderings, "editions queued for subscribers");
    }
    Ok(report)
}

/// The index of the latest edition labelled `label` whose slot is at or
/// before `at` and less than [`FRESH`] before it.
fn edition_due(editions: &[Edition], label: Label, at: Timestamp) -> Option<usize> {
    editions
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let slot = e.edition.slot.timestamp();
            Label::of(&e.edition.slot) == label && slot <= at && at - FRESH < slot
        })
        .max_by_key(|(_, e)| e.edition.slot.timestamp())
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use gazette_core::config::RawConfig;

    use super::*;

    fn channel() -> ChannelConfig {
        let raw: RawConfig = serde_json::from_value(serde_json::json!({
            "channels": [{"name": "briefing", "timezone": "Europe/Paris",
                          "schedule": ["07:30", "19:00"]}]
        }))
        .unwrap();
        raw.validate().unwrap().channels.remove(0)
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn default_times_are_the_channels_slots() {
        let sub = Subscriber::new(1, "en", ts("2026-01-14T00:00:00Z"));
        let ch = channel();
        let times = delivery_times(&sub, &ch);
        let got = instants(
            &times,
            &subscriber_zone(&sub, &ch),
            ts("2026-01-15T00:00:00Z"),
            ts("2026-01-16T00:00:00Z"),
        );
        assert_eq!(
            got,
            [
                (ts("2026-01-15T06:30:00Z"), Label::Morning),
                (ts("2026-01-15T18:00:00Z"), Label::Evening)
            ]
        );
    }

    #[test]
    fn own_times_and_zone_and_choice() {
        let mut sub = Subscriber::new(1, "en", ts("2026-01-14T00:00:00Z"));
        sub.timezone = Some("Asia/Tokyo".into());
        sub.morning = Some(jiff::civil::time(7, 0, 0, 0));
        sub.editions = EditionChoice::Morning;
        let ch = channel();
        let got = instants(
            &delivery_times(&sub, &ch),
            &subscriber_zone(&sub, &ch),
            ts("2026-01-15T00:00:00Z"),
            ts("2026-01-16T00:00:00Z"),
        );
        // 07:00 in Tokyo is 22:00 UTC the day before.
        assert_eq!(got, [(ts("2026-01-15T22:00:00Z"), Label::Morning)]);
    }
}
