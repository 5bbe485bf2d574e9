-- Running offline totals a device's configuration caps (docs/protocol.md § 12.1): per card and
-- Asia/Shanghai day at one device (`offline.perCardDailyMaxFen`, scope 'card:<cardNo>:<day>') and per
-- device for the payments it stored since its last upload (`offline.deviceTotalMaxFen`, scope
-- 'stored:<ms of that upload>'). An uploaded payment takes its amount with one conditional UPDATE
-- (total + amount <= cap) before the ledger is asked, so uploads racing from two gateway instances are
-- counted one after the other (#12.1 class); a payment the ledger did not take gives its amount back.
CREATE TABLE offline_totals (
  device_id VARCHAR(40) NOT NULL,
  scope VARCHAR(64) NOT NULL,
  total_fen BIGINT NOT NULL,
  PRIMARY KEY (device_id, scope)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
