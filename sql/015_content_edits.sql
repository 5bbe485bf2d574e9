-- News and courses edited after publishing, and news announced live to open mini-programs.
-- updated_at_ms: the last edit (NULL: never edited). announced_at_ms: when the item was pushed to the
-- open mini-programs of its audience; NULL until then. A core instance claims an announcement with a
-- conditional UPDATE (… WHERE announced_at_ms IS NULL), so several instances announce each item once.
ALTER TABLE news ADD COLUMN updated_at_ms BIGINT NULL;
ALTER TABLE news ADD COLUMN announced_at_ms BIGINT NULL;
ALTER TABLE courses ADD COLUMN updated_at_ms BIGINT NULL;
ALTER TABLE lessons ADD COLUMN updated_at_ms BIGINT NULL;
CREATE INDEX news_announce ON news (announced_at_ms, publish_at_ms);
