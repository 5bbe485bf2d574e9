-- Visitors (#15, docs/visitors-meetings-bus.md). A host registers a visit; where the host's department
-- asks for it the visit waits for approval; the visitor opens a link (its token kept only as a hash) and
-- shows a pass the campus key signs. Phone and ID-number tail are sealed under PII_KEY.
CREATE TABLE visits (
  id VARCHAR(26) NOT NULL,
  pass_id CHAR(16) NOT NULL,
  link_token_hash CHAR(64) NOT NULL,
  host_person_id VARCHAR(26) NOT NULL,
  host_card_no VARCHAR(20) NOT NULL,
  host_request_id VARCHAR(40) NOT NULL,
  visitor_name VARCHAR(64) NOT NULL,
  visitor_phone_enc VARCHAR(255) NOT NULL,
  id_tail_enc VARCHAR(255) NOT NULL,
  purpose VARCHAR(200) NOT NULL,
  places VARCHAR(400) NOT NULL,
  valid_from_ms BIGINT NOT NULL,
  valid_until_ms BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  decided_by VARCHAR(64) NULL,
  decided_at_ms BIGINT NULL,
  on_campus SMALLINT NOT NULL DEFAULT 0,
  last_passage_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT visits_status_known CHECK (status IN ('pending', 'approved', 'refused', 'cancelled')),
  CONSTRAINT visits_window CHECK (valid_until_ms > valid_from_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX visits_pass ON visits (pass_id);
CREATE UNIQUE INDEX visits_link ON visits (link_token_hash);
CREATE UNIQUE INDEX visits_host_request ON visits (host_person_id, host_request_id);
CREATE INDEX visits_on_campus ON visits (on_campus, valid_until_ms);
CREATE INDEX visits_status ON visits (status, created_at_ms);

-- Check-ins and check-outs at gates: one row per device frame (or offline record), so a retried frame
-- or a re-uploaded record is stored once.
CREATE TABLE visit_passages (
  device_id VARCHAR(32) NOT NULL,
  sequence BIGINT NOT NULL,
  visit_id VARCHAR(26) NOT NULL,
  direction VARCHAR(8) NOT NULL,
  source VARCHAR(8) NOT NULL,
  occurred_at_ms BIGINT NOT NULL,
  recorded_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id, sequence, source),
  CONSTRAINT visit_passages_direction CHECK (direction IN ('in', 'out')),
  CONSTRAINT visit_passages_source CHECK (source IN ('online', 'offline'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX visit_passages_visit ON visit_passages (visit_id, occurred_at_ms);

-- The campus's visitor policy, one row: which person types may invite (comma-separated), and the
-- departments whose hosts' visits wait for approval (a JSON array of department names).
CREATE TABLE visitor_policy (
  id SMALLINT NOT NULL,
  host_types VARCHAR(64) NOT NULL,
  approval_departments TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO visitor_policy (id, host_types, approval_departments, updated_at_ms) VALUES (1, 'staff,student', '[]', 0);
