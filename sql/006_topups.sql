-- WeChat Pay top-ups (docs/topups.md). The core keeps the orders next to the ledger they credit, so
-- an order's state and the top_up operation live in one database for every BFF instance and for the
-- embedded default (SQLite); the BFF speaks WeChat Pay and reaches these through core routes.

-- One row per order; the id is the out_trade_no WeChat sees. status only moves forward, each step a
-- conditional UPDATE: created -> paid -> credited | failed (paid but the ledger refused the credit);
-- created -> closed (expired or closed unpaid); credited | failed -> refunded.
CREATE TABLE top_up_orders (
  id VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  openid VARCHAR(64) NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  channel VARCHAR(16) NOT NULL,
  amount BIGINT NOT NULL,
  day INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  prepay_id VARCHAR(64) NULL,
  transaction_id VARCHAR(32) NULL,
  operation_id VARCHAR(64) NULL,
  failure_code VARCHAR(32) NULL,
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  paid_at_ms BIGINT NULL,
  credited_at_ms BIGINT NULL,
  closed_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT top_up_orders_status_known CHECK (status IN ('created', 'paid', 'credited', 'failed', 'closed', 'refunded')),
  CONSTRAINT top_up_orders_channel_known CHECK (channel IN ('wechat')),
  CONSTRAINT top_up_orders_amount_positive CHECK (amount > 0),
  CONSTRAINT top_up_orders_refund_bounded CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- A retried create (same Idempotency-Key from the same account) finds its order instead of a second one.
CREATE UNIQUE INDEX top_up_orders_idempotency ON top_up_orders (openid, idempotency_key);
-- One WeChat transaction pays one order.
CREATE UNIQUE INDEX top_up_orders_transaction ON top_up_orders (transaction_id);
CREATE INDEX top_up_orders_card ON top_up_orders (card_no, id);
CREATE INDEX top_up_orders_status ON top_up_orders (status, created_at_ms);
CREATE INDEX top_up_orders_paid ON top_up_orders (paid_at_ms);

-- What each card has ordered per Asia/Shanghai day, reserved when an order is created and given back
-- when it closes unpaid: the daily cap is a conditional UPDATE of this row, never a sum read in JS.
CREATE TABLE top_up_days (
  card_no VARCHAR(20) NOT NULL,
  day INT NOT NULL,
  reserved BIGINT NOT NULL,
  PRIMARY KEY (card_no, day),
  CONSTRAINT top_up_days_reserved_nonnegative CHECK (reserved >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Refunds of top-ups: the id is the out_refund_no. The wallet is debited (operation_id) before WeChat
-- is asked, so the money cannot be spent and refunded both.
CREATE TABLE top_up_refunds (
  id VARCHAR(64) NOT NULL,
  order_id VARCHAR(32) NOT NULL,
  amount BIGINT NOT NULL,
  reason VARCHAR(80) NOT NULL,
  status VARCHAR(16) NOT NULL,
  operation_id VARCHAR(64) NOT NULL,
  refund_id VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  settled_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT top_up_refunds_status_known CHECK (status IN ('processing', 'succeeded', 'failed')),
  CONSTRAINT top_up_refunds_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX top_up_refunds_order ON top_up_refunds (order_id);

-- Differences the daily reconciliation found between our orders and WeChat's trade bill. A rerun of
-- the same day finds the same differences and stores each once.
CREATE TABLE top_up_mismatches (
  bill_date CHAR(10) NOT NULL,
  out_trade_no VARCHAR(32) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  ours VARCHAR(255) NULL,
  theirs VARCHAR(255) NULL,
  found_at_ms BIGINT NOT NULL,
  PRIMARY KEY (bill_date, out_trade_no, kind),
  CONSTRAINT top_up_mismatches_kind_known CHECK (kind IN ('missing_ours', 'missing_theirs', 'amount_differs', 'state_differs'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
