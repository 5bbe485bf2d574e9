-- Backoffice: admin accounts, maker-checker approvals, and the order of the audit chain.
-- The BFF's admin API reaches these through the core's /v1/admin routes (it has no database of
-- its own), so the embedded default and every BFF instance see one set of accounts.

-- One account per card-centre staff member. The password is an scrypt hash (salt and cost inside
-- the string); the TOTP secret is sealed under PII_KEY. Failed logins are counted by the database
-- (failed_logins + 1 in one UPDATE) so concurrent wrong guesses cannot under-count.
CREATE TABLE admin_accounts (
  id VARCHAR(26) NOT NULL,
  username VARCHAR(32) NOT NULL,
  display_name VARCHAR(64) NOT NULL,
  role VARCHAR(24) NOT NULL,
  department VARCHAR(64) NULL,
  password_hash VARCHAR(255) NOT NULL,
  totp_secret_enc VARCHAR(255) NULL,
  totp_last_step BIGINT NULL,
  failed_logins INT NOT NULL DEFAULT 0,
  locked_until_ms BIGINT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'active',
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT admin_accounts_role_known CHECK (role IN ('super_admin', 'card_operator', 'finance', 'device_admin', 'content_editor', 'department_admin', 'auditor')),
  CONSTRAINT admin_accounts_status_known CHECK (status IN ('active', 'disabled')),
  CONSTRAINT admin_accounts_scoped CHECK (role <> 'department_admin' OR department IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX admin_accounts_username ON admin_accounts (username);

-- Maker-checker: an action above its threshold waits here until a second admin decides. The
-- decision is one UPDATE ... WHERE status = 'pending' AND maker_id <> checker, so it happens once
-- and never by the maker.
CREATE TABLE admin_approvals (
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
  CONSTRAINT admin_approvals_kind_known CHECK (kind IN ('adjustment')),
  CONSTRAINT admin_approvals_status_known CHECK (status IN ('pending', 'approved', 'rejected')),
  CONSTRAINT admin_approvals_two_people CHECK (checker_id IS NULL OR checker_id <> maker_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX admin_approvals_status ON admin_approvals (status, created_at_ms);

-- The audit chain's order: seq is the head's seq + 1, unique like prev_hash, so two appends that
-- read the same head cannot both land (the loser retries on the new head).
ALTER TABLE audit_log ADD COLUMN seq BIGINT NULL;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, created_at_ms);
CREATE INDEX audit_log_created ON audit_log (created_at_ms);
