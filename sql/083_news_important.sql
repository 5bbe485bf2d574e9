-- News marked important (docs/messages.md, docs/content.md): the backoffice marks an item important
-- and it is sent to its audience as a message outside the app too (kind news, event key news:<id>, so
-- once per person and channel), and shown marked and pinned in the app. messages_queued_at_ms: when
-- every reader's message was queued; NULL while that is still to do (a run that stopped half way is
-- done again: the outbox's key adds nothing twice).
ALTER TABLE news ADD COLUMN important SMALLINT NOT NULL DEFAULT 0 CHECK (important IN (0, 1));
ALTER TABLE news ADD COLUMN messages_queued_at_ms BIGINT NULL;
