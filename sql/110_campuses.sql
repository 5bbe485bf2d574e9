-- Campuses (校区) within one card centre (docs/campuses.md): a card works on every campus of its centre,
-- while places, devices, merchants, settlement rows, reports, admin scopes and news can be told apart by
-- campus. A campus may be linked to the root of its place tree (a passage place of kind 'campus'): the
-- place tree is not duplicated, the link says which tree is which campus's, and a device bound to a door
-- takes its campus from that door's root. A merchant or device without a campus is centre-wide.
CREATE TABLE campuses (
  id VARCHAR(26) NOT NULL,
  code VARCHAR(16) NOT NULL,
  name VARCHAR(64) NOT NULL,
  place_id VARCHAR(26) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT campuses_code_shape CHECK (LENGTH(code) >= 1),
  CONSTRAINT campuses_name_shape CHECK (LENGTH(name) >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX campuses_code ON campuses (code);
-- One campus per place tree (NULLs do not collide, on MySQL and SQLite alike).
CREATE UNIQUE INDEX campuses_place ON campuses (place_id);

-- Written by the merchants' and devices' own repositories, at the campus domain's request.
ALTER TABLE merchants ADD COLUMN campus_id VARCHAR(26) NULL;
CREATE INDEX merchants_campus ON merchants (campus_id);
ALTER TABLE devices ADD COLUMN campus_id VARCHAR(26) NULL;
CREATE INDEX devices_campus ON devices (campus_id);

-- A backoffice account scoped to one campus sees and changes only that campus's merchants, devices,
-- places, settlement rows and reports (enforced by the BFF's admin API). NULL: the whole centre.
-- A super admin is never scoped: it makes the accounts, so a scoped one could make itself an unscoped one.
ALTER TABLE admin_accounts ADD COLUMN campus_id VARCHAR(26) NULL CHECK (campus_id IS NULL OR role <> 'super_admin');
