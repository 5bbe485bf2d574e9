-- The guardian on record (监护人) of a student, as the academic-affairs database has it (#14,
-- docs/messages.md § Guardians without the app): written by the identity sync with the student's row,
-- removed when the row names none. Name and phone are sealed PII (AES-256-GCM under PII_KEY, like
-- persons.phone_enc); phone_digest is a keyed HMAC-SHA256 of the phone (key derived from PII_KEY), so
-- an SMS reply (退订/STOP) finds the guardian without unsealing anything, and the guardian's recipient
-- id in the outbox (`s:` and its first 24 hex digits) is the same for every child they are on record for.
CREATE TABLE guardian_contacts (
  person_id VARCHAR(26) NOT NULL,
  name_enc VARCHAR(255) NULL,
  phone_enc VARCHAR(255) NOT NULL,
  phone_digest CHAR(64) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX guardian_contacts_phone ON guardian_contacts (phone_digest);
-- An SMS to a guardian on record names the child it is about (their person id): delivery reads the
-- child's guardian contact again, so a guardian the record no longer names, or whose phone changed,
-- is sent nothing. NULL on every other row.
ALTER TABLE message_outbox ADD COLUMN guardian_of VARCHAR(26) NULL;
