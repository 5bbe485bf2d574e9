-- Alipay top-ups (docs/alipay.md): an order is paid through WeChat Pay or Alipay, on the same order
-- model. The channel column already existed with CHECK (channel IN ('wechat')), and SQLite cannot
-- change a CHECK in place, so the table is rebuilt with the same columns and indexes; transaction_id
-- widens to hold an Alipay trade_no (up to 60 characters here, so `ali:<trade_no>` fits an operation
-- id). The ledger's Alipay clearing account (SYS-CLEARING-ALIPAY) has existed since 002.
CREATE TABLE top_up_orders_v23 (
  id VARCHAR(32) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  openid VARCHAR(64) NOT NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  channel VARCHAR(16) NOT NULL,
  amount BIGINT NOT NULL,
  day INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  prepay_id VARCHAR(64) NULL,
  transaction_id VARCHAR(64) NULL,
  operation_id VARCHAR(64) NULL,
  failure_code VARCHAR(32) NULL,
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  paid_at_ms BIGINT NULL,
  credited_at_ms BIGINT NULL,
  closed_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT top_up_orders_status_v23 CHECK (status IN ('created', 'paid', 'credited', 'failed', 'closed', 'refunded')),
  CONSTRAINT top_up_orders_channel_v23 CHECK (channel IN ('wechat', 'alipay')),
  CONSTRAINT top_up_orders_amount_v23 CHECK (amount > 0),
  CONSTRAINT top_up_orders_refund_v23 CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO top_up_orders_v23 (id, card_no, openid, idempotency_key, channel, amount, day, status, prepay_id,
  transaction_id, operation_id, failure_code, refunded_amount, created_at_ms, expires_at_ms, paid_at_ms,
  credited_at_ms, closed_at_ms)
  SELECT id, card_no, openid, idempotency_key, channel, amount, day, status, prepay_id,
  transaction_id, operation_id, failure_code, refunded_amount, created_at_ms, expires_at_ms, paid_at_ms,
  credited_at_ms, closed_at_ms FROM top_up_orders;
DROP TABLE top_up_orders;
ALTER TABLE top_up_orders_v23 RENAME TO top_up_orders;
CREATE UNIQUE INDEX top_up_orders_idempotency ON top_up_orders (openid, idempotency_key);
-- One payment-platform transaction pays one order. WeChat's transaction ids and Alipay's trade numbers
-- are both digit strings, so the channel is part of the key: the same digits from two platforms are
-- two transactions.
CREATE UNIQUE INDEX top_up_orders_transaction ON top_up_orders (channel, transaction_id);
CREATE INDEX top_up_orders_card ON top_up_orders (card_no, id);
CREATE INDEX top_up_orders_status ON top_up_orders (status, created_at_ms);
CREATE INDEX top_up_orders_paid ON top_up_orders (paid_at_ms);
