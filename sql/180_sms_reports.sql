-- SMS delivery reports (#14, docs/messages.md § SMS): each outbox row's opaque id (outboxMessageId in
-- core/src/messages/message-types.ts: 32 hex digits of the SHA-256 of event key, recipient and channel)
-- goes to the provider as SendSms's OutId and comes back in its SmsReport push. A report that the
-- carrier did not deliver turns a `sent` row `failed` with the carrier's code, so the backoffice counts
-- and lists it; a delivered one changes nothing. Written when the row is queued; NULL on rows queued
-- before this migration (their reports find nothing).
ALTER TABLE message_outbox ADD COLUMN out_id CHAR(32) NULL;
CREATE INDEX message_outbox_out_id ON message_outbox (out_id);
