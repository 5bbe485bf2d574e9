-- The payment path's risk step-up (core/src/ledger/risk-step-up.ts, docs/analytics.md): each card's
-- count of high payments in the current window and of those at places new to it, and since when its
-- payments need the PIN. Read and written with the card row locked in the ledger batch, so a burst of
-- payments is counted one by one and none gets past a step-up without the PIN.
ALTER TABLE cards ADD COLUMN risk_window_start_ms BIGINT NULL;
ALTER TABLE cards ADD COLUMN risk_high_payments INT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN risk_new_place_payments INT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN pin_step_up_at_ms BIGINT NULL;

-- The places (merchants) each card has paid at: "new to the card" is a missing row. Filled from the
-- accepted payments already in the journal, then by each accepted payment at a new place.
CREATE TABLE card_places (
  card_no VARCHAR(20) NOT NULL,
  merchant_id VARCHAR(26) NOT NULL,
  first_paid_at_ms BIGINT NOT NULL,
  PRIMARY KEY (card_no, merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO card_places (card_no, merchant_id, first_paid_at_ms)
  SELECT card_no, merchant_id, MIN(created_at_ms) FROM operations
   WHERE kind = 'payment' AND outcome = 'ok' AND card_no IS NOT NULL AND merchant_id IS NOT NULL
   GROUP BY card_no, merchant_id;
