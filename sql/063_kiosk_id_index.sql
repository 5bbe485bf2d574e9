-- Kiosk identification by ID number + PIN (#16, docs/funds.md § Kiosk identification). ID numbers are
-- sealed with a random IV (persons.id_number_enc), so they cannot be searched; this index keeps, per
-- person, a keyed hash of the normalised ID number (HMAC-SHA256 under a key derived from PII_KEY, never
-- the number itself) next to the sealed value it was made from. A row whose source_enc is no longer the
-- person's id_number_enc is stale and never matches; the kiosks' index job rebuilds it.
CREATE TABLE kiosk_id_index (
  person_id VARCHAR(26) NOT NULL,
  id_hash CHAR(64) NOT NULL,
  source_enc VARCHAR(255) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX kiosk_id_index_hash ON kiosk_id_index (id_hash);
