//! Dates as pages write them → instants.
//!
//! Pages use ISO 8601 with or without an offset, bare dates, and RFC 2822.
//! A date-time without an offset is taken as UTC, a bare date as midnight UTC:
//! being a few hours off is better than dropping the date.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Parses the date formats found in page metadata. `None` when nothing fits.
///
/// ```
/// use gazette_extract::parse_date;
/// assert_eq!(parse_date("2013-05-02T12:50:00+02:00").unwrap().to_string(), "2013-05-02T10:50:00Z");
/// assert_eq!(parse_date("2013-05-02").unwrap().to_string(), "2013-05-02T00:00:00Z");
/// assert_eq!(parse_date("Thu, 02 May 2013 12:50:00 GMT").unwrap().to_string(), "2013-05-02T12:50:00Z");
/// assert!(parse_date("yesterday").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    if let Ok(zdt) = jiff::fmt::rfc2822::parse(s) {
        return Some(zdt.timestamp());
    }
    // "2013-05-02 12:50:00" and "2013-05-02T12:50" (no offset).
    if let Ok(dt) = s.replacen(' ', "T", 1).parse::<DateTime>() {
        return dt.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    let date_part = s.get(..10).unwrap_or(s);
    if let Ok(d) = date_part.parse::<Date>() {
        return d.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_date_times_are_taken_as_utc() {
        assert_eq!(
            parse_date("2024-05-01 10:00:00").unwrap().to_string(),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(
            parse_date("2024-05-01T10:00").unwrap().to_string(),
            "2024-05-01T10:00:00Z"
        );
    }

    #[test]
    fn zulu_and_fractional_seconds_parse() {
        assert_eq!(
            parse_date("2024-05-01T10:00:00.123Z")
                .unwrap()
                .as_millisecond(),
            1_714_557_600_123
        );
    }
}
