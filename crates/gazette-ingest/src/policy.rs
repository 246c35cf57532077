//! The polling policy: when a source is polled next, and when it is given up.
//! Pure functions of the previous [`PollState`], what happened, the
//! configuration and `now`; randomness comes from the caller's
//! [`fastrand::Rng`], so tests are deterministic.
//!
//! The rules:
//!
//! - **After a success** (200 or 304) the source is due again after its
//!   publishing interval: the median gap between its recent entries' times
//!   (future times and duplicates ignored), clamped to
//!   [`min_interval`, `max_interval`]; `default_interval` while fewer than two
//!   distinct times are known. Failures are reset and the last error cleared.
//!   A 200 replaces the stored validators (`ETag`, `Last-Modified`) with the
//!   response's, a 304 keeps them.
//! - **After a failure** the source backs off exponentially:
//!   `min_interval × 2^(failures − 1)`, capped at `max_backoff`, with "equal
//!   jitter" (a uniformly random point in the upper half), so that sources
//!   failing together do not retry together. A `Retry-After` from the server
//!   is honoured: the next poll is not before it (up to `max_backoff`, so that
//!   an absurd value cannot stop polling for good).
//! - **Disabling**: a failure that brings the count of consecutive failures to
//!   `disable_after` disables the source, with a `last_error` saying so.
//!   Throttling — a failure carrying `Retry-After` (429, or 503 during
//!   maintenance) — shows the server is alive and asking for patience: it
//!   counts for backoff but never disables a source by itself; only a later
//!   failure of another kind can.
//!
//! ```
//! use gazette_core::PollState;
//! use gazette_core::config::PollConfig;
//! use gazette_ingest::policy::{after_success, Fetched};
//! use jiff::{SignedDuration, Timestamp};
//!
//! let config = PollConfig {
//!     default_interval: SignedDuration::from_mins(30),
//!     min_interval: SignedDuration::from_mins(5),
//!     max_interval: SignedDuration::from_hours(6),
//!     max_backoff: SignedDuration::from_hours(24),
//!     disable_after: 10,
//!     claim_lease: SignedDuration::from_mins(15),
//! };
//! let now: Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();
//! let hourly: Vec<Timestamp> = (1..=5).map(|h| now - SignedDuration::from_hours(h)).collect();
//! let state = after_success(&PollState::new(now), Fetched::NotModified, &hourly, &config, now);
//! assert_eq!(state.next_poll_at, now + SignedDuration::from_hours(1));
//! ```

use gazette_core::config::PollConfig;
use gazette_core::{PollState, SourceStatus};
use jiff::{SignedDuration, Timestamp};

/// What a successful poll returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 200: a body, with the response's validators (absent ones included, so
    /// stale validators are not sent again).
    Modified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 304: nothing changed since the stored validators.
    NotModified,
}

/// A failed poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure<'a> {
    /// What went wrong, for `last_error`.
    pub message: &'a str,
    /// How long the server asked us to wait (`Retry-After`), if it did.
    pub retry_after: Option<SignedDuration>,
}

/// The state after a successful poll. `entry_times` are the publication times
/// of the source's most recent entries (any order).
pub fn after_success(
    previous: &PollState,
    fetched: Fetched,
    entry_times: &[Timestamp],
    config: &PollConfig,
    now: Timestamp,
) -> PollState {
    let interval = publishing_interval(entry_times, config, now);
    let (etag, last_modified) = match fetched {
        Fetched::Modified {
            etag,
            last_modified,
        } => (etag, last_modified),
        Fetched::NotModified => (previous.etag.clone(), previous.last_modified.clone()),
    };
    PollState {
        status: SourceStatus::Active,
        etag,
        last_modified,
        next_poll_at: now + interval,
        interval_secs: u32::try_from(interval.as_secs()).unwrap_or(u32::MAX),
        last_polled_at: Some(now),
        last_success_at: Some(now),
        last_error: None,
        last_error_at: None,
        consecutive_failures: 0,
    }
}

/// The state after a failed poll (see the module docs for backoff and disabling).
pub fn after_failure(
    previous: &PollState,
    failure: &Failure<'_>,
    config: &PollConfig,
    now: Timestamp,
    rng: &mut fastrand::Rng,
) -> PollState {
    let failures = previous.consecutive_failures.saturating_add(1);
    let throttled = failure.retry_after.is_some();
    let wait = failure
        .retry_after
        .map_or(SignedDuration::ZERO, |asked| asked.min(config.max_backoff))
        .max(backoff(failures, config, rng));
    let disable = !throttled && failures >= config.disable_after;
    let last_error = if disable {
        format!(
            "disabled after {failures} consecutive failures; last error: {}",
            failure.message
        )
    } else {
        failure.message.to_string()
    };
    PollState {
        status: if disable {
            SourceStatus::Disabled
        } else {
            previous.status
        },
        next_poll_at: now + wait,
        last_polled_at: Some(now),
        last_error: Some(last_error),
        last_error_at: Some(now),
        consecutive_failures: failures,
        ..previous.clone()
    }
}

