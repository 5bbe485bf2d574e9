-- Meetings and exams made in the backoffice (#15, docs/visitors-meetings-bus.md). The session itself and
-- its roster are an attendance session (sql/004), so readers sign people in as for classes; this adds
-- who organised it, whether anyone may sign in (an open meeting), when a sign-in counts as late, the
-- readers assigned to it and, for exams, each candidate's seat.
CREATE TABLE meetings (
  session_id VARCHAR(32) NOT NULL,
  organiser VARCHAR(64) NOT NULL,
  open_roster SMALLINT NOT NULL DEFAULT 0,
  late_after_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE meeting_readers (
  session_id VARCHAR(32) NOT NULL,
  device_id VARCHAR(32) NOT NULL,
  PRIMARY KEY (session_id, device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX meeting_readers_device ON meeting_readers (device_id);

CREATE TABLE exam_seats (
  session_id VARCHAR(32) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  seat VARCHAR(16) NOT NULL,
  PRIMARY KEY (session_id, person_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
