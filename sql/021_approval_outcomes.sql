-- An approval is marked approved only once what it approves has been carried out (#12.10): a
-- checker's approval first claims it (approving), the action runs under the approval's own ledger
-- id, and then it becomes approved, or failed with the refusal's code when the action was refused;
-- a crash in between leaves it approving for the same checker to finish. Cash-desk top-ups past the
-- maker's daily total wait for approval too (#12.9). SQLite cannot change a CHECK in place, so the
-- table is rebuilt with the same columns plus failure, and the same index.
CREATE TABLE admin_approvals_v21 (
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
  failure VARCHAR(200) NULL,
  PRIMARY KEY (id),
  CONSTRAINT admin_approvals_kind_v21 CHECK (kind IN ('adjustment', 'top_up_refund', 'device_config', 'cash_top_up')),
  CONSTRAINT admin_approvals_status_v21 CHECK (status IN ('pending', 'approving', 'approved', 'rejected', 'failed')),
  CONSTRAINT admin_approvals_two_people_v21 CHECK (checker_id IS NULL OR checker_id <> maker_id),
  CONSTRAINT admin_approvals_failure_v21 CHECK ((status = 'failed') = (failure IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO admin_approvals_v21 (id, kind, payload, amount, reason, target_id, status, maker_id, checker_id, created_at_ms, decided_at_ms)
  SELECT id, kind, payload, amount, reason, target_id, status, maker_id, checker_id, created_at_ms, decided_at_ms FROM admin_approvals;
DROP TABLE admin_approvals;
ALTER TABLE admin_approvals_v21 RENAME TO admin_approvals;
CREATE INDEX admin_approvals_status ON admin_approvals (status, created_at_ms);

-- What each maker posted at once (without a checker) per Asia/Shanghai day and kind, reserved before
-- the posting by one conditional UPDATE (total + amount <= threshold), so batches split small or
-- posted concurrently cannot together pass the subsidy approval threshold (#12.9).
CREATE TABLE maker_day_totals (
  maker_id VARCHAR(64) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  day CHAR(10) NOT NULL,
  total BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (maker_id, kind, day),
  CONSTRAINT maker_day_totals_kind CHECK (kind IN ('subsidy_batch')),
  CONSTRAINT maker_day_totals_nonnegative CHECK (total >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
