-- Live device status as the gateways see it (docs/gateway.md, "Presence"): one row per device, the latest
-- sign-in or heartbeat any gateway instance reported. Batches from two instances may arrive out of order,
-- so a row is replaced only by a report whose last_seen_at_ms is not older than the stored one (the
-- upsert's own condition; nothing is read first). online is what the gateway last said; readers also
-- require last_seen_at_ms within the silence timeout, because a crashed gateway never reports offline.
CREATE TABLE device_presence (
  device_id VARCHAR(32) NOT NULL,
  gateway_id VARCHAR(64) NOT NULL,
  online SMALLINT NOT NULL,
  signed_in_at_ms BIGINT NOT NULL,
  last_seen_at_ms BIGINT NOT NULL,
  config_version BIGINT NOT NULL,
  blacklist_version BIGINT NOT NULL,
  offline_pending BIGINT NOT NULL,
  firmware VARCHAR(64) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id),
  CONSTRAINT device_presence_online_flag CHECK (online IN (0, 1)),
  CONSTRAINT device_presence_counts CHECK (config_version >= 0 AND blacklist_version >= 0 AND offline_pending >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX device_presence_seen ON device_presence (online, last_seen_at_ms);
