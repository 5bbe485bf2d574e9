-- Settling inter-centre exceptions (docs/federation.md § Settling an exception).
-- At the device's centre: every foreign card's payment asked of its centre online, kept from before the
-- asking, so that an answer lost on the way back and never retried by the device can be asked about again
-- later by a job (under our operation id: the card's centre answers what it did the first time). status:
-- open (asked; the ledger may hold the sale already), booked (the sale or refusal is in our ledger),
-- reasked (the job booked the card centre's answer), absent (the card's centre never had it).
CREATE TABLE federation_asks (
  id VARCHAR(64) NOT NULL,
  centre_id VARCHAR(16) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  merchant_id VARCHAR(26) NOT NULL,
  device_id VARCHAR(32) NULL,
  amount BIGINT NOT NULL,
  asked_at_ms BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'open',
  checked_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT federation_asks_status CHECK (status IN ('open', 'booked', 'reasked', 'absent')),
  CONSTRAINT federation_asks_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX federation_asks_open ON federation_asks (status, asked_at_ms);

-- A maker-checker resolution of one exception of a reconciled day (federation_exceptions), kept apart so
-- that reconciling the day again keeps it while the exception is the same (kind and both amounts).
-- action: accept_theirs (the line settles at the other centre's figure, the difference from ours booked
-- against SYS-ADJUSTMENT once resolved), write_off (closed at our own figure, the other centre's differing
-- line written off). settled_amount is that figure. A second admin resolves (never the maker).
CREATE TABLE federation_resolutions (
  centre_id VARCHAR(16) NOT NULL,
  settle_day INT NOT NULL,
  direction VARCHAR(16) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  our_amount BIGINT NULL,
  their_amount BIGINT NULL,
  action VARCHAR(16) NOT NULL,
  settled_amount BIGINT NOT NULL,
  reason VARCHAR(200) NOT NULL,
  status VARCHAR(16) NOT NULL,
  maker_id VARCHAR(64) NOT NULL,
  checker_id VARCHAR(64) NULL,
  proposed_at_ms BIGINT NOT NULL,
  resolved_at_ms BIGINT NULL,
  PRIMARY KEY (centre_id, settle_day, direction, operation_id),
  CONSTRAINT federation_resolutions_action CHECK (action IN ('accept_theirs', 'write_off')),
  CONSTRAINT federation_resolutions_status CHECK (status IN ('proposed', 'resolved')),
  CONSTRAINT federation_resolutions_amount CHECK (settled_amount >= 0),
  CONSTRAINT federation_resolutions_checker CHECK (checker_id IS NULL OR checker_id <> maker_id),
  CONSTRAINT federation_resolutions_decided CHECK ((status = 'resolved') = (checker_id IS NOT NULL AND resolved_at_ms IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
