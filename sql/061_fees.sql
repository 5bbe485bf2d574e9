-- Fees (缴费, #16, docs/funds.md): items the card centre or the finance office charges (tuition,
-- accommodation, exam registration, textbooks, make-up exams, certificates), one bill per person,
-- and the payments against each bill. Each item has its own merchant (merchant_id) whose account
-- is the item's clearing account, so the item's income is settled daily like a merchant's and
-- checked by ledger:check like every account.
CREATE TABLE fee_items (
  id VARCHAR(26) NOT NULL,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  category VARCHAR(16) NOT NULL,
  due_day VARCHAR(10) NOT NULL,
  allow_partial SMALLINT NOT NULL DEFAULT 0,
  merchant_id VARCHAR(32) NOT NULL,
  source VARCHAR(16) NOT NULL,
  created_by VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fee_items_category_known CHECK (category IN ('tuition', 'accommodation', 'exam', 'textbook', 'makeup_exam', 'certificate', 'other')),
  CONSTRAINT fee_items_source_known CHECK (source IN ('import', 'finance', 'manual'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX fee_items_code ON fee_items (code);

-- What one person owes for one item. amount_paid is reserved by a conditional UPDATE before the
-- ledger is asked (amount_paid + x <= amount_due), and given back if the ledger refuses. A refund
-- lowers both amount_paid and amount_due: the refunded part is no longer owed.
CREATE TABLE fee_bills (
  id VARCHAR(26) NOT NULL,
  item_id VARCHAR(26) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  amount_due BIGINT NOT NULL,
  amount_paid BIGINT NOT NULL DEFAULT 0,
  reminded_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fee_bills_amounts CHECK (amount_due >= 0 AND amount_paid >= 0 AND amount_paid <= amount_due)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX fee_bills_person_item ON fee_bills (person_id, item_id);
CREATE INDEX fee_bills_item ON fee_bills (item_id);

-- Payments against a bill; the id is the caller's idempotency key and the ledger payment's id is
-- fee:<id>. pending: the bill is reserved and the ledger asked; paid; refused (nothing moved).
CREATE TABLE fee_payments (
  id VARCHAR(48) NOT NULL,
  bill_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  amount BIGINT NOT NULL,
  channel VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  failure_code VARCHAR(48) NULL,
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  receipt_no VARCHAR(32) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fee_payments_channel_known CHECK (channel IN ('card', 'wechat', 'alipay')),
  CONSTRAINT fee_payments_status_known CHECK (status IN ('pending', 'paid', 'refused')),
  CONSTRAINT fee_payments_refund_bounded CHECK (amount > 0 AND refunded_amount >= 0 AND refunded_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX fee_payments_bill ON fee_payments (bill_id, created_at_ms);
CREATE INDEX fee_payments_open ON fee_payments (status, created_at_ms);
CREATE UNIQUE INDEX fee_payments_receipt ON fee_payments (receipt_no);

-- Refunds of a fee payment (finance's decision): the id is the caller's idempotency key and the
-- ledger refund's id is feerefund:<id>. The payment's refunded_amount is reserved before the ledger
-- is asked and given back if it refuses.
CREATE TABLE fee_refunds (
  id VARCHAR(48) NOT NULL,
  payment_id VARCHAR(48) NOT NULL,
  amount BIGINT NOT NULL,
  reason VARCHAR(200) NOT NULL,
  status VARCHAR(16) NOT NULL,
  failure_code VARCHAR(48) NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fee_refunds_status_known CHECK (status IN ('pending', 'done', 'refused')),
  CONSTRAINT fee_refunds_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX fee_refunds_payment ON fee_refunds (payment_id);
