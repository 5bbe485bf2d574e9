-- News and courses for the mini-program: what the card centre and teachers publish, whom it is for,
-- and what each person has read or watched. Audiences name a kind and, where it needs one, a value:
-- all; students; staff; department (persons.department); class (sync_people.class_code).

CREATE TABLE news (
  id VARCHAR(26) NOT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  audience_type VARCHAR(16) NOT NULL,
  audience_value VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'published',
  publish_at_ms BIGINT NOT NULL,
  author VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT news_audience_known CHECK (audience_type IN ('all', 'students', 'staff', 'department', 'class')),
  CONSTRAINT news_audience_value CHECK ((audience_type IN ('department', 'class')) = (audience_value IS NOT NULL)),
  CONSTRAINT news_status_known CHECK (status IN ('published', 'withdrawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX news_publish_at ON news (publish_at_ms);

-- One row per person and item read: the primary key makes a repeated "read" change nothing.
CREATE TABLE news_reads (
  news_id VARCHAR(26) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  read_at_ms BIGINT NOT NULL,
  PRIMARY KEY (news_id, person_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE courses (
  id VARCHAR(26) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  teacher VARCHAR(64) NOT NULL,
  audience_type VARCHAR(16) NOT NULL,
  audience_value VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT courses_audience_known CHECK (audience_type IN ('all', 'students', 'staff', 'department', 'class')),
  CONSTRAINT courses_audience_value CHECK ((audience_type IN ('department', 'class')) = (audience_value IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A lesson's video is a file under the BFF's CONTENT_DIR (served with HTTP Range) or an absolute URL.
CREATE TABLE lessons (
  id VARCHAR(26) NOT NULL,
  course_id VARCHAR(26) NOT NULL,
  seq INT NOT NULL,
  title VARCHAR(200) NOT NULL,
  video_path VARCHAR(512) NULL,
  video_url VARCHAR(1024) NULL,
  duration_s INT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT lessons_one_video CHECK ((video_path IS NULL) <> (video_url IS NULL)),
  CONSTRAINT lessons_duration CHECK (duration_s > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX lessons_course_seq ON lessons (course_id, seq);

-- Where each person stopped in each lesson, so playback resumes there on any phone.
CREATE TABLE lesson_progress (
  lesson_id VARCHAR(26) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  position_s INT NOT NULL,
  completed SMALLINT NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (lesson_id, person_no),
  CONSTRAINT lesson_progress_position CHECK (position_s >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
