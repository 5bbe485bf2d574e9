-- A school-bus reader uploads the rides it let on offline as record kind bus_ride (docs/protocol.md
-- § 7.24): the run id in session_id, a fare in amount. SQLite cannot change a CHECK in place, so the
-- table is rebuilt with the same columns and index and one more kind.
CREATE TABLE offline_records_v55 (
  device_id VARCHAR(32) NOT NULL,
  offline_no BIGINT NOT NULL,
  sequence BIGINT NOT NULL,
  record_kind VARCHAR(16) NOT NULL,
  decision VARCHAR(16) NOT NULL,
  taken_at_ms BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  order_no BIGINT NOT NULL,
  session_id VARCHAR(32) NULL,
  card_no VARCHAR(20) NULL,
  record_hash CHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(32) NULL,
  operation_id VARCHAR(64) NULL,
  received_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id, offline_no),
  CONSTRAINT offline_records_kind_listed CHECK (record_kind IN ('payment', 'access', 'attendance', 'bus_ride')),
  CONSTRAINT offline_records_status_listed CHECK (status IN ('accepted', 'exception', 'rejected')),
  CONSTRAINT offline_records_amount_non_negative CHECK (amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO offline_records_v55 (device_id, offline_no, sequence, record_kind, decision, taken_at_ms, amount, order_no, session_id, card_no, record_hash, status, reason, operation_id, received_at_ms)
  SELECT device_id, offline_no, sequence, record_kind, decision, taken_at_ms, amount, order_no, session_id, card_no, record_hash, status, reason, operation_id, received_at_ms FROM offline_records;
DROP TABLE offline_records;
ALTER TABLE offline_records_v55 RENAME TO offline_records;
CREATE INDEX offline_records_sequence ON offline_records (device_id, sequence);
