-- Re-sealing personal data and photos under a new key (core/src/keys, docs/operations.md § Key rotation):
-- one row per kind of key ('pii', 'photos'), where the job stands. key_check names the key the run seals
-- under (an HMAC of a fixed text under it, never the key), so a run for a newer key starts afresh. The
-- job is idempotent by itself (a value already under the current key is left alone); this row only lets
-- an interrupted run continue where it stopped instead of scanning again from the first table.
CREATE TABLE key_reseal_runs (
  kind VARCHAR(16) NOT NULL,
  key_check CHAR(32) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  after_key VARCHAR(64) NOT NULL,
  rows_total INT NOT NULL,
  rows_scanned INT NOT NULL,
  values_resealed INT NOT NULL,
  values_unreadable INT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT NULL,
  PRIMARY KEY (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
