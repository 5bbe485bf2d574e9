-- Federation between card centres (docs/federation.md): the centres whose cards this centre accepts and
-- which accept its cards. Each trusted centre has a signed service link (an HMAC secret both sides hold,
-- sealed here with PII_KEY), its campus public keys (the kids of every trusted centre and of this centre
-- share one 16-bit space, agreed between the centres), and two ledger accounts of its own: a merchant that
-- stands for it here (what our students spend at its devices is owed to it) and a system account for
-- what it owes us (what its students spend at our devices).
CREATE TABLE federation_centres (
  id VARCHAR(16) NOT NULL,
  name VARCHAR(64) NOT NULL,
  link_url VARCHAR(255) NOT NULL,
  link_secret_enc VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'active',
  merchant_id VARCHAR(26) NOT NULL,
  receivable_account_id VARCHAR(26) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT federation_centres_status_known CHECK (status IN ('active', 'suspended'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A trusted centre's campus public key. Rotation adds a second key whose validity overlaps the first;
-- valid_to_ms is when a key stops signing (its certificates stay good until they expire, 7 days at most);
-- a revoked key is refused at once.
CREATE TABLE federation_keys (
  kid INT NOT NULL,
  centre_id VARCHAR(16) NOT NULL,
  public_key_hex CHAR(64) NOT NULL,
  valid_from_ms BIGINT NOT NULL,
  valid_to_ms BIGINT NULL,
  revoked_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (kid),
  CONSTRAINT federation_keys_kid_range CHECK (kid >= 0 AND kid <= 65535),
  CONSTRAINT federation_keys_validity CHECK (valid_to_ms IS NULL OR valid_to_ms > valid_from_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX federation_keys_centre ON federation_keys (centre_id);
