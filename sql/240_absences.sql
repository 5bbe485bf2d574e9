-- 请假 (#17, core/src/absences): a student reports an absence (事假/病假/公假, from–to, a reason, whether
-- they will be off campus); their counsellor (辅导员, the student's department, kept with the row as it
-- was when reported) approves or rejects it with a reason; the student may cancel it while it is pending.
-- The insight extract copies the approved ones (by decided_at_ms) for attendance warnings and the
-- spending-during-absence rule. (person_id, request_id) makes a retried report one row.
CREATE TABLE absences (
  id VARCHAR(26) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  department VARCHAR(64) NULL,
  request_id VARCHAR(40) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  reason VARCHAR(200) NOT NULL,
  off_campus TINYINT NOT NULL,
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  decision_note VARCHAR(200) NULL,
  decided_by VARCHAR(64) NULL,
  decided_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT absences_request UNIQUE (person_id, request_id),
  CONSTRAINT absences_kind_known CHECK (kind IN ('personal', 'sick', 'official')),
  CONSTRAINT absences_status_known CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  CONSTRAINT absences_in_order CHECK (to_ms > from_ms),
  -- At most 60 days (absenceDaysMax in core/src/contract/limits.ts is the same bound or smaller).
  CONSTRAINT absences_bounded CHECK (to_ms - from_ms <= 5184000000),
  CONSTRAINT absences_off_campus_bool CHECK (off_campus IN (0, 1)),
  CONSTRAINT absences_decided CHECK (
    (status = 'pending' AND decided_at_ms IS NULL AND decided_by IS NULL)
    OR (status = 'cancelled' AND decided_at_ms IS NOT NULL AND decided_by IS NULL)
    OR (status IN ('approved', 'rejected') AND decided_at_ms IS NOT NULL AND decided_by IS NOT NULL)),
  CONSTRAINT absences_rejected_reason CHECK (status <> 'rejected' OR decision_note IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX absences_person ON absences (person_id, created_at_ms);
CREATE INDEX absences_department ON absences (department, status, created_at_ms);
CREATE INDEX absences_decided ON absences (status, decided_at_ms, id);
