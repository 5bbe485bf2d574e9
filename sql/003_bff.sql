-- What the BFF needs kept in the system of record: which WeChat account speaks for which person,
-- the keyed digest that checks a person's binding secret, and the notifications a student missed.
-- The BFF reaches these through core routes (docs/api.md, "Bindings"), so the embedded default
-- (SQLite) and several BFF instances see one truth without a second database connection.

-- One person <-> one WeChat openid: the primary key and the unique index refuse a second either way.
CREATE TABLE wechat_bindings (
  openid VARCHAR(64) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (openid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX wechat_bindings_person ON wechat_bindings (person_id);

-- The binding secret (last 6 characters of the ID number) as HMAC-SHA256 under a key derived from
-- PII_KEY, so a check compares digests and never opens the sealed ID number. sealed_digest is the
-- SHA-256 of the persons.id_number_enc it was made from: when the sync replaces the ID number the
-- two differ and the digest is made again from the new one.
CREATE TABLE person_secrets (
  person_id VARCHAR(26) NOT NULL,
  digest CHAR(64) NOT NULL,
  sealed_digest CHAR(64) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Notifications shown in the mini-program's list (statements, card changes, alerts), kept so what
-- a closed app missed can be read later.
CREATE TABLE notifications (
  id VARCHAR(26) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  title VARCHAR(128) NOT NULL,
  body VARCHAR(1024) NOT NULL,
  data TEXT NULL,
  read_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX notifications_person ON notifications (person_id, created_at_ms);
