-- Refunds of fees paid straight by WeChat Pay or Alipay (#16, docs/funds.md § Fees): the money goes back
-- to the paying platform through the top-up refund of the fee's order (top_up_refunds, same id), while
-- the fee side keeps its fee_refunds row. channel_payment_id is the payment's id while such a refund is
-- pending or done and NULL otherwise (a card payment's refunds, a platform refund that was refused), so
-- the unique index lets one payment have at most one platform refund in force, whatever the callers do.
ALTER TABLE fee_refunds ADD COLUMN channel_payment_id VARCHAR(48) NULL;
CREATE UNIQUE INDEX fee_refunds_channel_once ON fee_refunds (channel_payment_id);
