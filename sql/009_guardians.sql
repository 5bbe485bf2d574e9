-- Parents (guardians) linked to a child's card with the child's consent: the child hands out a
-- one-time invitation code (kept in the BFF's kv), the parent's WeChat account redeems it and a
-- link is stored here. The child decides per link what the parent sees; the parent keeps a
-- low-balance alert threshold on the link.

-- One link per (parent account, child); a parent may link several children, a child several parents.
CREATE TABLE guardian_links (
  id VARCHAR(26) NOT NULL,
  parent_openid VARCHAR(64) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  show_balance SMALLINT NOT NULL,
  show_spending SMALLINT NOT NULL,
  low_balance_alert BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX guardian_links_parent_person ON guardian_links (parent_openid, person_id);
CREATE INDEX guardian_links_person ON guardian_links (person_id);
