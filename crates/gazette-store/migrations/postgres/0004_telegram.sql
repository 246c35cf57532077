-- Telegram subscribers and the bot's update offset (mirrors sqlite/0004_telegram.sql).

-- Chats subscribed through the bot, with their settings (gazette_core::Subscriber).
CREATE TABLE telegram_subscribers (
    -- Telegram's chat id: positive for users, negative for groups.
    chat_id         BIGINT  PRIMARY KEY,
    active          BOOLEAN NOT NULL,
    inactive_reason TEXT,
    lang            TEXT    NOT NULL,
    -- IANA name; NULL: the channel's time zone.
    timezone        TEXT,
    editions        TEXT    NOT NULL CHECK (editions IN ('morning', 'evening', 'both')),
    -- Local delivery times as "HH:MM"; NULL: when the channel composes the edition.
    morning         TEXT,
    evening         TEXT,
    topics          TEXT    NOT NULL, -- JSON array of strings
    mutes           TEXT    NOT NULL, -- JSON array of strings
    awaiting        TEXT    CHECK (awaiting IN ('lang', 'timezone')),
    served_until    BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

-- active_subscribers
CREATE INDEX telegram_subscribers_active ON telegram_subscribers (chat_id) WHERE active;

-- The getUpdates offset of each bot (the number before the token's colon).
CREATE TABLE telegram_offsets (
    bot_id        BIGINT PRIMARY KEY,
    update_offset BIGINT NOT NULL
);
