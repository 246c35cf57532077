//! Conversions between domain values and SQLite values.
//!
//! The encoding rules are the crate's ([`crate::common`]): instants are
//! `INTEGER` microseconds since the Unix epoch ([`micros`]), URLs are their
//! text, enums are lowercase text ([`TextEnum`]), lists and nested values are
//! JSON text, free text has no U+0000 ([`text`]). Decoding a value that breaks
//! these rules gives [`StoreError::Corrupt`]. Rows are read through [`Cols`], e.g.
//! `Cols(row).timestamp("next_poll_at")?`, by the `query_*` helpers.

use jiff::Timestamp;
use rusqlite::types::FromSql;
use rusqlite::{Params, Row, Transaction};
use serde::de::DeserializeOwned;
use url::Url;

pub(crate) use crate::common::{
    OpError, OpResult, TextEnum, conflicting, micros, opt_text, sql_limit, text, to_json,
};
use crate::common::{corrupt, decode_timestamp};
use gazette_core::StoreError;

impl From<rusqlite::Error> for OpError {
    fn from(error: rusqlite::Error) -> Self {
        OpError::Query(Box::new(error))
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

    /// The value of the column at `index`: for hot loops, where looking
    /// columns up by name shows in profiles.
    pub(crate) fn at<T: FromSql>(&self, index: usize) -> OpResult<T> {
        use rusqlite::Error::*;
        self.0.get(index).map_err(|error| match error {
            FromSqlConversionFailure(..)
            | IntegralValueOutOfRange(..)
            | InvalidColumnType(..)
            | Utf8Error(..) => corrupt("column value", format_args!("#{index}: {error}")).into(),
            other => other.into(),
        })
    }

    pub(crate) fn timestamp_at(&self, index: usize) -> OpResult<Timestamp> {
        decode_timestamp(self.at(index)?)
    }

    pub(crate) fn url_at(&self, index: usize) -> OpResult<Url> {
        decode_url(&self.at::<String>(index)?)
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
        E::from_sql(&self.get::<String>(column)?)
    }
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
