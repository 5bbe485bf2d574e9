-- Fees paid straight by WeChat Pay or Alipay (#16, docs/funds.md § Fees): the platform order is a
-- top-up order whose purpose is a fee bill (fee_bill_id), so the notifications, the poller, the
-- refunds and the daily bill reconciliation of top-ups carry it unchanged. Such an order reserves
-- nothing of the card's daily top-up cap and never credits the card: its payment moves the money from
-- the channel's clearing account to the fee item's clearing account under the operation id kept in
-- fee_payments.operation_id (wx:<transaction_id> or ali:<trade_no>), so a payment left pending is
-- finished by the same operation.
ALTER TABLE top_up_orders ADD COLUMN fee_bill_id VARCHAR(26) NULL;
ALTER TABLE fee_payments ADD COLUMN operation_id VARCHAR(64) NULL;
