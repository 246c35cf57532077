-- gazette schema version 1 (SQLite).
--
-- Conventions, kept so that the PostgreSQL schema can mirror this one:
-- * instants are INTEGER microseconds since the Unix epoch (UTC), so SQL orders them correctly;
-- * URLs are TEXT as `url::Url` writes them; enums are lowercase TEXT checked against their values;
-- * lists and nested values (authors, quotes, a whole edition) are JSON TEXT;
-- * an index names the query it serves.

CREATE TABLE sources (
    -- AUTOINCREMENT: the ID of a removed source is never given to another one,
    -- because the articles of a removed source keep its ID (see `articles.source_id`).
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    url                  TEXT    NOT NULL UNIQUE,
    title                TEXT,
    site_url             TEXT,
    added_at             INTEGER NOT NULL,
    -- PollState
    status               TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    etag                 TEXT,
    last_modified        TEXT,
    next_poll_at         INTEGER NOT NULL,
    interval_secs        INTEGER NOT NULL CHECK (interval_secs >= 0),
    last_polled_at       INTEGER,
    last_success_at      INTEGER,
    last_error           TEXT,
    last_error_at        INTEGER,
    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0)
);

-- due_sources
CREATE INDEX sources_due ON sources (next_poll_at) WHERE status = 'active';

CREATE TABLE entries (
    id           INTEGER PRIMARY KEY,
    -- remove_source deletes a source's entries with it.
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- FeedEntry::id, the feed's identifier for the item.
    guid         TEXT    NOT NULL,
    first_seen   INTEGER NOT NULL,
    title        TEXT,
    link         TEXT,
    published    INTEGER,
    updated      INTEGER,
    authors      TEXT    NOT NULL, -- JSON array of strings
    summary      TEXT,
    content_html TEXT,
    language     TEXT,
    image        TEXT,
    UNIQUE (source_id, guid)
);

-- recent_entry_times
CREATE INDEX entries_published ON entries (source_id, published);

CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    -- The story's title is its lead's title, read through this reference.
    lead_article_id INTEGER NOT NULL REFERENCES articles (id),
    created_at      INTEGER NOT NULL
);

CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    -- Deliberately not a foreign key: removing a source keeps its articles, which
    -- stories cite, and source IDs are never reused, so the ID stays unambiguous.
    source_id      INTEGER NOT NULL,
    -- Entries go with their source; the article then simply has no entry.
    entry_id       INTEGER REFERENCES entries (id) ON DELETE SET NULL,
    url            TEXT    NOT NULL UNIQUE,
    outlet         TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    discovered_at  INTEGER NOT NULL,
    -- Article::effective_time, computed when stored: places the article in a window.
    effective_at   INTEGER NOT NULL,
    -- ArticleContent
    content_url    TEXT,
    canonical_url  TEXT,
    content_title  TEXT,
    authors        TEXT    NOT NULL, -- JSON array of strings
    published      INTEGER,
    modified       INTEGER,
    lang           TEXT,
    site_name      TEXT,
    description    TEXT,
    image          TEXT,
    body_text      TEXT    NOT NULL,
    quotes         TEXT    NOT NULL, -- JSON array of {text, speaker}
    -- Story membership. A column of the article, so an article is in at most one
    -- story by construction and the unassigned ones have their own index.
    story_id       INTEGER REFERENCES stories (id),
    -- Position in the story, increasing as members join: members are listed in join order.
    story_seq      INTEGER,
    story_added_at INTEGER,
    CHECK ((story_id IS NULL) = (story_seq IS NULL) AND (story_id IS NULL) = (story_added_at IS NULL))
);

-- unassigned_articles
CREATE INDEX articles_unassigned ON articles (id) WHERE story_id IS NULL;
-- story members in join order, and the next position in a story
CREATE INDEX articles_story ON articles (story_id, story_seq) WHERE story_id IS NOT NULL;
-- stories_since: the stories with a member in the window
CREATE INDEX articles_story_time ON articles (effective_at, story_id) WHERE story_id IS NOT NULL;
-- ON DELETE SET NULL when a source's entries are deleted
CREATE INDEX articles_entry ON articles (entry_id);

CREATE TABLE editions (
    id      INTEGER PRIMARY KEY,
    channel TEXT    NOT NULL,
    -- The slot's instant: an edition is composed once per (channel, slot instant).
    slot_at INTEGER NOT NULL,
    -- The slot with its time zone (RFC 9557), for people reading the database.
    slot    TEXT    NOT NULL,
    -- The whole NewEdition as JSON, returned unchanged.
    edition TEXT    NOT NULL,
    -- Also serves edition_for_slot, latest_edition and editions_since.
    UNIQUE (channel, slot_at)
);

CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions (id),
    sink       TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    part       INTEGER NOT NULL CHECK (part >= 0),
    body       TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    last_error TEXT,
    remote_id  TEXT,
    -- Lease expiry while sending, retry time while pending.
    not_before INTEGER,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    -- Also serves deliveries_for_edition and the earlier-parts check of claims.
    UNIQUE (edition_id, sink, recipient, part)
);

-- claim_deliveries: the open rows, oldest first
CREATE INDEX deliveries_open ON deliveries (id) WHERE state IN ('pending', 'sending');
