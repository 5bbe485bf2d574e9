-- Each pay code is charged once, whatever the path (#12.3): the identity of every code an accepted
-- payment consumed (QR: qr:<card>:<madeAt s>:<counter>:<phone key fingerprint>; numeric:
-- num:<code id>:<time step>:<seq>), written in the payment's own transaction. The primary key
-- decides between two payments of one code (online at two tills, two gateway instances, an offline
-- record uploaded later): the second is refused CODE_REPLAYED, online, or an exception, offline.
-- Rows are kept for the offline acceptance window (31 days, beyond the 30 days answers are kept)
-- and pruned by the hold sweep (docs/ledger.md).
CREATE TABLE code_uses (
  code_id VARCHAR(80) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  used_at_ms BIGINT NOT NULL,
  PRIMARY KEY (code_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX code_uses_used_at ON code_uses (used_at_ms);

-- When a device was last disabled, and re-enabled (#12.4): the ledger refuses a disabled device's
-- payments, holds and usage in its own transaction, and an offline record taken inside the disabled
-- period is an exception DEVICE_DISABLED, not a charge; records taken before it are still charged.
-- Devices disabled before this migration have no time: all their offline records are exceptions.
ALTER TABLE devices ADD COLUMN disabled_at_ms BIGINT NULL;
ALTER TABLE devices ADD COLUMN reenabled_at_ms BIGINT NULL;
