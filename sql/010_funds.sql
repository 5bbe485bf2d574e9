-- Funds: subsidy batches with maker-checker and resumable posting, and term-end clearing of the
-- subsidy wallets (docs/funds.md).

-- The ledger gains the operation kind subsidy_clear (a subsidy wallet back to the subsidy fund).
-- Neither dialect can change a CHECK in place in a way the other accepts (SQLite cannot drop a
-- constraint), so the operations table is rebuilt: same columns, same indexes, one more kind.
CREATE TABLE operations_v10 (
  id VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NULL,
  merchant_id VARCHAR(26) NULL,
  device_id VARCHAR(32) NULL,
  reference_id VARCHAR(64) NULL,
  amount BIGINT NOT NULL DEFAULT 0,
  subsidy_amount BIGINT NOT NULL DEFAULT 0,
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  main_after BIGINT NULL,
  subsidy_after BIGINT NULL,
  request_extra TEXT NULL,
  answer_extra TEXT NULL,
  created_day INT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT operations_kind_listed CHECK (kind IN ('payment', 'top_up', 'subsidy', 'refund', 'hold', 'post', 'void', 'expire', 'adjustment', 'close_out', 'subsidy_clear')),
  CONSTRAINT operations_refund_within CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  CONSTRAINT operations_subsidy_within CHECK (subsidy_amount >= 0 AND subsidy_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO operations_v10 (id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
  refunded_amount, main_after, subsidy_after, request_extra, answer_extra, created_day, created_at_ms)
  SELECT id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
  refunded_amount, main_after, subsidy_after, request_extra, answer_extra, created_day, created_at_ms FROM operations;
DROP TABLE operations;
ALTER TABLE operations_v10 RENAME TO operations;
CREATE INDEX operations_card ON operations (card_no, created_at_ms);
CREATE INDEX operations_merchant_day ON operations (merchant_id, created_day);
-- Reports read turnover by day over all merchants.
CREATE INDEX operations_day_kind ON operations (created_day, kind);

-- A subsidy batch: imported from a list (CSV/Excel rows) or made for a class or department. Money
-- moves only while posting, row by row through the ledger's subsidy operation with the id
-- sub:<batch>:<row>, so a post that stops half way resumes without paying anyone twice. The
-- approver is never the creator (CHECK); totals count valid rows only.
CREATE TABLE subsidy_batches (
  id VARCHAR(26) NOT NULL,
  title VARCHAR(100) NOT NULL,
  source VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  row_count INT NOT NULL,
  valid_count INT NOT NULL,
  total_amount BIGINT NOT NULL,
  posted_count INT NOT NULL DEFAULT 0,
  posted_amount BIGINT NOT NULL DEFAULT 0,
  failed_count INT NOT NULL DEFAULT 0,
  created_by VARCHAR(64) NOT NULL,
  approved_by VARCHAR(64) NULL,
  rejected_by VARCHAR(64) NULL,
  reject_reason VARCHAR(200) NULL,
  posted_by VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NULL,
  posting_started_at_ms BIGINT NULL,
  posted_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT subsidy_batches_source_known CHECK (source IN ('list', 'group')),
  CONSTRAINT subsidy_batches_status_known CHECK (status IN ('draft', 'approved', 'rejected', 'posting', 'posted')),
  CONSTRAINT subsidy_batches_two_people CHECK (approved_by IS NULL OR approved_by <> created_by),
  CONSTRAINT subsidy_batches_counts CHECK (valid_count <= row_count AND posted_count + failed_count <= valid_count AND total_amount >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX subsidy_batches_created ON subsidy_batches (created_at_ms);

-- One row of a batch as imported, with its error (a stable code) when it cannot be paid. A valid row
-- is pending until its operation answers: posted, or failed with the ledger's code.
CREATE TABLE subsidy_batch_rows (
  batch_id VARCHAR(26) NOT NULL,
  row_no INT NOT NULL,
  person_no VARCHAR(32) NOT NULL,
  name VARCHAR(64) NULL,
  card_no VARCHAR(20) NULL,
  amount BIGINT NULL,
  amount_text VARCHAR(32) NOT NULL,
  note VARCHAR(200) NULL,
  error VARCHAR(32) NULL,
  status VARCHAR(16) NOT NULL,
  result_code VARCHAR(32) NULL,
  PRIMARY KEY (batch_id, row_no),
  CONSTRAINT subsidy_batch_rows_status_known CHECK (status IN ('invalid', 'pending', 'posted', 'failed')),
  CONSTRAINT subsidy_batch_rows_valid CHECK ((error IS NULL) = (status <> 'invalid'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX subsidy_batch_rows_status ON subsidy_batch_rows (batch_id, status, row_no);

-- A term-end clearing: every subsidy wallet with a balance, one subsidy_clear operation each
-- (id clr:<clearing>:<card>), walked in card order; cursor is the last card done, so a clearing
-- that stops resumes after it.
CREATE TABLE subsidy_clearings (
  id VARCHAR(26) NOT NULL,
  reason VARCHAR(200) NOT NULL,
  status VARCHAR(16) NOT NULL,
  card_count INT NOT NULL,
  cleared_count INT NOT NULL DEFAULT 0,
  cleared_amount BIGINT NOT NULL DEFAULT 0,
  cursor_card_no VARCHAR(20) NULL,
  created_by VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT subsidy_clearings_status_known CHECK (status IN ('running', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
