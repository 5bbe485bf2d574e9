-- Bank 圈存 (docs/funds.md § Bank): bound bank cards, transfers between a bank account and a card,
-- the student's auto top-up settings, and what the end-of-day reconciliation found.

-- A card's bank card. The card number never reaches us in storage: the bank answers an agreement
-- token (签约号) that stands for it, and we keep that and the masked number. pending -> active on the
-- SMS code (sms_attempts taken by a conditional UPDATE before the code is sent on, so guesses are
-- bounded); active -> removed when the student unbinds.
CREATE TABLE bank_bindings (
  id VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  status VARCHAR(16) NOT NULL,
  request_id VARCHAR(64) NULL,
  token VARCHAR(64) NULL,
  masked VARCHAR(32) NOT NULL,
  phone_tail VARCHAR(4) NULL,
  sms_attempts INT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  bound_at_ms BIGINT NULL,
  removed_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT bank_bindings_status_known CHECK (status IN ('pending', 'active', 'removed')),
  CONSTRAINT bank_bindings_attempts_nonnegative CHECK (sms_attempts >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX bank_bindings_card ON bank_bindings (card_no, status);

-- One row per transfer; the id is the transfer id the bank sees and names the ledger operation
-- (bk:<id>). direction load = bank -> card (圈存), payout = card's refund -> bank.
-- pending -> confirmed (bank booked it) -> credited (ledger top_up accepted) | unapplied (ledger refused);
-- pending -> failed (the bank refused: final); pending -> uncertain (no answer) -> reversed (冲正
-- answered) | confirmed (the bank's query or day file shows it booked).
CREATE TABLE bank_transfers (
  id VARCHAR(40) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  binding_id VARCHAR(32) NOT NULL,
  direction VARCHAR(8) NOT NULL,
  origin VARCHAR(8) NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  amount BIGINT NOT NULL,
  day INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  bank_serial VARCHAR(40) NULL,
  failure_code VARCHAR(32) NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT bank_transfers_status_known CHECK (status IN ('pending', 'uncertain', 'confirmed', 'credited', 'unapplied', 'failed', 'reversed')),
  CONSTRAINT bank_transfers_direction_known CHECK (direction IN ('load', 'payout')),
  CONSTRAINT bank_transfers_origin_known CHECK (origin IN ('app', 'auto', 'kiosk', 'refund')),
  CONSTRAINT bank_transfers_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- A retried request (same card, same key) finds its transfer instead of making a second.
CREATE UNIQUE INDEX bank_transfers_idempotency ON bank_transfers (card_no, idempotency_key);
CREATE INDEX bank_transfers_card ON bank_transfers (card_no, created_at_ms);
CREATE INDEX bank_transfers_status ON bank_transfers (status, created_at_ms);

-- Auto top-up: when the main balance is below threshold, load amount, at most once per Shanghai day
-- (last_day) and within monthly_cap per Shanghai month (month_used for month), both reserved by one
-- conditional UPDATE before the bank is asked.
CREATE TABLE bank_auto_top_ups (
  card_no VARCHAR(20) NOT NULL,
  enabled INT NOT NULL,
  threshold BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  monthly_cap BIGINT NOT NULL,
  last_day INT NULL,
  month INT NULL,
  month_used BIGINT NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (card_no),
  CONSTRAINT bank_auto_top_ups_amounts CHECK (threshold >= 0 AND amount > 0 AND monthly_cap >= amount AND month_used >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Differences between our transfers and the bank's day file; a rerun stores each once.
CREATE TABLE bank_mismatches (
  bill_date CHAR(10) NOT NULL,
  transfer_id VARCHAR(40) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  ours VARCHAR(255) NULL,
  theirs VARCHAR(255) NULL,
  found_at_ms BIGINT NOT NULL,
  PRIMARY KEY (bill_date, transfer_id, kind),
  CONSTRAINT bank_mismatches_kind_known CHECK (kind IN ('missing_ours', 'missing_theirs', 'amount_differs', 'state_differs'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
