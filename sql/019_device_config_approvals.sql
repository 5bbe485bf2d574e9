-- Maker-checker covers device price changes too (docs/admin.md, "Device configuration"): a change of a
-- device's price items or meter pricing waits for a second admin before the gateway pushes it. SQLite
-- cannot change a CHECK in place, so the table is rebuilt with the same columns and index and one more kind.
CREATE TABLE admin_approvals_v19 (
  id VARCHAR(26) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  payload TEXT NOT NULL,
  amount BIGINT NOT NULL,
  reason VARCHAR(200) NOT NULL,
  target_id VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  maker_id VARCHAR(26) NOT NULL,
  checker_id VARCHAR(26) NULL,
  created_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT admin_approvals_kind_v19 CHECK (kind IN ('adjustment', 'top_up_refund', 'device_config')),
  CONSTRAINT admin_approvals_status_v19 CHECK (status IN ('pending', 'approved', 'rejected')),
  CONSTRAINT admin_approvals_two_people_v19 CHECK (checker_id IS NULL OR checker_id <> maker_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO admin_approvals_v19 (id, kind, payload, amount, reason, target_id, status, maker_id, checker_id, created_at_ms, decided_at_ms)
  SELECT id, kind, payload, amount, reason, target_id, status, maker_id, checker_id, created_at_ms, decided_at_ms FROM admin_approvals;
DROP TABLE admin_approvals;
ALTER TABLE admin_approvals_v19 RENAME TO admin_approvals;
CREATE INDEX admin_approvals_status ON admin_approvals (status, created_at_ms);
