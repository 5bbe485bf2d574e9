-- One row per parent account that has asked for a parent link: the row a link request locks
-- (SELECT … FOR UPDATE) together with the child's persons row, in the same transaction as the
-- caps' counts and the insert, so a burst of link requests cannot pass the per-parent or the
-- per-child cap (#12.1 class). The counts stay derived from guardian_links; this row only serialises.
CREATE TABLE guardian_parents (
  parent_openid VARCHAR(64) NOT NULL,
  PRIMARY KEY (parent_openid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
