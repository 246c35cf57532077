//! Conversions between domain values and SQLite values, and the error type of
//! the code that runs inside an operation.
//!
//! The encoding rules (shared with the schema comments in `0001_init.sql`):
//! instants are `INTEGER` microseconds since the Unix epoch ([`micros`]),
//! URLs are their text, enums are lowercase text ([`TextEnum`]), lists and
//! nested values are JSON text. Decoding a value that breaks these rules gives
//! [`StoreError::Corrupt`]. Rows are read through [`Cols`], e.g.
//! `Cols(row).timestamp("next_poll_at")?`, by the `query_*` helpers.

use gazette_core::store::BoxError;
use gazette_core::{DeliveryState, SourceStatus, StoreError};
use jiff::Timestamp;
use rusqlite::types::FromSql;
use rusqlite::{Params, Row, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

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

impl From<rusqlite::Error> for OpError {
    fn from(error: rusqlite::Error) -> Self {
        OpError::Query(Box::new(error))
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

fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

/// An instant as stored: microseconds since the Unix epoch (finer digits are dropped).
pub(crate) fn micros(instant: Timestamp) -> i64 {
    instant.as_microsecond()
}

/// A `LIMIT` value; limits beyond `i64::MAX` mean "no limit" anyway.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A value as JSON text.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> OpResult<String> {
    Ok(serde_json::to_string(value)?)
}

/// An enum stored as lowercase text.
pub(crate) trait TextEnum: Copy + 'static {
    /// What the value is, for error messages.
    const WHAT: &'static str;
    /// Every variant.
    const ALL: &'static [Self];
    /// The stored text of a variant.
    fn as_sql(self) -> &'static str;
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

/// Typed access to the named columns of a row.
pub(crate) struct Cols<'a>(pub(crate) &'a Row<'a>);

impl Cols<'_> {
    /// The column's value; a value of the wrong type is `Corrupt`.
    pub(crate) fn get<T: FromSql>(&self, column: &str) -> OpResult<T> {
        use rusqlite::Error::*;
        self.0.get(column).map_err(|error| match error {
            FromSqlConversionFailure(..)
            | IntegralValueOutOfRange(..)
            | InvalidColumnType(..)
            | Utf8Error(..) => corrupt("column value", format_args!("`{column}`: {error}")).into(),
            other => other.into(),
        })
    }

    pub(crate) fn timestamp(&self, column: &str) -> OpResult<Timestamp> {
        decode_timestamp(self.get(column)?)
    }

    pub(crate) fn opt_timestamp(&self, column: &str) -> OpResult<Option<Timestamp>> {
        self.get::<Option<i64>>(column)?
            .map(decode_timestamp)
            .transpose()
    }

    pub(crate) fn url(&self, column: &str) -> OpResult<Url> {
        decode_url(&self.get::<String>(column)?)
    }

    pub(crate) fn opt_url(&self, column: &str) -> OpResult<Option<Url>> {
        self.get::<Option<String>>(column)?
            .as_deref()
            .map(decode_url)
            .transpose()
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, column: &str) -> OpResult<T> {
        let text: String = self.get(column)?;
        serde_json::from_str(&text)
            .map_err(|e| corrupt("JSON value", format_args!("`{column}`: {e}")).into())
    }

    pub(crate) fn text_enum<E: TextEnum>(&self, column: &str) -> OpResult<E> {
        let text: String = self.get(column)?;
        E::ALL
            .iter()
            .copied()
            .find(|v| v.as_sql() == text)
            .ok_or_else(|| corrupt(E::WHAT, format_args!("unknown value {text:?}")).into())
    }
}

fn decode_timestamp(micros: i64) -> OpResult<Timestamp> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| corrupt("timestamp", format_args!("{micros} µs: {e}")).into())
}

fn decode_url(text: &str) -> OpResult<Url> {
    text.parse()
        .map_err(|e| corrupt("URL", format_args!("{text:?}: {e}")).into())
}

/// The rows of a query, decoded.
pub(crate) fn query_all<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl Params,
    decode: fn(Cols<'_>) -> OpResult<T>,
) -> OpResult<Vec<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(Cols(row))?);
    }
    Ok(out)
}

/// The first row of a query, decoded, if there is one.
pub(crate) fn query_opt<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl Params,
    decode: fn(Cols<'_>) -> OpResult<T>,
) -> OpResult<Option<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    rows.next()?.map(|row| decode(Cols(row))).transpose()
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

/// Fails with [`StoreError::NotFound`] unless `table` has a row with this ID.
pub(crate) fn require(
    tx: &Transaction<'_>,
    table: &'static str,
    what: &'static str,
    id: i64,
) -> OpResult<()> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    match query_opt(tx, &sql, [id], |_| Ok(()))? {
        Some(()) => Ok(()),
        None => Err(StoreError::NotFound { what, id }.into()),
    }
}
