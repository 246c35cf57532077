-- gazette schema version 1 (PostgreSQL), mirroring migrations/sqlite/0001_init.sql.
--
-- Conventions, the same as SQLite's so that both backends behave alike:
-- * instants are BIGINT microseconds since the Unix epoch (UTC), so SQL orders them correctly
--   (to read one: to_timestamp(next_poll_at / 1e6));
-- * URLs are TEXT as `url::Url` writes them; enums are lowercase TEXT checked against their values;
-- * lists and nested values (authors, quotes, a whole edition) are JSON TEXT, returned verbatim;
-- * unsigned 32-bit numbers (parts, attempts, intervals) are BIGINT, which holds all of them;
-- * IDs are identity columns: a sequence never gives an ID twice, even after a row is removed;
-- * an index names the query it serves.

CREATE TABLE sources (
    -- The ID of a removed source is never given to another one, because the articles of a
    -- removed source keep its ID (see `articles.source_id`).
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                  TEXT   NOT NULL UNIQUE,
    title                TEXT,
    site_url             TEXT,
    added_at             BIGINT NOT NULL,
    -- PollState
    status               TEXT   NOT NULL CHECK (status IN ('active', 'disabled')),
    etag                 TEXT,
    last_modified        TEXT,
    next_poll_at         BIGINT NOT NULL,
    interval_secs        BIGINT NOT NULL CHECK (interval_secs >= 0),
    last_polled_at       BIGINT,
    last_success_at      BIGINT,
    last_error           TEXT,
    last_error_at        BIGINT,
    consecutive_failures BIGINT NOT NULL CHECK (consecutive_failures >= 0)
);

-- due_sources
CREATE INDEX sources_due ON sources (next_poll_at) WHERE status = 'active';

CREATE TABLE entries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- remove_source deletes a source's entries with it.
    source_id    BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- FeedEntry::id, the feed's identifier for the item.
    guid         TEXT   NOT NULL,
    first_seen   BIGINT NOT NULL,
    title        TEXT,
    link         TEXT,
    published    BIGINT,
    updated      BIGINT,
    authors      TEXT   NOT NULL, -- JSON array of strings
    summary      TEXT,
    content_html TEXT,
    language     TEXT,
    image        TEXT,
    UNIQUE (source_id, guid)
);

-- recent_entry_times
CREATE INDEX entries_published ON entries (source_id, published);

-- The reference to the lead article is added below, once `articles` exists.
CREATE TABLE stories (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The story's title is its lead's title, read through this reference.
    lead_article_id BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE articles (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Deliberately not a foreign key: removing a source keeps its articles, which
    -- stories cite, and source IDs are never reused, so the ID stays unambiguous.
    source_id      BIGINT NOT NULL,
    -- Entries go with their source; the article then simply has no entry.
    entry_id       BIGINT REFERENCES entries (id) ON DELETE SET NULL,
    url            TEXT   NOT NULL UNIQUE,
    outlet         TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    discovered_at  BIGINT NOT NULL,
    -- Article::effective_time, computed when stored: places the article in a window.
    effective_at   BIGINT NOT NULL,
    -- ArticleContent
    content_url    TEXT,
    canonical_url  TEXT,
    content_title  TEXT,
    authors        TEXT   NOT NULL, -- JSON array of strings
    published      BIGINT,
    modified       BIGINT,
    lang           TEXT,
    site_name      TEXT,
    description    TEXT,
    image          TEXT,
    body_text      TEXT   NOT NULL,
    quotes         TEXT   NOT NULL, -- JSON array of {text, speaker}
    -- Story membership. A column of the article, so an article is in at most one
    -- story by construction and the unassigned ones have their own index.
    story_id       BIGINT REFERENCES stories (id),
    -- Position in the story, increasing as members join: members are listed in join order.
    story_seq      BIGINT,
    story_added_at BIGINT,
    CHECK ((story_id IS NULL) = (story_seq IS NULL) AND (story_id IS NULL) = (story_added_at IS NULL))
);

ALTER TABLE stories ADD CONSTRAINT stories_lead_article_fk
    FOREIGN KEY (lead_article_id) REFERENCES articles (id);

-- unassigned_articles
CREATE INDEX articles_unassigned ON articles (id) WHERE story_id IS NULL;
-- story members in join order, and the next position in a story
CREATE INDEX articles_story ON articles (story_id, story_seq) WHERE story_id IS NOT NULL;
-- stories_since: the stories with a member in the window
CREATE INDEX articles_story_time ON articles (effective_at, story_id) WHERE story_id IS NOT NULL;
-- ON DELETE SET NULL when a source's entries are deleted
CREATE INDEX articles_entry ON articles (entry_id);
-- the reference from stories: deleting an article checks it
CREATE INDEX stories_lead ON stories (lead_article_id);

CREATE TABLE editions (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT   NOT NULL,
    -- The slot's instant: an edition is composed once per (channel, slot instant).
    slot_at BIGINT NOT NULL,
    -- The slot with its time zone (RFC 9557), for people reading the database.
    slot    TEXT   NOT NULL,
    -- The whole NewEdition as JSON, returned unchanged.
    edition TEXT   NOT NULL,
    -- Also serves edition_for_slot, latest_edition and editions_since.
    UNIQUE (channel, slot_at)
);

CREATE TABLE deliveries (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id BIGINT NOT NULL REFERENCES editions (id),
    sink       TEXT   NOT NULL,
    recipient  TEXT   NOT NULL,
    part       BIGINT NOT NULL CHECK (part >= 0),
    body       TEXT   NOT NULL,
    state      TEXT   NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts   BIGINT NOT NULL CHECK (attempts >= 0),
    last_error TEXT,
    remote_id  TEXT,
    -- Lease expiry while sending, retry time while pending.
    not_before BIGINT,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT,
    -- Also serves deliveries_for_edition and the earlier-parts check of claims.
    UNIQUE (edition_id, sink, recipient, part)
);

-- claim_deliveries: the open rows, oldest first
CREATE INDEX deliveries_open ON deliveries (id) WHERE state IN ('pending', 'sending');
