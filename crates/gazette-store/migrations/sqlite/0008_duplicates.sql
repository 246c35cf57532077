-- gazette schema version 8 (SQLite): wire copies linked to their original.
-- An article whose text copies an earlier one of the window (same canonical URL,
-- same words, or a near SimHash) joins the original's story with `duplicate_of`
-- set, so that ranking counts the copy's outlet once. The membership index
-- carries the column, so the edition window still reads no article row.
ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles (id);
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, story_seq, id, title, url, outlet, lang, effective_at, story_added_at, duplicate_of)
    WHERE story_id IS NOT NULL;
