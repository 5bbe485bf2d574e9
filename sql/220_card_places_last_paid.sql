-- The risk step-up's "new place" is a place the card has not paid at within the abnormal-spending
-- detector's profile (60 days; core/src/ledger/risk-step-up.ts placeMemoryDays), or has paid at only
-- within the step-up's window since such a gap, no longer one it never paid at. Each card's last
-- payment per place and since when the place is known, written in the ledger batch under the card
-- row's lock (the last payment at most once a day per card and place). Filled from the accepted
-- payments in the journal (known since the first of them: gaps in the past are not looked for).
ALTER TABLE card_places ADD COLUMN last_paid_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE card_places ADD COLUMN known_since_ms BIGINT NOT NULL DEFAULT 0;

UPDATE card_places SET known_since_ms = first_paid_at_ms, last_paid_at_ms = COALESCE(
  (SELECT MAX(o.created_at_ms) FROM operations o
    WHERE o.card_no = card_places.card_no AND o.merchant_id = card_places.merchant_id
      AND o.kind = 'payment' AND o.outcome = 'ok'),
  first_paid_at_ms);
