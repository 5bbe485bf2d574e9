-- Federation while a card's centre cannot be asked (docs/federation.md § A unreachable).
-- Each centre's offline policy for its own cards at other centres (a per-payment maximum and a per-card
-- daily cap, fen; 0 and 0: its cards are never taken without asking it), as the other centre last read it
-- over the link; kept here so that it applies while that centre is unreachable.
ALTER TABLE federation_centres ADD COLUMN offline_payment_max_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE federation_centres ADD COLUMN offline_card_cap_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE federation_centres ADD COLUMN offline_policy_at_ms BIGINT NULL;

-- At the device's centre: a payment of another centre's card accepted under that centre's offline policy,
-- to be forwarded to it (retried with backoff) until it answers; its answer is final (accepted: recorded as
-- a foreign sale; refused: that refusal and an offline exception). id is our operation id, as on the link.
CREATE TABLE federation_forwards (
  id VARCHAR(64) NOT NULL,
  centre_id VARCHAR(16) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  card_version BIGINT NULL,
  code_id VARCHAR(80) NULL,
  merchant_id VARCHAR(26) NOT NULL,
  device_id VARCHAR(32) NULL,
  amount BIGINT NOT NULL,
  taken_at_ms BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  reason VARCHAR(32) NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT federation_forwards_status CHECK (status IN ('pending', 'accepted', 'refused')),
  CONSTRAINT federation_forwards_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX federation_forwards_due ON federation_forwards (status, next_attempt_at_ms);

-- A card's offline total for a Shanghai day, per card centre: at the device's centre what it accepted of
-- that centre's card without asking; at the card's centre (centre_id its own) what all centres forwarded.
-- Taken with one conditional UPDATE (total + amount <= cap), so concurrent payments cannot pass the cap.
CREATE TABLE federation_offline_totals (
  centre_id VARCHAR(16) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  settle_day INT NOT NULL,
  total_fen BIGINT NOT NULL,
  PRIMARY KEY (centre_id, card_no, settle_day),
  CONSTRAINT federation_offline_totals_positive CHECK (total_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- At the card's centre: each forward received, once (its cap reservation is made with this row), and its
-- refusal when it was refused before the ledger (above the policy, the cap, a card lost before it).
CREATE TABLE federation_forwards_in (
  centre_id VARCHAR(16) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  settle_day INT NOT NULL,
  amount BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(32) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (centre_id, operation_id),
  CONSTRAINT federation_forwards_in_status CHECK (status IN ('reserved', 'refused'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An offline exception about another centre: at the device's centre its card (centre_card_no, never our
-- card_no), at the card's centre the centre whose device took it.
ALTER TABLE offline_exceptions ADD COLUMN centre_id VARCHAR(16) NULL;
ALTER TABLE offline_exceptions ADD COLUMN centre_card_no VARCHAR(20) NULL;
