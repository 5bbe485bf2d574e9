-- Parents as message recipients (docs/messages.md § Parents). A parent is an app account (a WeChat
-- openid or an Alipay `ali-…` subject) linked to a child's card in guardian_links, not a person. Their
-- outbox rows carry a recipient id of their own in person_id: `g:` and 24 hex digits of the account's
-- SHA-256, the same for every child they are linked to, so their one-time consents (message_consents)
-- and settings (message_preferences) are kept under it like a student's. guardian_link_id names the
-- link the message is about; delivery reads that link again, so a link removed, or a visibility the
-- child withdrew, since the event sends nothing. NULL on a person's own messages.
ALTER TABLE message_outbox ADD COLUMN guardian_link_id VARCHAR(26) NULL;
