//! Conversions between domain values and PostgreSQL values, and the query
//! helpers every table module uses.
//!
//! The encoding rules are the crate's ([`crate::common`]), the same as
//! SQLite's: instants are `BIGINT` microseconds since the Unix epoch, URLs and
//! enums are text, lists and nested values are JSON text, free text has no
//! U+0000. `u32` values are `BIGINT` (PostgreSQL has no unsigned integers and
//! `INTEGER` stops at 2³¹ − 1). Rows are read through [`Cols`], e.g.
//! `Cols(row).timestamp("next_poll_at")?`; a value that breaks the rules is
//! [`gazette_core::StoreError::Corrupt`].

use gazette_core::StoreError;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSqlOwned, ToSql};
use url::Url;

pub(crate) use crate::common::{
    OpError, OpResult, TextEnum, conflicting, micros, opt_text, sql_limit, text, to_json,
};
use crate::common::{corrupt, decode_timestamp};

/// The transaction every operation runs in (it caches prepared statements per connection).
pub(crate) type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// A query parameter.
pub(crate) type Param<'a> = &'a (dyn ToSql + Sync);

impl From<tokio_postgres::Error> for OpError {
    fn from(error: tokio_postgres::Error) -> Self {
        OpError::Query(Box::new(error))
    }
}

/// Typed access to the named columns of a row.
pub(crate) struct Cols<'a>(pub(crate) &'a Row);

impl Cols<'_> {
    /// The column's value; a value of the wrong type (or NULL where none is
    /// allowed) is `Corrupt`.
    pub(crate) fn get<T: FromSqlOwned>(&self, column: &str) -> OpResult<T> {
        self.0
            .try_get(column)
            .map_err(|error| corrupt("column value", format_args!("`{column}`: {error}")).into())
    }

    /// A `u32` kept as `BIGINT`.
    pub(crate) fn u32(&self, column: &str) -> OpResult<u32> {
        let value: i64 = self.get(column)?;
        u32::try_from(value).map_err(|_| {
            corrupt(
                "column value",
                format_args!("`{column}`: {value} is not a 32-bit unsigned number"),
            )
            .into()
        })
    }

    pub(crate) fn timestamp(&self, column: &str) -> OpResult<jiff::Timestamp> {
        decode_timestamp(self.get(column)?)
    }

    pub(crate) fn opt_timestamp(&self, column: &str) -> OpResult<Option<jiff::Timestamp>> {
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
pub(crate) async fn query_all<T>(
    tx: &Tx<'_>,
    sql: &str,
    params: &[Param<'_>],
    decode: fn(Cols<'_>) -> OpResult<T>,
) -> OpResult<Vec<T>> {
    let statement = tx.prepare_cached(sql).await?;
    let rows = tx.query(&statement, params).await?;
    rows.iter().map(|row| decode(Cols(row))).collect()
}

/// The first row of a query, decoded, if there is one.
pub(crate) async fn query_opt<T>(
    tx: &Tx<'_>,
    sql: &str,
    params: &[Param<'_>],
    decode: fn(Cols<'_>) -> OpResult<T>,
) -> OpResult<Option<T>> {
    let statement = tx.prepare_cached(sql).await?;
    let rows = tx.query(&statement, params).await?;
    rows.first().map(|row| decode(Cols(row))).transpose()
}

/// Runs a statement; returns how many rows it changed.
pub(crate) async fn execute(tx: &Tx<'_>, sql: &str, params: &[Param<'_>]) -> OpResult<u64> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&statement, params).await?)
}

/// Fails with [`StoreError::NotFound`] unless `table` has a row with this ID.
/// The row is locked against removal (`FOR KEY SHARE`) until the transaction
/// ends, so that what the operation then writes can refer to it.
pub(crate) async fn require(
    tx: &Tx<'_>,
    table: &'static str,
    what: &'static str,
    id: i64,
) -> OpResult<()> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = $1 FOR KEY SHARE");
    match query_opt(tx, &sql, &[&id], |_| Ok(())).await? {
        Some(()) => Ok(()),
        None => Err(StoreError::NotFound { what, id }.into()),
    }
}
