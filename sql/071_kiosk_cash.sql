-- Self-service kiosks' banknotes (docs/funds.md § Kiosk cash): each cash top-up a kiosk's acceptor
-- counted, keyed by its ledger operation (dev:<device>:<sequence>, so a retried frame records nothing
-- twice), and each collection of a kiosk's cash box, which claims the open entries and compares their
-- sum with what the collector counted. A difference is an exception for finance.
CREATE TABLE kiosk_cash_entries (
  operation_id VARCHAR(64) NOT NULL,
  device_ref VARCHAR(64) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  amount BIGINT NOT NULL,
  notes INT NOT NULL,
  collection_id VARCHAR(32) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (operation_id),
  CONSTRAINT kiosk_cash_entries_amount_positive CHECK (amount > 0 AND notes > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX kiosk_cash_entries_open ON kiosk_cash_entries (device_ref, collection_id);

-- status: balanced (counted = expected), discrepancy (an open exception), resolved (finance closed it).
CREATE TABLE kiosk_collections (
  id VARCHAR(32) NOT NULL,
  device_ref VARCHAR(64) NOT NULL,
  request_id VARCHAR(64) NOT NULL,
  expected_amount BIGINT NOT NULL,
  expected_notes INT NOT NULL,
  counted_amount BIGINT NOT NULL,
  difference BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  collector_id VARCHAR(64) NOT NULL,
  note VARCHAR(200) NULL,
  created_at_ms BIGINT NOT NULL,
  resolved_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT kiosk_collections_status_known CHECK (status IN ('balanced', 'discrepancy', 'resolved')),
  CONSTRAINT kiosk_collections_counted_nonnegative CHECK (counted_amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- A retried collection (same request id) finds the first.
CREATE UNIQUE INDEX kiosk_collections_request ON kiosk_collections (request_id);
CREATE INDEX kiosk_collections_device ON kiosk_collections (device_ref, created_at_ms);
