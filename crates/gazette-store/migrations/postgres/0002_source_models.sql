-- Per-source models learnt by pipeline stages (e.g. the extraction stage's
-- boilerplate model), stored as the stage serialised them. Removed with the source.
CREATE TABLE source_models (
    source_id  BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL,
    model      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (source_id, kind)
);
