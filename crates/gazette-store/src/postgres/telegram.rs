//! Telegram subscribers (table `telegram_subscribers`) and the bot's
//! `getUpdates` offset (table `telegram_offsets`), as the SQLite backend keeps
//! them: settings as columns, topics and mutes as JSON arrays, delivery times
//! as `"HH:MM"` text, enums as lowercase text.

use gazette_core::{Awaiting, Subscriber};
use jiff::Timestamp;
use jiff::civil::Time;

use crate::common::{decode_hhmm, encode_hhmm};

use super::codec::{
    Cols, OpResult, TextEnum, Tx, execute, micros, opt_text, query_all, query_opt, text, to_json,
};

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

pub(crate) async fn by_chat(tx: &Tx<'_>, chat_id: i64) -> OpResult<Option<Subscriber>> {
    let sql = format!("SELECT {COLUMNS} FROM telegram_subscribers WHERE chat_id = $1");
    query_opt(tx, &sql, &[&chat_id], decode).await
}

/// See [`gazette_core::Store::save_subscriber`]: an upsert writing every column.
pub(crate) async fn save(tx: &Tx<'_>, s: &Subscriber) -> OpResult<()> {
    let topics = to_json(&s.topics)?;
    let mutes = to_json(&s.mutes)?;
    execute(
        tx,
        "INSERT INTO telegram_subscribers (chat_id, active, inactive_reason, lang, timezone, \
         editions, morning, evening, topics, mutes, awaiting, served_until, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active, \
         inactive_reason = excluded.inactive_reason, lang = excluded.lang, \
         timezone = excluded.timezone, editions = excluded.editions, \
         morning = excluded.morning, evening = excluded.evening, topics = excluded.topics, \
         mutes = excluded.mutes, awaiting = excluded.awaiting, \
         served_until = excluded.served_until, created_at = excluded.created_at, \
         updated_at = excluded.updated_at",
        &[
            &s.chat_id,
            &s.active,
            &opt_text(s.inactive_reason.as_deref()),
            &text(&s.lang),
            &opt_text(s.timezone.as_deref()),
            &s.editions.as_sql(),
            &encode_hhmm(s.morning),
            &encode_hhmm(s.evening),
            &topics,
            &mutes,
            &s.awaiting.map(TextEnum::as_sql),
            &s.served_until.map(micros),
            &micros(s.created_at),
            &micros(s.updated_at),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn active(tx: &Tx<'_>) -> OpResult<Vec<Subscriber>> {
    let sql = format!("SELECT {COLUMNS} FROM telegram_subscribers WHERE active ORDER BY chat_id");
    query_all(tx, &sql, &[], decode).await
}

pub(crate) async fn deactivate(
    tx: &Tx<'_>,
    chat_id: i64,
    reason: &str,
    now: Timestamp,
) -> OpResult<bool> {
    let updated = execute(
        tx,
        "UPDATE telegram_subscribers SET active = FALSE, inactive_reason = $2, updated_at = $3 \
         WHERE chat_id = $1 AND active",
        &[&chat_id, &text(reason), &micros(now)],
    )
    .await?;
    Ok(updated > 0)
}

pub(crate) async fn set_served(tx: &Tx<'_>, chat_ids: &[i64], until: Timestamp) -> OpResult<()> {
    execute(
        tx,
        "UPDATE telegram_subscribers SET served_until = $2 \
         WHERE chat_id = ANY($1) AND (served_until IS NULL OR served_until < $2)",
        &[&chat_ids, &micros(until)],
    )
    .await?;
    Ok(())
}

pub(crate) async fn offset(tx: &Tx<'_>, bot_id: i64) -> OpResult<Option<i64>> {
    query_opt(
        tx,
        "SELECT update_offset FROM telegram_offsets WHERE bot_id = $1",
        &[&bot_id],
        |row| row.get("update_offset"),
    )
    .await
}

pub(crate) async fn set_offset(tx: &Tx<'_>, bot_id: i64, offset: i64) -> OpResult<()> {
    execute(
        tx,
        "INSERT INTO telegram_offsets (bot_id, update_offset) VALUES ($1, $2) \
         ON CONFLICT (bot_id) DO UPDATE SET update_offset = excluded.update_offset \
         WHERE excluded.update_offset > telegram_offsets.update_offset",
        &[&bot_id, &offset],
    )
    .await?;
    Ok(())
}
