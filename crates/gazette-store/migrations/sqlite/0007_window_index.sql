-- gazette schema version 7 (SQLite): the edition window read from the membership index.
-- The edition window (`stories_since`) reads every member of its stories: the
-- membership index now carries the member columns, so that read never touches
-- the article rows (with their bodies). It still serves "next position in a story".
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, story_seq, id, title, url, outlet, lang, effective_at, story_added_at)
    WHERE story_id IS NOT NULL;
