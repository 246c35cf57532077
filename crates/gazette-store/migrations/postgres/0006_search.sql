-- gazette schema version 6 (PostgreSQL): full-text search of articles.
-- Mirrors migrations/sqlite/0006_search.sql (FTS5 there): the 'simple' configuration
-- lowercases and splits words without stemming or stop words, as FTS5's unicode61 does.

ALTER TABLE articles ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body_text)) STORED;

CREATE INDEX articles_search ON articles USING GIN (search);
