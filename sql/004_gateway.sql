-- Device gateway: the blacklist devices download and receive pushes of, offline records uploaded after a
-- device was cut off (with the exceptions an administrator settles), attendance sessions with their
-- rosters and sign-ins, access events from gates and identity checks, and per-device configuration.
-- docs/gateway.md and docs/protocol.md §§ 7.8, 7.18-7.22, 12 describe what the gateway does with them.

-- The blacklist's version: one row, bumped by one for every change in the same transaction that writes
-- the change, so versions have no holes and a delta from any version is "changes above it".
CREATE TABLE blacklist_state (
  id SMALLINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT blacklist_state_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO blacklist_state (id, version) VALUES (1, 0);

-- The list as it stands: the cards whose codes devices refuse offline. card_version_max 4294967295
-- refuses every version (lost, frozen, cancelled); a reissue lists the versions it replaced.
CREATE TABLE blacklist_entries (
  card_no VARCHAR(20) NOT NULL,
  card_version_max BIGINT NOT NULL,
  reason VARCHAR(16) NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (card_no),
  CONSTRAINT blacklist_entries_reason_known CHECK (reason IN ('lost', 'frozen', 'cancelled', 'reissued'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change, one version each: what BLACKLIST_DELTA carries.
CREATE TABLE blacklist_changes (
  version BIGINT NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  op VARCHAR(8) NOT NULL,
  card_version_max BIGINT NOT NULL,
  reason VARCHAR(16) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (version),
  CONSTRAINT blacklist_changes_op_known CHECK (op IN ('add', 'remove'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every offline record a device uploaded, keyed by its offline record number (contiguous per device, so
-- missing numbers are the gaps); the sequence is the idempotency key shared with online requests.
-- status: accepted, exception (kept, could not be charged), rejected (bad MAC, sequence conflict).
CREATE TABLE offline_records (
  device_id VARCHAR(32) NOT NULL,
  offline_no BIGINT NOT NULL,
  sequence BIGINT NOT NULL,
  record_kind VARCHAR(16) NOT NULL,
  decision VARCHAR(16) NOT NULL,
  taken_at_ms BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  order_no BIGINT NOT NULL,
  session_id VARCHAR(32) NULL,
  card_no VARCHAR(20) NULL,
  record_hash CHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(32) NULL,
  operation_id VARCHAR(64) NULL,
  received_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id, offline_no),
  CONSTRAINT offline_records_kind_known CHECK (record_kind IN ('payment', 'access', 'attendance')),
  CONSTRAINT offline_records_status_known CHECK (status IN ('accepted', 'exception', 'rejected')),
  CONSTRAINT offline_records_amount_not_negative CHECK (amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX offline_records_sequence ON offline_records (device_id, sequence);

-- Offline payments that could not be charged in full (insufficient funds, lost card ...): the shortfall
-- was booked to SYS-OFFLINE-RECEIVABLE; administrators recover it and close the exception.
CREATE TABLE offline_exceptions (
  id VARCHAR(26) NOT NULL,
  device_id VARCHAR(32) NOT NULL,
  offline_no BIGINT NOT NULL,
  sequence BIGINT NOT NULL,
  card_no VARCHAR(20) NULL,
  amount BIGINT NOT NULL,
  receivable_amount BIGINT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  operation_id VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'open',
  taken_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT offline_exceptions_status_known CHECK (status IN ('open', 'closed')),
  CONSTRAINT offline_exceptions_amounts CHECK (amount >= 0 AND receivable_amount >= 0 AND receivable_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX offline_exceptions_record ON offline_exceptions (device_id, offline_no);
CREATE INDEX offline_exceptions_open ON offline_exceptions (status, created_at_ms);

-- A class meeting, meeting or exam sitting readers take sign-ins for, filled from the academic-affairs
-- database by the identity sync. Sign-ins are taken from sign_in_from_ms (inclusive) to
-- sign_in_until_ms (exclusive).
CREATE TABLE attendance_sessions (
  id VARCHAR(32) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  title VARCHAR(128) NOT NULL,
  location VARCHAR(64) NULL,
  starts_at_ms BIGINT NOT NULL,
  ends_at_ms BIGINT NOT NULL,
  sign_in_from_ms BIGINT NOT NULL,
  sign_in_until_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT attendance_sessions_kind_known CHECK (kind IN ('class', 'meeting', 'exam')),
  CONSTRAINT attendance_sessions_window CHECK (sign_in_from_ms < sign_in_until_ms AND starts_at_ms <= ends_at_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who is expected at a session, by person number (the academic-affairs student or staff number).
CREATE TABLE attendance_roster (
  session_id VARCHAR(32) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  PRIMARY KEY (session_id, person_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX attendance_roster_person ON attendance_roster (person_no);

-- The first sign-in of each person at each session; later scans answer already_recorded.
CREATE TABLE attendance_records (
  session_id VARCHAR(32) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  device_id VARCHAR(32) NOT NULL,
  sequence BIGINT NOT NULL,
  source VARCHAR(8) NOT NULL,
  recorded_at_ms BIGINT NOT NULL,
  PRIMARY KEY (session_id, person_no),
  CONSTRAINT attendance_records_source_known CHECK (source IN ('online', 'offline'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX attendance_records_person ON attendance_records (person_no, recorded_at_ms);

-- Every identity check at a gate, door, library or bus reader, allowed or denied, online or uploaded
-- from offline; one per (device, sequence).
CREATE TABLE access_events (
  id VARCHAR(26) NOT NULL,
  device_id VARCHAR(32) NOT NULL,
  sequence BIGINT NOT NULL,
  card_no VARCHAR(20) NULL,
  person_no VARCHAR(32) NULL,
  direction VARCHAR(8) NOT NULL,
  decision VARCHAR(8) NOT NULL,
  reason VARCHAR(32) NULL,
  source VARCHAR(8) NOT NULL,
  occurred_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT access_events_direction_known CHECK (direction IN ('none', 'in', 'out')),
  CONSTRAINT access_events_decision_known CHECK (decision IN ('allow', 'deny')),
  CONSTRAINT access_events_source_known CHECK (source IN ('online', 'offline'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX access_events_request ON access_events (device_id, sequence);
CREATE INDEX access_events_card ON access_events (card_no, occurred_at_ms);

-- Per-device configuration pushed at sign-in and on change (CONFIG_PUSH): the version, and the settings
-- as the protocol's fields (JSON; read once per sign-in, never on a money path).
CREATE TABLE device_configs (
  device_id VARCHAR(32) NOT NULL,
  config_version BIGINT NOT NULL,
  settings TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