/// The median gap between distinct past entry times, clamped to
/// [`min_interval`, `max_interval`]; `default_interval` with fewer than two.
pub fn publishing_interval(
    entry_times: &[Timestamp],
    config: &PollConfig,
    now: Timestamp,
) -> SignedDuration {
    let mut times: Vec<Timestamp> = entry_times.iter().copied().filter(|t| *t <= now).collect();
    times.sort_unstable();
    times.dedup();
    let mut gaps: Vec<SignedDuration> = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .collect();
    if gaps.is_empty() {
        return config.default_interval;
    }
    gaps.sort_unstable();
    let middle = gaps.len() / 2;
    let median = if gaps.len().is_multiple_of(2) {
        (gaps[middle - 1] + gaps[middle]) / 2
    } else {
        gaps[middle]
    };
    median.clamp(config.min_interval, config.max_interval)
}

/// The wait after the `failures`-th consecutive failure: exponential from
/// `min_interval`, capped at `max_backoff`, with equal jitter.
pub fn backoff(failures: u32, config: &PollConfig, rng: &mut fastrand::Rng) -> SignedDuration {
    let base = config.min_interval.as_secs().max(1);
    let cap = config.max_backoff.as_secs().max(1);
    let doublings = failures.saturating_sub(1).min(40);
    let full = base.saturating_mul(1_i64 << doublings).min(cap);
    let half = full / 2;
    SignedDuration::from_secs(half + rng.i64(0..=full - half))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PollConfig {
        PollConfig {
            default_interval: SignedDuration::from_mins(30),
            min_interval: SignedDuration::from_mins(5),
            max_interval: SignedDuration::from_hours(6),
            max_backoff: SignedDuration::from_hours(24),
            disable_after: 3,
            claim_lease: SignedDuration::from_mins(15),
        }
    }

    fn now() -> Timestamp {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    fn every(gap: SignedDuration, count: i32) -> Vec<Timestamp> {
        (1..=count).map(|i| now() - gap * i).collect()
    }

    fn failure(message: &str) -> Failure<'_> {
        Failure {
            message,
            retry_after: None,
        }
    }

    #[test]
    fn unknown_rate_uses_the_default_interval() {
        assert_eq!(
            publishing_interval(&[], &config(), now()),
            config().default_interval
        );
        let same = vec![now() - SignedDuration::from_hours(1); 5];
        assert_eq!(
            publishing_interval(&same, &config(), now()),
            config().default_interval
        );
    }

    #[test]
    fn interval_follows_the_median_gap() {
        let mut times = every(SignedDuration::from_mins(20), 6);
        // One long pause does not move the median.
        times.push(now() - SignedDuration::from_hours(30));
        assert_eq!(
            publishing_interval(&times, &config(), now()),
            SignedDuration::from_mins(20)
        );
        // An even number of gaps averages the two middle ones.
        let times = [0, 10, 30, 60, 100].map(|m| now() - SignedDuration::from_mins(m));
        assert_eq!(
            publishing_interval(&times, &config(), now()),
            SignedDuration::from_mins(25)
        );
    }

    #[test]
    fn interval_is_clamped_and_ignores_future_times() {
        let busy = every(SignedDuration::from_mins(1), 10);
        assert_eq!(
            publishing_interval(&busy, &config(), now()),
            config().min_interval
        );
        let quiet = every(SignedDuration::from_hours(48), 5);
        assert_eq!(
            publishing_interval(&quiet, &config(), now()),
            config().max_interval
        );
        let mut with_future = every(SignedDuration::from_hours(1), 5);
        with_future.extend([1, 2, 3].map(|m| now() + SignedDuration::from_mins(m)));
        assert_eq!(
            publishing_interval(&with_future, &config(), now()),
            SignedDuration::from_hours(1)
        );
    }

    #[test]
    fn success_resets_failures_and_handles_validators() {
        let mut previous = PollState::new(now());
        previous.etag = Some("\"old\"".into());
        previous.last_modified = Some("Tue, 30 Apr 2024 10:00:00 GMT".into());
        previous.consecutive_failures = 2;
        previous.last_error = Some("timeout".into());
        previous.last_error_at = Some(now());

        let kept = after_success(&previous, Fetched::NotModified, &[], &config(), now());
        assert_eq!(kept.etag.as_deref(), Some("\"old\""));
        assert_eq!(kept.consecutive_failures, 0);
        assert_eq!(kept.last_error, None);
        assert_eq!(kept.last_success_at, Some(now()));
        assert_eq!(kept.next_poll_at, now() + config().default_interval);
        assert_eq!(kept.interval_secs, 1800);

        let fetched = Fetched::Modified {
            etag: Some("\"new\"".into()),
            last_modified: None,
        };
        let replaced = after_success(&previous, fetched, &[], &config(), now());
        assert_eq!(replaced.etag.as_deref(), Some("\"new\""));
        assert_eq!(replaced.last_modified, None);
    }

    #[test]
    fn backoff_grows_exponentially_with_jitter_up_to_the_cap() {
        let mut rng = fastrand::Rng::with_seed(7);
        for failures in 1..=12 {
            let full = (300_i64 << (failures - 1)).min(86_400);
            for _ in 0..50 {
                let wait = backoff(failures, &config(), &mut rng).as_secs();
                assert!(
                    (full / 2..=full).contains(&wait),
                    "failure {failures}: {wait}s outside [{}, {full}]",
                    full / 2
                );
            }
        }
        let draws = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (1..=5)
                .map(|f| backoff(f, &config(), &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(42), draws(42));
    }

    #[test]
    fn failure_records_the_error_and_keeps_validators() {
        let mut previous = PollState::new(now());
        previous.etag = Some("\"e\"".into());
        previous.interval_secs = 600;
        let mut rng = fastrand::Rng::with_seed(1);
        let state = after_failure(&previous, &failure("HTTP 500"), &config(), now(), &mut rng);
        assert_eq!(state.status, SourceStatus::Active);
        assert_eq!(state.consecutive_failures, 1);
        assert_eq!(state.last_error.as_deref(), Some("HTTP 500"));
        assert_eq!(state.last_error_at, Some(now()));
        assert_eq!(state.etag.as_deref(), Some("\"e\""));
        assert_eq!(state.interval_secs, 600);
        let wait = state.next_poll_at.duration_since(now());
        assert!(wait >= SignedDuration::from_secs(150) && wait <= SignedDuration::from_mins(5));
    }

    #[test]
    fn retry_after_is_honoured_up_to_max_backoff() {
        let mut rng = fastrand::Rng::with_seed(3);
        let asked = Failure {
            message: "HTTP 429",
            retry_after: Some(SignedDuration::from_hours(2)),
        };
        let state = after_failure(&PollState::new(now()), &asked, &config(), now(), &mut rng);
        assert_eq!(state.next_poll_at, now() + SignedDuration::from_hours(2));
        let absurd = Failure {
            message: "HTTP 503",
            retry_after: Some(SignedDuration::from_hours(24 * 365)),
        };
        let state = after_failure(&PollState::new(now()), &absurd, &config(), now(), &mut rng);
        assert_eq!(state.next_poll_at, now() + config().max_backoff);
    }

    #[test]
    fn source_is_disabled_after_repeated_failures() {
        let mut rng = fastrand::Rng::with_seed(5);
        let mut state = PollState::new(now());
        for _ in 0..2 {
            state = after_failure(
                &state,
                &failure("connection refused"),
                &config(),
                now(),
                &mut rng,
            );
            assert_eq!(state.status, SourceStatus::Active);
        }
        state = after_failure(
            &state,
            &failure("connection refused"),
            &config(),
            now(),
            &mut rng,
        );
        assert_eq!(state.status, SourceStatus::Disabled);
        assert_eq!(
            state.last_error.as_deref(),
            Some("disabled after 3 consecutive failures; last error: connection refused")
        );
    }

    #[test]
    fn throttling_alone_never_disables() {
        let mut rng = fastrand::Rng::with_seed(9);
        let throttled = Failure {
            message: "HTTP 429",
            retry_after: Some(SignedDuration::from_mins(10)),
        };
        let mut state = PollState::new(now());
        for _ in 0..10 {
            state = after_failure(&state, &throttled, &config(), now(), &mut rng);
            assert_eq!(state.status, SourceStatus::Active);
        }
        assert_eq!(state.consecutive_failures, 10);
        state = after_failure(&state, &failure("HTTP 500"), &config(), now(), &mut rng);
        assert_eq!(state.status, SourceStatus::Disabled);
    }
}
