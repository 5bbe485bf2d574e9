-- Federation (docs/federation.md): the ledger gains the operation kind foreign_sale, a sale to a card of
-- another centre that the card's centre authorised, owed by that centre (its receivable to the merchant).
-- As in 010, the CHECK on kind cannot change in place on both dialects, so the table is rebuilt: same
-- columns, same indexes, one more kind.
CREATE TABLE operations_v161 (
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
  CONSTRAINT operations_kind_listed CHECK (kind IN ('payment', 'top_up', 'subsidy', 'refund', 'hold', 'post', 'void', 'expire', 'adjustment', 'close_out', 'subsidy_clear', 'foreign_sale')),
  CONSTRAINT operations_refund_within CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  CONSTRAINT operations_subsidy_within CHECK (subsidy_amount >= 0 AND subsidy_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO operations_v161 (id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
  refunded_amount, main_after, subsidy_after, request_extra, answer_extra, created_day, created_at_ms)
  SELECT id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
  refunded_amount, main_after, subsidy_after, request_extra, answer_extra, created_day, created_at_ms FROM operations;
DROP TABLE operations;
ALTER TABLE operations_v161 RENAME TO operations;
CREATE INDEX operations_card ON operations (card_no, created_at_ms);
CREATE INDEX operations_merchant_day ON operations (merchant_id, created_day);
CREATE INDEX operations_day_kind ON operations (created_day, kind);
