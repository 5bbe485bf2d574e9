-- 消费纠错 (#19, core/src/disputes): a card holder disputes one of their payments; the card centre accepts
-- with a refund through the ledger (operation dispute:<id>:<attempt>) or rejects with a reason.
-- open_payment_id holds the payment id while the dispute is undecided and NULL once decided, so its
-- unique key lets one payment have at most one open dispute whatever the races.
CREATE TABLE disputes (
  id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  request_id VARCHAR(40) NOT NULL,
  payment_id VARCHAR(64) NOT NULL,
  open_payment_id VARCHAR(64) NULL,
  merchant_id VARCHAR(64) NOT NULL,
  payment_amount BIGINT NOT NULL,
  reason VARCHAR(16) NOT NULL,
  note VARCHAR(200) NULL,
  status VARCHAR(16) NOT NULL,
  refund_amount BIGINT NULL,
  refund_attempt INT NOT NULL DEFAULT 0,
  refund_operation_id VARCHAR(64) NULL,
  decision_note VARCHAR(200) NULL,
  decided_by VARCHAR(64) NULL,
  created_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT NULL,
  PRIMARY KEY (id),
  CONSTRAINT disputes_one_open UNIQUE (open_payment_id),
  CONSTRAINT disputes_request UNIQUE (card_no, request_id),
  CONSTRAINT disputes_status_known CHECK (status IN ('open', 'refunding', 'accepted', 'rejected')),
  CONSTRAINT disputes_open_key CHECK (
    (status IN ('open', 'refunding') AND open_payment_id = payment_id)
    OR (status IN ('accepted', 'rejected') AND open_payment_id IS NULL)),
  CONSTRAINT disputes_refund_positive CHECK (refund_amount IS NULL OR (refund_amount > 0 AND refund_amount <= payment_amount)),
  CONSTRAINT disputes_accepted_refund CHECK (status <> 'accepted' OR refund_operation_id IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX disputes_card ON disputes (card_no, created_at_ms);
CREATE INDEX disputes_payment ON disputes (payment_id);
CREATE INDEX disputes_status ON disputes (status, created_at_ms);
