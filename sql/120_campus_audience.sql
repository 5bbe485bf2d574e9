-- News and courses can be sent to a campus (校区, #18, docs/campuses.md): audience kind 'campus' whose
-- value is a campus id (campuses.id, sql/110); it reaches the active people who live in a dorm building
-- of that campus's place tree. SQLite cannot change a CHECK in place, so both tables are rebuilt (as
-- sql/092 did for grades) with every column sql/008, 015, 083 and 092 left them, the same indexes, the
-- kinds 'grade' and the rest kept, and one more kind. The column lists are spelled out: a column added
-- to news or courses by a migration before this one and missing here makes this migration fail, not vanish.
CREATE TABLE news_v120 (
  id VARCHAR(26) NOT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  audience_type VARCHAR(16) NOT NULL,
  audience_value VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'published',
  publish_at_ms BIGINT NOT NULL,
  author VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NULL,
  announced_at_ms BIGINT NULL,
  important SMALLINT NOT NULL DEFAULT 0,
  messages_queued_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT news_audience_known CHECK (audience_type IN ('all', 'students', 'staff', 'department', 'class', 'grade', 'campus')),
  CONSTRAINT news_audience_value CHECK ((audience_type IN ('department', 'class', 'grade', 'campus')) = (audience_value IS NOT NULL)),
  CONSTRAINT news_status_known CHECK (status IN ('published', 'withdrawn')),
  CONSTRAINT news_important_flag CHECK (important IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO news_v120 (id, title, body, audience_type, audience_value, status, publish_at_ms, author, created_at_ms,
    updated_at_ms, announced_at_ms, important, messages_queued_at_ms)
  SELECT id, title, body, audience_type, audience_value, status, publish_at_ms, author, created_at_ms,
    updated_at_ms, announced_at_ms, important, messages_queued_at_ms FROM news;
DROP TABLE news;
ALTER TABLE news_v120 RENAME TO news;
CREATE INDEX news_publish_at ON news (publish_at_ms);
CREATE INDEX news_announce ON news (announced_at_ms, publish_at_ms);

CREATE TABLE courses_v120 (
  id VARCHAR(26) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  teacher VARCHAR(64) NOT NULL,
  audience_type VARCHAR(16) NOT NULL,
  audience_value VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT courses_audience_known CHECK (audience_type IN ('all', 'students', 'staff', 'department', 'class', 'grade', 'campus')),
  CONSTRAINT courses_audience_value CHECK ((audience_type IN ('department', 'class', 'grade', 'campus')) = (audience_value IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO courses_v120 (id, title, description, teacher, audience_type, audience_value, created_at_ms, updated_at_ms)
  SELECT id, title, description, teacher, audience_type, audience_value, created_at_ms, updated_at_ms FROM courses;
DROP TABLE courses;
ALTER TABLE courses_v120 RENAME TO courses;
