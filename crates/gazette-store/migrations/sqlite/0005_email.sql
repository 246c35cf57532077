-- gazette schema version 5 (SQLite): e-mail addresses that unsubscribed from a channel.
-- Portable SQL: the PostgreSQL schema mirrors it with BIGINT for the INTEGER columns.

CREATE TABLE email_unsubscribes (
    channel         TEXT    NOT NULL,
    -- Lowercased.
    address         TEXT    NOT NULL,
    unsubscribed_at INTEGER NOT NULL,
    PRIMARY KEY (channel, address)
);
