-- Numeric pay codes (docs/credential.md): a per-card secret the phone makes 18-digit codes from, and the
-- 9-digit code id those codes carry instead of the card number. One row per card version: the phone's
-- credential call makes the row for the card's current version on demand, so a reissue or any other
-- version bump gives the next phone a new id and secret, and the old row stays only to answer
-- CREDENTIAL_REVOKED for codes made from it. The secret is sealed with PII_KEY (AES-256-GCM).
CREATE TABLE pay_codes (
  code_id INT NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  card_version INT NOT NULL,
  secret_enc VARCHAR(200) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (code_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX pay_codes_card_version ON pay_codes (card_no, card_version);
