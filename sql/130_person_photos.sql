-- Person photos for the exam readers (#15, core/src/photos): copied from the academic-affairs and HR photo
-- tables, sealed at rest with AES-256-GCM under PHOTO_KEY (the column never holds the plain bytes), one per
-- person. The id is what a reader's short-lived reference names; it stays when the photo is replaced.
-- photo_sync_marks: how far each source photo table has been read, by (updated_at, id).
CREATE TABLE person_photos (
  id VARCHAR(26) NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  media_type VARCHAR(16) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  bytes INT NOT NULL,
  sealed MEDIUMTEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT person_photos_media_type_known CHECK (media_type IN ('image/jpeg', 'image/png')),
  CONSTRAINT person_photos_bytes_bounded CHECK (bytes > 0 AND bytes <= 49152)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX person_photos_person_no ON person_photos (person_no);

CREATE TABLE photo_sync_marks (
  stream VARCHAR(32) NOT NULL,
  after_ms BIGINT NOT NULL,
  after_id BIGINT NOT NULL,
  PRIMARY KEY (stream)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
