-- System accounts: the other side of every wallet movement. Their ids are fixed so code and
-- reports can name them; allow_overdraft = 1 because a clearing account is the mirror of money
-- that entered the wallets (its balance is the negative of what it brought in).
INSERT INTO accounts (id, kind, owner_id, code, allow_overdraft, created_at_ms) VALUES
  ('SYS-CLEARING-WECHAT', 'system', NULL, 'clearing_wechat', 1, 0),
  ('SYS-CLEARING-ALIPAY', 'system', NULL, 'clearing_alipay', 1, 0),
  ('SYS-CASH-DESK', 'system', NULL, 'cash_desk', 1, 0),
  ('SYS-BANK-TRANSFER', 'system', NULL, 'bank_transfer', 1, 0),
  ('SYS-SUBSIDY-FUND', 'system', NULL, 'subsidy_fund', 1, 0),
  ('SYS-OFFLINE-RECEIVABLE', 'system', NULL, 'offline_receivable', 1, 0),
  ('SYS-ADJUSTMENT', 'system', NULL, 'adjustment', 1, 0),
  ('SYS-REFUND-PAYABLE', 'system', NULL, 'refund_payable', 1, 0);
