-- The daily inter-centre settlement (docs/federation.md § Settlement): for each trusted centre and
-- Asia/Shanghai day, what its cards spent at our devices (receivable) and ours at its devices (payable),
-- each side's file compared line by line with the other centre's, the differences as exceptions, and
-- the net position, once paid, recorded as ledger transfers (net_recorded_at_ms).
CREATE TABLE federation_settlements (
  centre_id VARCHAR(16) NOT NULL,
  settle_day INT NOT NULL,
  receivable_amount BIGINT NOT NULL,
  payable_amount BIGINT NOT NULL,
  net_amount BIGINT NOT NULL,
  exception_count INT NOT NULL,
  net_recorded_at_ms BIGINT NULL,
  reconciled_at_ms BIGINT NOT NULL,
  PRIMARY KEY (centre_id, settle_day),
  CONSTRAINT federation_settlements_amounts CHECK (receivable_amount >= 0 AND payable_amount >= 0 AND exception_count >= 0),
  CONSTRAINT federation_settlements_net CHECK (net_amount = receivable_amount - payable_amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One line of a day's files that the two centres do not agree on. direction: receivable (its card at our
-- device) or payable (our card at its device); kind: missing_here (only in its file), missing_there (only
-- in ours), amount_differs.
CREATE TABLE federation_exceptions (
  centre_id VARCHAR(16) NOT NULL,
  settle_day INT NOT NULL,
  direction VARCHAR(16) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  our_amount BIGINT NULL,
  their_amount BIGINT NULL,
  PRIMARY KEY (centre_id, settle_day, direction, operation_id),
  CONSTRAINT federation_exceptions_direction CHECK (direction IN ('receivable', 'payable')),
  CONSTRAINT federation_exceptions_kind CHECK (kind IN ('missing_here', 'missing_there', 'amount_differs'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
