-- Temporary and visitor cards (#19): a card may carry an expiry (UTC ms). The cards domain's expiry
-- job freezes a card once it has passed (an 'expired' event, announced like any status change, so the
-- gateways' blacklists take it), and the card centre cannot unfreeze, unlose or reissue it after.
ALTER TABLE cards ADD COLUMN expires_at_ms BIGINT NULL;
CREATE INDEX cards_expiry ON cards (expires_at_ms);
