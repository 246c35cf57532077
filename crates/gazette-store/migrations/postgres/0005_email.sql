-- gazette schema version 5 (PostgreSQL): e-mail addresses that unsubscribed from a channel.
-- Mirrors migrations/sqlite/0005_email.sql.

CREATE TABLE email_unsubscribes (
    channel         TEXT    NOT NULL,
    -- Lowercased.
    address         TEXT    NOT NULL,
    unsubscribed_at BIGINT  NOT NULL,
    PRIMARY KEY (channel, address)
);
