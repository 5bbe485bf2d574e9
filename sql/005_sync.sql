-- Identity sync from the academic-affairs and HR databases (docs/sync.md).
-- The sources are read, never written; these tables are the core's memory of what it has seen.

-- One row per run, updated after every page so the backoffice can show progress while it runs.
CREATE TABLE sync_runs (
  id VARCHAR(26) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  trigger_type VARCHAR(16) NOT NULL,
  actor_id VARCHAR(64) NULL,
  phase VARCHAR(32) NULL,
  rows_read INT NOT NULL DEFAULT 0,
  rows_total INT NOT NULL DEFAULT 0,
  created_count INT NOT NULL DEFAULT 0,
  updated_count INT NOT NULL DEFAULT 0,
  cancelled_count INT NOT NULL DEFAULT 0,
  invalid_count INT NOT NULL DEFAULT 0,
  roster_count INT NOT NULL DEFAULT 0,
  failure VARCHAR(255) NULL,
  started_at_ms BIGINT NOT NULL,
  heartbeat_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT sync_runs_kind_known CHECK (kind IN ('incremental', 'full')),
  CONSTRAINT sync_runs_status_known CHECK (status IN ('running', 'succeeded', 'failed')),
  CONSTRAINT sync_runs_trigger_known CHECK (trigger_type IN ('schedule', 'admin', 'system'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sync_runs_started ON sync_runs (started_at_ms);

-- The single lock row: a run takes it with a conditional UPDATE, so two core processes never run
-- at once; a lock whose heartbeat has gone stale (a crashed process) may be taken over.
CREATE TABLE sync_lock (
  name VARCHAR(16) NOT NULL,
  run_id VARCHAR(26) NULL,
  heartbeat_at_ms BIGINT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO sync_lock (name, run_id, heartbeat_at_ms) VALUES ('identity', NULL, 0);

-- Rows a run could not apply, each with a stable code and a reason (never names, ID numbers or phones).
CREATE TABLE sync_run_errors (
  run_id VARCHAR(26) NOT NULL,
  seq INT NOT NULL,
  stream VARCHAR(32) NOT NULL,
  source_row_id VARCHAR(32) NULL,
  person_no VARCHAR(32) NULL,
  code VARCHAR(40) NOT NULL,
  reason VARCHAR(255) NOT NULL,
  PRIMARY KEY (run_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How far each source table has been read: the last (updated_at, id) applied, updated_at in epoch ms UTC.
CREATE TABLE sync_watermarks (
  stream VARCHAR(32) NOT NULL,
  watermark_ms BIGINT NOT NULL,
  watermark_row_id BIGINT NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (stream)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The people the sync manages: which source row each came from, and a keyed digest (HMAC) of the
-- fields last applied, so an unchanged row is recognised without unsealing any PII.
CREATE TABLE sync_people (
  person_no VARCHAR(32) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  source VARCHAR(16) NOT NULL,
  source_row_id VARCHAR(32) NOT NULL,
  dept_code VARCHAR(8) NULL,
  class_code VARCHAR(16) NULL,
  source_status VARCHAR(16) NOT NULL,
  digest CHAR(64) NOT NULL,
  source_updated_at_ms BIGINT NOT NULL,
  synced_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_no),
  CONSTRAINT sync_people_source_known CHECK (source IN ('academic', 'hr'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX sync_people_person ON sync_people (person_id);
CREATE INDEX sync_people_class ON sync_people (class_code);

-- Balances to pay out to people whose cards the sync cancelled (graduates, leavers): the main
-- wallet went to refund payable in the close_out operation; the card centre pays and marks it paid.
CREATE TABLE refund_list (
  operation_id VARCHAR(64) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  main_amount BIGINT NOT NULL,
  subsidy_amount BIGINT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'due',
  created_at_ms BIGINT NOT NULL,
  paid_at_ms BIGINT NULL,
  PRIMARY KEY (operation_id),
  CONSTRAINT refund_list_status_known CHECK (status IN ('due', 'paid')),
  CONSTRAINT refund_list_amounts_not_negative CHECK (main_amount >= 0 AND subsidy_amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX refund_list_status ON refund_list (status, created_at_ms);

-- Rosters for attendance go into attendance_sessions and attendance_roster (sql/004_gateway.sql).
-- This table says which of those sessions the sync made, from which course and term, so a changed
-- enrolment recomputes the rosters of its course's sessions and a session gone from the timetable is
-- removed, while sessions made by hand (meetings) are left alone.
CREATE TABLE sync_sessions (
  session_id VARCHAR(32) NOT NULL,
  term VARCHAR(16) NOT NULL,
  course_code VARCHAR(16) NOT NULL,
  source_updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sync_sessions_course ON sync_sessions (term, course_code);
