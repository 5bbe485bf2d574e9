-- Offices beyond the card centre get their own backoffice roles (docs/admin.md): the security office
-- (保卫处: doors, emergency open, the access log), the dorm office (宿管: dorm doors, curfews, late
-- returns), the transport office (校车: routes, runs, rides), the student-aid office (资助中心: hidden-need
-- candidates, nobody else sees them) and counsellors (辅导员: warnings about their own department's
-- students only, so they are scoped like a department admin). SQLite cannot change a CHECK in place,
-- so the table is rebuilt with the same columns and index.
CREATE TABLE admin_accounts_v29 (
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
  totp_pending_enc VARCHAR(255) NULL,
  PRIMARY KEY (id),
  CONSTRAINT admin_accounts_role_known CHECK (role IN ('super_admin', 'card_operator', 'finance', 'device_admin', 'content_editor', 'department_admin', 'auditor', 'security_office', 'dorm_office', 'transport_office', 'aid_office', 'counsellor')),
  CONSTRAINT admin_accounts_status_known CHECK (status IN ('active', 'disabled')),
  CONSTRAINT admin_accounts_scoped CHECK (role NOT IN ('department_admin', 'counsellor') OR department IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO admin_accounts_v29 (id, username, display_name, role, department, password_hash, totp_secret_enc, totp_last_step, failed_logins, locked_until_ms, status, created_at_ms, updated_at_ms, totp_pending_enc)
  SELECT id, username, display_name, role, department, password_hash, totp_secret_enc, totp_last_step, failed_logins, locked_until_ms, status, created_at_ms, updated_at_ms, totp_pending_enc FROM admin_accounts;
DROP TABLE admin_accounts;
ALTER TABLE admin_accounts_v29 RENAME TO admin_accounts;
CREATE UNIQUE INDEX admin_accounts_username ON admin_accounts (username);
