-- The student's own low-balance alert (docs/messages.md): told once each time a payment takes the
-- balance (main + subsidy) under it. NULL: no alert. Fen.
ALTER TABLE message_preferences ADD COLUMN low_balance_fen BIGINT NULL CHECK (low_balance_fen IS NULL OR low_balance_fen >= 0);
