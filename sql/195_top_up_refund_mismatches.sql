-- Refunds in the daily reconciliation (#14, docs/topups.md § Reconciliation): each refund row of a
-- platform's bill (WeChat's trade bill REFUND rows, Alipay's 业务明细 退款 rows) compared with our refund
-- of that number (top_up_refunds.id: WeChat's out_refund_no, Alipay's out_request_no decoded by the BFF),
-- and each of our refunds that succeeded that day compared with the bill. A difference is kept once per
-- bill day, refund number and kind, beside the payments' differences in top_up_mismatches, and listed
-- with them. out_trade_no is the order the refund belongs to (ours, or the bill's when we have none).
CREATE TABLE top_up_refund_mismatches (
  bill_date CHAR(10) NOT NULL,
  out_refund_no VARCHAR(64) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  out_trade_no VARCHAR(32) NOT NULL,
  ours VARCHAR(255) NULL,
  theirs VARCHAR(255) NULL,
  found_at_ms BIGINT NOT NULL,
  PRIMARY KEY (bill_date, out_refund_no, kind),
  CONSTRAINT top_up_refund_mismatches_kind_known CHECK (kind IN ('missing_ours', 'missing_theirs', 'amount_differs', 'state_differs'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX top_up_refund_mismatches_order ON top_up_refund_mismatches (out_trade_no);
-- Our refunds that succeeded within a day, read by the reconciliation of that day.
CREATE INDEX top_up_refunds_settled ON top_up_refunds (status, settled_at_ms);
