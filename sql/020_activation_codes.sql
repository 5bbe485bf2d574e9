-- Card activation codes (docs/api.md § Bindings): a one-time code the card centre issues for a card
-- (printed at enrolment or sent by the school's SMS) that binds a WeChat account to the card's person
-- without the last characters of an ID number. One row per card: issuing again replaces the code.
-- Only a keyed digest of the code is kept (HMAC-SHA256 under a key derived from PII_KEY), so the
-- table alone does not let anyone try the small code space offline. attempts counts checks of the
-- code; each check takes one with a conditional UPDATE before the digest is compared, so a burst of
-- guesses cannot pass attempts_max between a read and a write. used_at_ms marks it spent.
CREATE TABLE card_activation_codes (
  card_no VARCHAR(20) NOT NULL,
  code_digest CHAR(64) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT NULL,
  issued_by VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (card_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
