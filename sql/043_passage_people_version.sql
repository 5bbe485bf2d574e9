-- The rule tables are compiled from the passage state and from the people (cards, departments, classes
-- from the sync, dorm rooms, roles). A new student's card or a class moved by the sync changed nothing the
-- version counted, so door tables kept the old people until an unrelated change. people_version moves with
-- every change of the people (with version, so every door gets its delta); people_fingerprint is what the
-- core last saw of the cards, persons and sync tables, checked on a schedule (docs/passage.md).
ALTER TABLE passage_state ADD COLUMN people_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE passage_state ADD COLUMN people_fingerprint VARCHAR(160) NULL;
