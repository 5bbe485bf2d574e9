-- How an offline exception was closed (docs/admin.md, "Offline exceptions"). An open exception is closed
-- once, by one conditional UPDATE ... WHERE status = 'open' in the same transaction as its money:
--   recovered   the card's main wallet paid the receivable to SYS-OFFLINE-RECEIVABLE;
--   written_off the receivable moved from SYS-OFFLINE-RECEIVABLE to SYS-OFFLINE-WRITE-OFF (a loss);
--   dismissed   nothing was owed (receivable 0: a refused code, an attendance outside its window).
-- So SYS-OFFLINE-RECEIVABLE's balance is always minus the receivables of the open exceptions.
-- resolution_request_id is the admin's idempotency key: the same request again answers the same result.
ALTER TABLE offline_exceptions ADD COLUMN resolution VARCHAR(16) NULL CHECK (resolution IN ('recovered', 'written_off', 'dismissed'));
ALTER TABLE offline_exceptions ADD COLUMN resolved_by VARCHAR(64) NULL;
ALTER TABLE offline_exceptions ADD COLUMN resolved_at_ms BIGINT NULL;
ALTER TABLE offline_exceptions ADD COLUMN resolution_note VARCHAR(200) NULL;
ALTER TABLE offline_exceptions ADD COLUMN resolution_request_id VARCHAR(64) NULL;
ALTER TABLE offline_exceptions ADD COLUMN resolution_operation_id VARCHAR(64) NULL;
CREATE UNIQUE INDEX offline_exceptions_resolution_request ON offline_exceptions (resolution_request_id);

-- The loss side of a write-off: it runs negative by what was never recovered.
INSERT INTO accounts (id, kind, owner_id, code, allow_overdraft, created_at_ms) VALUES
  ('SYS-OFFLINE-WRITE-OFF', 'system', NULL, 'offline_write_off', 1, 0);
