-- The refund list (sql/005_sync.sql) becomes the list of every card close-out's main balance, not only
-- the sync's, and paying an entry out moves the money: an adjustment with the deterministic id
-- payout:<close-out operation id> from SYS-REFUND-PAYABLE to the cash desk or the bank transfer
-- account, then UPDATE ... WHERE status = 'due' marks the entry paid with what is stored here.
-- So SYS-REFUND-PAYABLE holds the sum of the due entries (plus entries marked paid before this
-- migration, whose money never left it: they have no payout_operation_id).
ALTER TABLE refund_list ADD COLUMN payout_channel VARCHAR(8) NULL CHECK (payout_channel IN ('cash', 'bank'));
ALTER TABLE refund_list ADD COLUMN paid_by VARCHAR(64) NULL;
ALTER TABLE refund_list ADD COLUMN payout_operation_id VARCHAR(64) NULL;
ALTER TABLE refund_list ADD COLUMN payout_note VARCHAR(200) NULL;
CREATE INDEX refund_list_paid ON refund_list (status, paid_at_ms);

-- Close-outs made before this migration through the core's card route (the card centre's 销户) were
-- never listed: their main balance is still owed, so they join the list as due.
INSERT INTO refund_list (operation_id, card_no, person_no, main_amount, subsidy_amount, reason, status, created_at_ms)
SELECT o.id, o.card_no, p.person_no, o.amount - o.subsidy_amount, o.subsidy_amount, 'card_closed', 'due', o.created_at_ms
  FROM operations o
  JOIN cards c ON c.card_no = o.card_no
  JOIN persons p ON p.id = c.person_id
 WHERE o.kind = 'close_out' AND o.outcome = 'ok' AND o.amount > o.subsidy_amount
   AND NOT EXISTS (SELECT 1 FROM refund_list r WHERE r.operation_id = o.id);
