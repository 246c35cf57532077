//! What both backends share: the error type of the code inside an operation,
//! and the encoding rules that make their rows alike.
//!
//! The rules (the schema comments in `migrations/*/0001_init.sql` repeat them):
//! instants are microseconds since the Unix epoch as 64-bit integers
//! ([`micros`]), URLs are their text, enums are lowercase text
//! ([`TextEnum`]), lists and nested values are JSON text ([`to_json`]), and
//! free text is stored without U+0000 ([`text`]).
//!
//! ```ignore
//! let title = common::opt_text(entry.title.as_deref()); // bound as a parameter
//! ```

use std::borrow::Cow;

use gazette_core::store::BoxError;
use gazette_core::{Awaiting, DeliveryState, EditionChoice, SourceStatus, StoreError};
use jiff::Timestamp;
use serde::Serialize;

/// An error inside an operation, before it is given the operation's name.
#[derive(Debug)]
pub(crate) enum OpError {
    /// Becomes [`StoreError::Query`].
    Query(BoxError),
    /// Already says what went wrong.
    Store(StoreError),
}

/// The result of the code inside an operation.
pub(crate) type OpResult<T> = Result<T, OpError>;

impl OpError {
    /// The error the caller sees from operation `op`.
    pub(crate) fn into_store_error(self, op: &'static str) -> StoreError {
        match self {
            OpError::Query(source) => StoreError::Query { op, source },
            OpError::Store(error) => error,
        }
    }
}

impl From<StoreError> for OpError {
    fn from(error: StoreError) -> Self {
        OpError::Store(error)
    }
}

impl From<serde_json::Error> for OpError {
    fn from(error: serde_json::Error) -> Self {
        OpError::Query(Box::new(error))
    }
}

impl From<jiff::Error> for OpError {
    fn from(error: jiff::Error) -> Self {
        OpError::Query(Box::new(error))
    }
}

/// A [`StoreError::Corrupt`].
pub(crate) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

/// An instant as stored: microseconds since the Unix epoch (finer digits are dropped).
/// A subscriber's delivery time as stored: `"HH:MM"` text.
pub(crate) fn encode_hhmm(time: Option<jiff::civil::Time>) -> Option<String> {
    time.map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
}

/// The stored `"HH:MM"` text of `column` back into a time.
pub(crate) fn decode_hhmm(
    column: &str,
    text: Option<String>,
) -> OpResult<Option<jiff::civil::Time>> {
    text.map(|text| {
        gazette_core::config::parse_hhmm(&text).ok_or_else(|| {
            corrupt(
                "delivery time",
                format_args!("`{column}`: {text:?} is not HH:MM"),
            )
            .into()
        })
    })
    .transpose()
}

pub(crate) fn micros(instant: Timestamp) -> i64 {
    instant.as_microsecond()
}

/// The instant of a stored microsecond count; out of range is `Corrupt`.
pub(crate) fn decode_timestamp(micros: i64) -> OpResult<Timestamp> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| corrupt("timestamp", format_args!("{micros} µs: {e}")).into())
}

/// A `LIMIT` value; limits beyond `i64::MAX` mean "no limit" anyway.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A value as JSON text. JSON escapes U+0000, so JSON text never holds it and
/// values inside JSON keep it.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> OpResult<String> {
    Ok(serde_json::to_string(value)?)
}

/// Free text as stored: U+0000 becomes U+FFFD (the replacement character).
///
/// PostgreSQL's `text` cannot hold U+0000 at all, and a feed that carries one
/// must not make every poll of it fail; SQLite could keep it, but both backends
/// store the same thing. Lookups by text (a channel, a model kind) go through
/// this too, so that they find what was stored.
pub(crate) fn text(value: &str) -> Cow<'_, str> {
    if value.contains('\0') {
        Cow::Owned(value.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// [`text`] of an optional value.
pub(crate) fn opt_text(value: Option<&str>) -> Option<Cow<'_, str>> {
    value.map(text)
}

/// The row that an `INSERT … ON CONFLICT DO NOTHING` ran into, read back in the
/// same transaction, so it is there unless the database is broken.
pub(crate) fn conflicting<T>(
    row: Option<T>,
    what: &'static str,
    key: impl std::fmt::Display,
) -> OpResult<T> {
    row.ok_or_else(|| corrupt(what, format_args!("{key} conflicts with no row")).into())
}

/// An enum stored as lowercase text.
pub(crate) trait TextEnum: Copy + 'static {
    /// What the value is, for error messages.
    const WHAT: &'static str;
    /// Every variant.
    const ALL: &'static [Self];
    /// The stored text of a variant.
    fn as_sql(self) -> &'static str;

    /// The variant stored as `text`; an unknown text is `Corrupt`.
    fn from_sql(text: &str) -> OpResult<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_sql() == text)
            .ok_or_else(|| corrupt(Self::WHAT, format_args!("unknown value {text:?}")).into())
    }
}

impl TextEnum for EditionChoice {
    const WHAT: &'static str = "edition choice";
    const ALL: &'static [Self] = &[
        EditionChoice::Morning,
        EditionChoice::Evening,
        EditionChoice::Both,
    ];
    fn as_sql(self) -> &'static str {
        match self {
            EditionChoice::Morning => "morning",
            EditionChoice::Evening => "evening",
            EditionChoice::Both => "both",
        }
    }
}

impl TextEnum for Awaiting {
    const WHAT: &'static str = "awaited answer";
    const ALL: &'static [Self] = &[Awaiting::Lang, Awaiting::Timezone];
    fn as_sql(self) -> &'static str {
        match self {
            Awaiting::Lang => "lang",
            Awaiting::Timezone => "timezone",
        }
    }
}

impl TextEnum for SourceStatus {
    const WHAT: &'static str = "source status";
    const ALL: &'static [Self] = &[SourceStatus::Active, SourceStatus::Disabled];
    fn as_sql(self) -> &'static str {
        match self {
            SourceStatus::Active => "active",
            SourceStatus::Disabled => "disabled",
        }
    }
}

impl TextEnum for DeliveryState {
    const WHAT: &'static str = "delivery state";
    const ALL: &'static [Self] = &[
        DeliveryState::Pending,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Failed,
    ];
    fn as_sql(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_replaces_nul_and_borrows_otherwise() {
        assert_eq!(text("a\0b"), "a\u{FFFD}b");
        assert!(matches!(text("plain « text »"), Cow::Borrowed(_)));
        assert_eq!(opt_text(Some("\0")).as_deref(), Some("\u{FFFD}"));
        assert_eq!(opt_text(None), None);
    }

    #[test]
    fn text_enums_round_trip_and_refuse_unknown_text() {
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::from_sql(state.as_sql()).unwrap(), *state);
        }
        assert!(matches!(
            SourceStatus::from_sql("paused"),
            Err(OpError::Store(StoreError::Corrupt {
                what: "source status",
                ..
            }))
        ));
    }
}
