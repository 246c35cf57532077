//! Small server-rendered SVG charts: numbers in, markup out (no text from
//! feeds goes into them, apart from escaped labels).

use std::fmt::Write;

use jiff::{SignedDuration, Timestamp};

use super::errors::escape;

/// A bar chart of how many articles of a story appeared in each interval
/// between its first and last article (at most 24 bars of whole hours).
pub fn coverage(times: &[Timestamp]) -> String {
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return String::new();
    };
    let span_hours = (last.duration_since(*first).as_secs().max(0) as u64 / 3600 + 1).max(1);
    let bucket_hours = span_hours.div_ceil(24).max(1);
    let buckets = span_hours.div_ceil(bucket_hours) as usize;
    let mut counts = vec![0usize; buckets];
    for t in times {
        let i = (t.duration_since(*first).as_secs().max(0) as u64 / 3600 / bucket_hours) as usize;
        counts[i.min(buckets - 1)] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    let (width, height, bar_gap) = (480.0, 120.0, 2.0);
    let bar = width / buckets as f64;
    let mut svg = format!(
        "<svg class=\"coverage\" role=\"img\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{} articles over {} hours, {} hour(s) per bar</title>",
        height + 20.0,
        height + 20.0,
        times.len(),
        span_hours,
        bucket_hours
    );
    for (i, count) in counts.iter().enumerate() {
        let h = height * (*count as f64) / (max as f64);
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#0b57a4\"><title>{count}</title></rect>",
            i as f64 * bar,
            height - h,
            (bar - bar_gap).max(1.0)
        );
    }
    let end = *first + SignedDuration::from_hours(span_hours as i64);
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"{}\" font-size=\"11\" fill=\"#555\">{}</text>\
         <text x=\"{width}\" y=\"{}\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">{}</text></svg>",
        height + 15.0,
        escape(&first.strftime("%d %b %H:%M UTC").to_string()),
        height + 15.0,
        escape(&end.strftime("%d %b %H:%M UTC").to_string()),
    );
    svg
}

/// A sparkline of counts per day (oldest first).
pub fn sparkline(per_day: &[usize]) -> String {
    let (width, height) = (120.0, 24.0);
    let max = per_day.iter().copied().max().unwrap_or(0).max(1);
    let step = if per_day.len() > 1 {
        width / (per_day.len() - 1) as f64
    } else {
        width
    };
    let points: Vec<String> = per_day
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                height - 2.0 - (height - 4.0) * (*n as f64) / (max as f64)
            )
        })
        .collect();
    let total: usize = per_day.iter().sum();
    format!(
        "<svg class=\"sparkline\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{total} articles in {} days</title>\
         <polyline fill=\"none\" stroke=\"#0b57a4\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        per_day.len(),
        points.join(" ")
    )
}

/// Counts per day for the `days` days up to `now` (oldest first).
pub fn per_day(times: &[Timestamp], now: Timestamp, days: usize) -> Vec<usize> {
    let mut counts = vec![0; days];
    for t in times {
        let age = now.duration_since(*t).as_secs();
        if age < 0 {
            continue;
        }
        let day = (age / 86_400) as usize;
        if day < days {
            counts[days - 1 - day] += 1;
        }
    }
    counts
}
