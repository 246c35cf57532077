-- gazette schema version 7 (PostgreSQL): the edition window read from the membership index.
-- The edition window (`stories_since`) reads every member of its stories: the
-- membership index now carries the member columns (INCLUDE), so that read can be
-- an index-only scan that never touches the article rows (with their bodies).
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, story_seq)
    INCLUDE (id, title, url, outlet, lang, effective_at, story_added_at)
    WHERE story_id IS NOT NULL;
