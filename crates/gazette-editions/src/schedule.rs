//! Edition schedules: when a channel's editions are due.
//!
//! A channel lists local times (`["07:30", "19:00"]`) in its time zone; each
//! time on each local date is a *slot*. Slots are [`Zoned`] values so that the
//! edition knows the reader's wall clock, and they are compared by instant.
//!
//! Local times that do not exist or exist twice are resolved the way RFC 5545
//! and `jiff`'s `compatible` strategy do, so every scheduled time gives exactly
//! one instant per day:
//! - in a spring-forward gap, the slot moves forward by the length of the gap
//!   (`02:30` on the day Paris jumps from 02:00 to 03:00 is `03:30+02:00`);
//! - in an autumn fold, the slot is the first of the two instants
//!   (`02:30` on the day Paris goes back from 03:00 to 02:00 is `02:30+02:00`).
//!
//! Two scheduled times that resolve to the same instant make one slot.
//!
//! ```
//! use gazette_core::config::RawConfig;
//! use gazette_editions::schedule::{latest_slot, next_slot};
//! let raw: RawConfig = serde_json::from_str(r#"{"channels": [{
//!     "name": "briefing", "timezone": "Europe/Paris", "schedule": ["07:30", "19:00"]
//! }]}"#).unwrap();
//! let channel = &raw.validate().unwrap().channels[0];
//! let now: jiff::Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
//! assert_eq!(latest_slot(channel, now).to_string(), "2026-01-15T07:30:00+01:00[Europe/Paris]");
//! assert_eq!(next_slot(channel, now).to_string(), "2026-01-15T19:00:00+01:00[Europe/Paris]");
//! ```

use gazette_core::config::ChannelConfig;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, Zoned};

/// How many local days around an instant are searched for slots. Two days
/// cover every real-world offset change (the largest, Samoa's, skipped one day).
const MARGIN_DAYS: i32 = 2;

/// The most recent slot at or before `now` in the channel's time zone.
///
/// # Panics
/// Only when `now` is within days of the limits of `jiff`'s supported range.
pub fn latest_slot(channel: &ChannelConfig, now: Timestamp) -> Zoned {
    slots_around(channel, now, now)
        .into_iter()
        .rev()
        .find(|slot| slot.timestamp() <= now)
        .expect("a channel has at least one slot on every local day")
}

/// The first slot strictly after `now`.
///
/// # Panics
/// Only when `now` is within days of the limits of `jiff`'s supported range.
pub fn next_slot(channel: &ChannelConfig, now: Timestamp) -> Zoned {
    slots_around(channel, now, now)
        .into_iter()
        .find(|slot| slot.timestamp() > now)
        .expect("a channel has at least one slot on every local day")
}

/// Slots in `(from, to]`, oldest first. Empty when `to <= from`.
pub fn slots_between(channel: &ChannelConfig, from: Timestamp, to: Timestamp) -> Vec<Zoned> {
    if to <= from {
        return Vec::new();
    }
    slots_around(channel, from, to)
        .into_iter()
        .filter(|slot| slot.timestamp() > from && slot.timestamp() <= to)
        .collect()
}

/// A short label for a slot from its local hour: before noon `"morning"`
/// (`"du matin"` in French), from noon on `"evening"` (`"du soir"`).
/// Any language other than `fr` gets English.
pub fn slot_label(slot: &Zoned, lang: &str) -> &'static str {
    match (slot.hour() < 12, lang) {
        (true, "fr") => "du matin",
        (false, "fr") => "du soir",
        (true, _) => "morning",
        (false, _) => "evening",
    }
}

/// Every slot on the local dates from `MARGIN_DAYS` before `from` to
/// `MARGIN_DAYS` after `to`, ordered by instant, without duplicate instants.
///
/// Sorting is needed: a time in a gap moves forward and can overtake a later
/// scheduled time of the same day.
fn slots_around(channel: &ChannelConfig, from: Timestamp, to: Timestamp) -> Vec<Zoned> {
    let local_date = |t: Timestamp| t.to_zoned(channel.timezone.clone()).date();
    let first = shift(local_date(from), -MARGIN_DAYS);
    let last = shift(local_date(to), MARGIN_DAYS);
    let mut slots: Vec<Zoned> = first
        .series(1.day())
        .take_while(|date| *date <= last)
        .flat_map(|date| slots_on(channel, date))
        .collect();
    slots.sort_by_key(Zoned::timestamp);
    slots.dedup_by_key(|slot| slot.timestamp());
    slots
}

