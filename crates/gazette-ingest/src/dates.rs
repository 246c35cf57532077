//! Lenient parsing of the dates found in real feeds.
//!
//! Feeds are supposed to carry RFC 3339 (Atom, JSON Feed) or RFC 822/2822
//! (RSS) dates. Many carry something close: `2024-05-01 10:00:00`, a missing
//! seconds field, a long month or weekday name, a zone abbreviation such as
//! `CEST`, or none at all. [`parse_date`] accepts both families and these
//! variations; a date without a zone is taken as UTC. It is installed as
//! feed-rs's timestamp parser, so it returns `chrono` (feed-rs's date type);
//! [`to_timestamp`] converts at the edge to [`jiff::Timestamp`].
//!
//! ```
//! use gazette_ingest::dates::parse_date;
//! let a = parse_date("Wednesday, 01 May 2024 12:00 CEST").unwrap();
//! let b = parse_date("2024-05-01 10:00:00").unwrap();
//! assert_eq!(a, b);
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a feed date: ISO 8601/RFC 3339-like or RFC 2822-like (see the module docs).
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    parse_iso(text).or_else(|| parse_rfc2822(text))
}

/// Converts a feed-rs date to a [`jiff::Timestamp`].
pub fn to_timestamp(date: DateTime<Utc>) -> Option<jiff::Timestamp> {
    let nanos = i32::try_from(date.timestamp_subsec_nanos()).ok()?;
    jiff::Timestamp::new(date.timestamp(), nanos).ok()
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space, a time with or without
/// seconds and fraction, and a zone.
fn parse_iso(text: &str) -> Option<DateTime<Utc>> {
    let (date, rest) = NaiveDate::parse_and_remainder(text, "%Y-%m-%d").ok()?;
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN).and_utc());
    }
    let (time, zone) = parse_time(rest)?;
    at_zone(date.and_time(time), zone.trim())
}

/// `[Weekday,] DD Mon YYYY HH:MM[:SS] [zone]`, also with the month before the
/// day, long or non-English month and weekday names, and single-digit hours.
fn parse_rfc2822(text: &str) -> Option<DateTime<Utc>> {
    // A leading word and comma is the weekday, in whatever language: redundant.
    let text = match text.split_once(',') {
        Some((weekday, rest))
            if weekday
                .trim_end_matches('.')
                .chars()
                .all(char::is_alphabetic) =>
        {
            rest
        }
        _ => text,
    };
    let mut tokens = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .peekable();
    if tokens.peek().is_some_and(|t| is_weekday(t)) {
        tokens.next();
    }
    let (first, second) = (tokens.next()?, tokens.next()?);
    let (day, month) = match (first.parse::<u32>(), month_number(second)) {
        (Ok(day), Some(month)) => (day, month),
        _ => (second.parse().ok()?, month_number(first)?),
    };
    let year = match tokens.next()?.parse::<i32>().ok()? {
        y @ 0..50 => 2000 + y,
        y @ 50..100 => 1900 + y,
        y => y,
    };
    let (time, after_time) = parse_time(tokens.next()?)?;
    let zone: String = std::iter::once(after_time).chain(tokens).collect();
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    at_zone(date.and_time(time), &zone)
}

/// A time `H:MM[:SS[.fff]]` at the start of `text`, and what follows it.
fn parse_time(text: &str) -> Option<(NaiveTime, &str)> {
    NaiveTime::parse_and_remainder(text, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_and_remainder(text, "%H:%M"))
        .ok()
}

fn at_zone(local: NaiveDateTime, zone: &str) -> Option<DateTime<Utc>> {
    let offset = zone_offset(zone)?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// A zone as written in feeds: empty (UTC), `Z`, `+hh:mm`, `+hhmm`, `+hh`, or
/// a common abbreviation.
fn zone_offset(zone: &str) -> Option<FixedOffset> {
    if let Some(sign) = zone.chars().next().filter(|c| matches!(c, '+' | '-')) {
        let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
            return None;
        }
        let hours: i32 = digits[..2].parse().ok()?;
        let minutes: i32 = digits.get(2..).map_or(Ok(0), str::parse).ok()?;
        let seconds = (hours * 60 + minutes) * 60;
        return FixedOffset::east_opt(if sign == '-' { -seconds } else { seconds });
    }
    let hours = ZONES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(zone))
        .map(|(_, hours)| *hours)?;
    FixedOffset::east_opt((hours * 3600.0) as i32)
}

/// Zone abbreviations seen in feeds, with their offsets in hours. Ambiguous
/// ones (`IST`: India, Ireland or Israel) are left out on purpose.
const ZONES: &[(&str, f64)] = &[
    ("", 0.0),
    ("Z", 0.0),
    ("UT", 0.0),
    ("UTC", 0.0),
    ("GMT", 0.0),
    ("WET", 0.0),
    ("WEST", 1.0),
    ("BST", 1.0),
    ("CET", 1.0),
    ("CEST", 2.0),
    ("MET", 1.0),
    ("MEST", 2.0),
    ("EET", 2.0),
    ("EEST", 3.0),
    ("MSK", 3.0),
    ("SGT", 8.0),
    ("HKT", 8.0),
    ("JST", 9.0),
    ("KST", 9.0),
    ("AEST", 10.0),
    ("AEDT", 11.0),
    ("NZST", 12.0),
    ("NZDT", 13.0),
    ("AST", -4.0),
    ("ADT", -3.0),
    ("EST", -5.0),
    ("EDT", -4.0),
    ("CST", -6.0),
    ("CDT", -5.0),
    ("MST", -7.0),
    ("MDT", -6.0),
    ("PST", -8.0),
    ("PDT", -7.0),
    ("AKST", -9.0),
    ("AKDT", -8.0),
    ("HST", -10.0),
    ("NST", -3.5),
    ("NDT", -2.5),
];

