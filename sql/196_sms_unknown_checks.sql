-- SMS whose SendSms answer never came (#14, docs/messages.md § SMS): the outbox row is `unknown`, never
-- sent again blindly. The delivery job asks the provider about it with QuerySendDetails (by the phone,
-- the day and the row's OutId) on a backoff schedule: unknown_checks counts the questions asked, and
-- next_at_ms (unused once a row is final) holds when the next may be asked. The provider's record makes
-- the row sent or failed; no record after the last question makes it failed (never taken).
ALTER TABLE message_outbox ADD COLUMN unknown_checks INT NOT NULL DEFAULT 0;