/// The channel's slots on one local date, in schedule order.
fn slots_on(channel: &ChannelConfig, date: Date) -> impl Iterator<Item = Zoned> + '_ {
    channel.schedule.iter().filter_map(move |&time| {
        channel
            .timezone
            .to_ambiguous_zoned(date.to_datetime(time))
            .compatible()
            .ok()
    })
}

/// `date` moved by `days`, clamped to the supported range.
fn shift(date: Date, days: i32) -> Date {
    date.checked_add(days.days()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use gazette_core::config::RawConfig;
    use jiff::Timestamp;

    use super::*;

    fn channel(timezone: &str, schedule: &[&str]) -> ChannelConfig {
        let raw: RawConfig = serde_json::from_value(serde_json::json!({
            "channels": [{ "name": "test", "timezone": timezone, "schedule": schedule }]
        }))
        .unwrap();
        raw.validate().unwrap().channels.remove(0)
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn strings(slots: &[Zoned]) -> Vec<String> {
        slots.iter().map(Zoned::to_string).collect()
    }

    #[test]
    fn latest_slot_is_at_or_before_now() {
        let ch = channel("Europe/Paris", &["07:30", "19:00"]);
        // 07:30 CET is 06:30Z: exactly on the slot counts.
        let at_slot = latest_slot(&ch, ts("2026-01-15T06:30:00Z"));
        assert_eq!(
            at_slot.to_string(),
            "2026-01-15T07:30:00+01:00[Europe/Paris]"
        );
        let before_first = latest_slot(&ch, ts("2026-01-15T06:29:59Z"));
        assert_eq!(
            before_first.to_string(),
            "2026-01-14T19:00:00+01:00[Europe/Paris]"
        );
    }

    #[test]
    fn next_slot_is_strictly_after_now() {
        let ch = channel("Europe/Paris", &["07:30", "19:00"]);
        let next = next_slot(&ch, ts("2026-01-15T06:30:00Z"));
        assert_eq!(next.to_string(), "2026-01-15T19:00:00+01:00[Europe/Paris]");
        let late = next_slot(&ch, ts("2026-01-15T22:00:00Z"));
        assert_eq!(late.to_string(), "2026-01-16T07:30:00+01:00[Europe/Paris]");
    }

    #[test]
    fn slots_between_is_half_open_and_ordered() {
        let ch = channel("UTC", &["07:30", "19:00"]);
        let slots = slots_between(&ch, ts("2026-01-15T07:30:00Z"), ts("2026-01-16T07:30:00Z"));
        assert_eq!(
            strings(&slots),
            [
                "2026-01-15T19:00:00+00:00[UTC]",
                "2026-01-16T07:30:00+00:00[UTC]"
            ]
        );
        assert!(
            slots_between(&ch, ts("2026-01-16T00:00:00Z"), ts("2026-01-15T00:00:00Z")).is_empty()
        );
    }

    #[test]
    fn spring_forward_gap_moves_the_slot_forward_once() {
        // Paris, 2026-03-29: 02:00 CET jumps to 03:00 CEST (at 01:00Z).
        let ch = channel("Europe/Paris", &["02:30", "07:30"]);
        let slots = slots_between(&ch, ts("2026-03-28T12:00:00Z"), ts("2026-03-30T12:00:00Z"));
        assert_eq!(
            strings(&slots),
            [
                "2026-03-29T03:30:00+02:00[Europe/Paris]",
                "2026-03-29T07:30:00+02:00[Europe/Paris]",
                "2026-03-30T02:30:00+02:00[Europe/Paris]",
                "2026-03-30T07:30:00+02:00[Europe/Paris]",
            ]
        );
        let latest = latest_slot(&ch, ts("2026-03-29T01:45:00Z"));
        assert_eq!(latest.timestamp(), ts("2026-03-29T01:30:00Z"));
        let next = next_slot(&ch, ts("2026-03-29T01:00:00Z"));
        assert_eq!(next.timestamp(), ts("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn gap_slot_that_overtakes_a_later_time_stays_in_instant_order() {
        // 02:45 in the Paris gap becomes 03:45, after the 03:15 slot.
        let ch = channel("Europe/Paris", &["02:45", "03:15"]);
        let slots = slots_between(&ch, ts("2026-03-29T00:00:00Z"), ts("2026-03-29T02:00:00Z"));
        assert_eq!(
            strings(&slots),
            [
                "2026-03-29T03:15:00+02:00[Europe/Paris]",
                "2026-03-29T03:45:00+02:00[Europe/Paris]",
            ]
        );
    }

    #[test]
    fn two_times_landing_on_one_instant_make_one_slot() {
        // 02:30 in the gap moves to 03:30, which is also scheduled.
        let ch = channel("Europe/Paris", &["02:30", "03:30"]);
        let slots = slots_between(&ch, ts("2026-03-29T00:00:00Z"), ts("2026-03-29T03:00:00Z"));
        assert_eq!(strings(&slots), ["2026-03-29T03:30:00+02:00[Europe/Paris]"]);
    }

    #[test]
    fn autumn_fold_gives_the_first_instant_only() {
        // Paris, 2026-10-25: 03:00 CEST goes back to 02:00 CET (at 01:00Z);
        // 02:30 happens at 00:30Z and again at 01:30Z.
        let ch = channel("Europe/Paris", &["02:30", "07:30"]);
        let slots = slots_between(&ch, ts("2026-10-24T12:00:00Z"), ts("2026-10-25T12:00:00Z"));
        assert_eq!(
            strings(&slots),
            [
                "2026-10-25T02:30:00+02:00[Europe/Paris]",
                "2026-10-25T07:30:00+01:00[Europe/Paris]",
            ]
        );
        // During the repeated hour, the latest slot is still the first 02:30.
        let latest = latest_slot(&ch, ts("2026-10-25T01:45:00Z"));
        assert_eq!(latest.timestamp(), ts("2026-10-25T00:30:00Z"));
        let next = next_slot(&ch, ts("2026-10-25T00:45:00Z"));
        assert_eq!(next.timestamp(), ts("2026-10-25T06:30:00Z"));
    }

    #[test]
    fn half_hour_offset_zone_without_dst() {
        let ch = channel("Asia/Kolkata", &["07:30", "19:00"]);
        let latest = latest_slot(&ch, ts("2026-01-15T02:00:00Z"));
        assert_eq!(
            latest.to_string(),
            "2026-01-15T07:30:00+05:30[Asia/Kolkata]"
        );
        let next = next_slot(&ch, ts("2026-01-15T02:00:00Z"));
        assert_eq!(next.timestamp(), ts("2026-01-15T13:30:00Z"));
    }

    #[test]
    fn half_hour_dst_gap_in_lord_howe() {
        // Lord Howe, 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11:00).
        let ch = channel("Australia/Lord_Howe", &["02:15", "07:30"]);
        let slots = slots_between(&ch, ts("2026-10-03T12:00:00Z"), ts("2026-10-04T12:00:00Z"));
        assert_eq!(
            strings(&slots),
            [
                "2026-10-04T02:45:00+11:00[Australia/Lord_Howe]",
                "2026-10-04T07:30:00+11:00[Australia/Lord_Howe]",
            ]
        );
    }

    #[test]
    fn half_hour_dst_fold_in_lord_howe() {
        // Lord Howe, 2026-04-05: 02:00 (+11:00) goes back to 01:30 (+10:30);
        // 01:45 happens at 14:45Z and again at 15:15Z the day before in UTC.
        let ch = channel("Australia/Lord_Howe", &["01:45"]);
        let slots = slots_between(&ch, ts("2026-04-04T00:00:00Z"), ts("2026-04-05T00:00:00Z"));
        assert_eq!(
            strings(&slots),
            ["2026-04-05T01:45:00+11:00[Australia/Lord_Howe]"]
        );
        let latest = latest_slot(&ch, ts("2026-04-04T15:20:00Z"));
        assert_eq!(latest.timestamp(), ts("2026-04-04T14:45:00Z"));
    }

    #[test]
    fn slot_label_follows_the_local_hour_and_language() {
        let ch = channel("Europe/Paris", &["07:30", "19:00"]);
        let morning = latest_slot(&ch, ts("2026-01-15T07:00:00Z"));
        let evening = latest_slot(&ch, ts("2026-01-15T19:00:00Z"));
        assert_eq!(slot_label(&morning, "en"), "morning");
        assert_eq!(slot_label(&morning, "fr"), "du matin");
        assert_eq!(slot_label(&evening, "en"), "evening");
        assert_eq!(slot_label(&evening, "fr"), "du soir");
    }
}
