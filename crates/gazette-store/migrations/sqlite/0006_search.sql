-- gazette schema version 6 (SQLite): full-text search of articles (FTS5).
-- The PostgreSQL schema does the same with a tsvector column ('simple' configuration: no
-- stemming, no stop words, as here), so both stores find the same articles.

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

INSERT INTO articles_fts (rowid, title, body_text) SELECT id, title, body_text FROM articles;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