/// Month name prefixes in English, French, German, Italian and Spanish (the
/// languages of the feeds gazette was tuned on), lowercase.
const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("gen", 1),
    ("ene", 1),
    ("feb", 2),
    ("fév", 2),
    ("fev", 2),
    ("mar", 3),
    ("mär", 3),
    ("apr", 4),
    ("avr", 4),
    ("abr", 4),
    ("may", 5),
    ("mai", 5),
    ("mag", 5),
    ("jun", 6),
    ("juin", 6),
    ("giu", 6),
    ("jul", 7),
    ("juil", 7),
    ("lug", 7),
    ("aug", 8),
    ("aoû", 8),
    ("aou", 8),
    ("ago", 8),
    ("sep", 9),
    ("set", 9),
    ("oct", 10),
    ("ott", 10),
    ("okt", 10),
    ("nov", 11),
    ("dec", 12),
    ("déc", 12),
    ("dic", 12),
    ("dez", 12),
];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `Jan`, `january`, `Sept.`, `août`, `mag` → 1-based month number.
fn month_number(token: &str) -> Option<u32> {
    let token = token.trim_end_matches('.').to_lowercase();
    if !token.chars().all(char::is_alphabetic) {
        return None;
    }
    MONTHS
        .iter()
        .find(|(prefix, _)| token.starts_with(prefix))
        .map(|(_, month)| *month)
}

/// An English weekday name written without the comma that usually follows.
fn is_weekday(token: &str) -> bool {
    let token = token.trim_end_matches('.').to_ascii_lowercase();
    token.chars().all(|c| c.is_ascii_alphabetic())
        && token.get(..3).is_some_and(|p| WEEKDAYS.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn standard_formats_parse() {
        let cases = [
            ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
            ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"),
            ("2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00.123Z"),
            ("Wed, 01 May 2024 10:00:00 GMT", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 2024 06:00:00 -0400", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 2024 03:00:00 PDT", "2024-05-01T10:00:00Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_date(input), Some(utc(expected)), "{input}");
        }
    }

    #[test]
    fn common_non_standard_formats_parse() {
        let cases = [
            ("2024-05-01 10:00:00", "2024-05-01T10:00:00Z"),
            ("2024-05-01 10:00", "2024-05-01T10:00:00Z"),
            ("2024-05-01", "2024-05-01T00:00:00Z"),
            ("2024-05-01T12:00:00+0200", "2024-05-01T10:00:00Z"),
            ("2024-05-01 12:00:00 CEST", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 2024 10:00 +0000", "2024-05-01T10:00:00Z"),
            ("Wed, 1 May 2024 9:05:00 UTC", "2024-05-01T09:05:00Z"),
            (
                "Wednesday, 01 May 2024 11:00:00 CET",
                "2024-05-01T10:00:00Z",
            ),
            ("Thurs, 02 May 2024 10:00:00 GMT", "2024-05-02T10:00:00Z"),
            ("01 January 2024 10:00:00 +0100", "2024-01-01T09:00:00Z"),
            ("Wed, May 01 2024 10:00:00 GMT", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 24 10:00:00 -0000", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 2024 10:00:00", "2024-05-01T10:00:00Z"),
            ("Wed, 01 May 2024 16:30:00 +05:30", "2024-05-01T11:00:00Z"),
            ("mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"),
            ("mer., 01 mai 2024 12:00:00 +0200", "2024-05-01T10:00:00Z"),
            ("1 août 2024 10:00 GMT", "2024-08-01T10:00:00Z"),
            ("Mi, 04 Dez 2024 10:00:00 +0000", "2024-12-04T10:00:00Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_date(input), Some(utc(expected)), "{input}");
        }
    }

    #[test]
    fn garbage_and_ambiguous_zones_are_refused() {
        for input in [
            "",
            "yesterday",
            "2024-13-01",
            "Wed, 32 May 2024 10:00:00 GMT",
            "Wed, 01 May 2024 10:00:00 IST",
            "Wed, 01 May 2024 10:00:00 +2",
            "Wed, 01 Foo 2024 10:00:00 GMT",
        ] {
            assert_eq!(parse_date(input), None, "{input}");
        }
    }

    #[test]
    fn conversion_to_jiff_keeps_the_instant() {
        let date = utc("2024-05-01T10:00:00.5Z");
        let ts = to_timestamp(date).unwrap();
        assert_eq!(ts.to_string(), "2024-05-01T10:00:00.5Z");
    }
}
