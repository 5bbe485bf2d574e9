-- The other centre's file totals as its file had them (docs/federation.md § Daily inter-centre settlement):
-- what it says its cards spent at our devices (its debits, our receivable's counterpart) and ours at its
-- devices (its sales), kept beside our own totals when a day is reconciled. Null for a day reconciled before.
ALTER TABLE federation_settlements ADD COLUMN their_receivable_amount BIGINT NULL;
ALTER TABLE federation_settlements ADD COLUMN their_payable_amount BIGINT NULL;
