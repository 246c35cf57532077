//! Telegram subscribers (table `telegram_subscribers`) and the bot's
//! `getUpdates` offset (table `telegram_offsets`).
//!
//! Settings are columns so that they can be read by hand; topics and mutes are
//! JSON arrays, delivery times `"HH:MM"` text, enums lowercase text.

use gazette_core::{Awaiting, Subscriber};
use jiff::Timestamp;
use jiff::civil::Time;

use crate::common::{decode_hhmm, encode_hhmm};
use rusqlite::{Transaction, params};

use super::codec::{Cols, OpResult, TextEnum, micros, query_all, query_opt, to_json};

const COLUMNS: &str = "chat_id, active, inactive_reason, lang, timezone, editions, morning, \
     evening, topics, mutes, awaiting, served_until, created_at, updated_at";

fn decode_time(row: &Cols<'_>, column: &str) -> OpResult<Option<Time>> {
    decode_hhmm(column, row.get::<Option<String>>(column)?)
}

fn decode(row: Cols<'_>) -> OpResult<Subscriber> {
    let awaiting = match row.get::<Option<String>>("awaiting")? {
        None => None,
        Some(_) => Some(row.text_enum::<Awaiting>("awaiting")?),
    };
    Ok(Subscriber {
        chat_id: row.get("chat_id")?,
        active: row.get("active")?,
        inactive_reason: row.get("inactive_reason")?,
        lang: row.get("lang")?,
        timezone: row.get("timezone")?,
        editions: row.text_enum("editions")?,
        morning: decode_time(&row, "morning")?,
        evening: decode_time(&row, "evening")?,
        topics: row.json("topics")?,
        mutes: row.json("mutes")?,
        awaiting,
        served_until: row.opt_timestamp("served_until")?,
        created_at: row.timestamp("created_at")?,
        updated_at: row.timestamp("updated_at")?,
    })
}

pub(crate) fn by_chat(tx: &Transaction<'_>, chat_id: i64) -> OpResult<Option<Subscriber>> {
    let sql = format!("SELECT {COLUMNS} FROM telegram_subscribers WHERE chat_id = ?1");
    query_opt(tx, &sql, [chat_id], decode)
}

/// See [`gazette_core::Store::save_subscriber`]: an upsert writing every column.
pub(crate) fn save(tx: &Transaction<'_>, s: &Subscriber) -> OpResult<()> {
    tx.prepare_cached(
        "INSERT INTO telegram_subscribers (chat_id, active, inactive_reason, lang, timezone, \
         editions, morning, evening, topics, mutes, awaiting, served_until, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
         ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active, \
         inactive_reason = excluded.inactive_reason, lang = excluded.lang, \
         timezone = excluded.timezone, editions = excluded.editions, \
         morning = excluded.morning, evening = excluded.evening, topics = excluded.topics, \
         mutes = excluded.mutes, awaiting = excluded.awaiting, \
         served_until = excluded.served_until, created_at = excluded.created_at, \
         updated_at = excluded.updated_at",
    )?
    .execute(params![
        s.chat_id,
        s.active,
        s.inactive_reason,
        s.lang,
        s.timezone,
        s.editions.as_sql(),
        encode_hhmm(s.morning),
        encode_hhmm(s.evening),
        to_json(&s.topics)?,
        to_json(&s.mutes)?,
        s.awaiting.map(TextEnum::as_sql),
        s.served_until.map(micros),
        micros(s.created_at),
        micros(s.updated_at),
    ])?;
    Ok(())
}

pub(crate) fn active(tx: &Transaction<'_>) -> OpResult<Vec<Subscriber>> {
    let sql =
        format!("SELECT {COLUMNS} FROM telegram_subscribers WHERE active = 1 ORDER BY chat_id");
    query_all(tx, &sql, [], decode)
}

pub(crate) fn deactivate(
    tx: &Transaction<'_>,
    chat_id: i64,
    reason: &str,
    now: Timestamp,
) -> OpResult<bool> {
    let updated = tx
        .prepare_cached(
            "UPDATE telegram_subscribers SET active = 0, inactive_reason = ?2, updated_at = ?3 \
             WHERE chat_id = ?1 AND active = 1",
        )?
        .execute(params![chat_id, reason, micros(now)])?;
    Ok(updated > 0)
}

pub(crate) fn set_served(tx: &Transaction<'_>, chat_ids: &[i64], until: Timestamp) -> OpResult<()> {
    let mut update = tx.prepare_cached(
        "UPDATE telegram_subscribers SET served_until = ?2 \
         WHERE chat_id = ?1 AND (served_until IS NULL OR served_until < ?2)",
    )?;
    for chat_id in chat_ids {
        update.execute(params![chat_id, micros(until)])?;
    }
    Ok(())
}

pub(crate) fn offset(tx: &Transaction<'_>, bot_id: i64) -> OpResult<Option<i64>> {
    query_opt(
        tx,
        "SELECT update_offset FROM telegram_offsets WHERE bot_id = ?1",
        [bot_id],
        |row| row.get("update_offset"),
    )
}

pub(crate) fn set_offset(tx: &Transaction<'_>, bot_id: i64, offset: i64) -> OpResult<()> {
    tx.prepare_cached(
        "INSERT INTO telegram_offsets (bot_id, update_offset) VALUES (?1, ?2) \
         ON CONFLICT (bot_id) DO UPDATE SET update_offset = excluded.update_offset \
         WHERE excluded.update_offset > telegram_offsets.update_offset",
    )?
    .execute(params![bot_id, offset])?;
    Ok(())
}
