-- Messages that reach people outside the app (docs/messages.md): WeChat subscription messages, Alipay
-- template messages and SMS, delivered from a database outbox (one mechanism on MariaDB and SQLite,
-- surviving restarts). One row per (event, person, channel): the primary key is the at-most-once rule,
-- so a second send of the same event to the same person adds nothing.
-- status: pending (waits for next_at_ms), claimed (a worker holds it until lease_until_ms; nothing sent
-- yet, so an expired claim is taken again), sending (the request may have left: never sent again; an
-- expired one becomes unknown), sent, refused (the person or the platform said no), failed (retries
-- spent), skipped (opted out, no binding, no consent), unknown (a worker died while sending).
CREATE TABLE message_outbox (
  event_key VARCHAR(96) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  channel VARCHAR(8) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  payload TEXT NOT NULL,
  status VARCHAR(10) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_at_ms BIGINT NOT NULL,
  lease_until_ms BIGINT NOT NULL DEFAULT 0,
  lease_owner VARCHAR(40) NULL,
  last_error VARCHAR(120) NULL,
  created_at_ms BIGINT NOT NULL,
  done_at_ms BIGINT NULL,
  PRIMARY KEY (event_key, person_id, channel),
  CONSTRAINT message_outbox_channel CHECK (channel IN ('wechat', 'alipay', 'sms')),
  CONSTRAINT message_outbox_status CHECK (status IN ('pending', 'claimed', 'sending', 'sent', 'refused', 'failed', 'skipped', 'unknown'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX message_outbox_due ON message_outbox (status, next_at_ms);

-- Per person: quiet hours in minutes of the Asia/Shanghai day (start = end: none; start > end wraps
-- midnight), the kinds they opted out of (comma separated), and receipts, which are opt-in.
CREATE TABLE message_preferences (
  person_id VARCHAR(26) NOT NULL,
  quiet_start_min INT NOT NULL DEFAULT 0,
  quiet_end_min INT NOT NULL DEFAULT 0,
  opted_out VARCHAR(200) NOT NULL DEFAULT '',
  receipts INT NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id),
  CONSTRAINT message_preferences_quiet CHECK (quiet_start_min >= 0 AND quiet_start_min < 1440 AND quiet_end_min >= 0 AND quiet_end_min < 1440)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- WeChat's one-time subscription consent: each acceptance in the app allows one message of that
-- template; a send takes one with a conditional UPDATE (remaining > 0) before the request leaves.
CREATE TABLE message_consents (
  person_id VARCHAR(26) NOT NULL,
  channel VARCHAR(8) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  remaining INT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id, channel, kind),
  CONSTRAINT message_consents_remaining CHECK (remaining >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Platform access tokens shared by every core instance: one refresher at a time holds the lease
-- (a conditional UPDATE), the others wait for its token instead of asking the platform again.
CREATE TABLE message_tokens (
  name VARCHAR(32) NOT NULL,
  token VARCHAR(600) NULL,
  expires_at_ms BIGINT NOT NULL DEFAULT 0,
  lease_until_ms BIGINT NOT NULL DEFAULT 0,
  lease_owner VARCHAR(40) NULL,
  generation INT NOT NULL DEFAULT 0,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
