-- One person may bind one account per app (issue 14): a WeChat openid and an Alipay subject
-- (`ali-<id>`, docs/alipay.md) are two channels, and a student may use both. The unique person index
-- becomes unique per (person, channel), so a second WeChat account for the same person is still
-- refused. The channel is written by the core from the account's namespace (`ali-` = alipay). SQLite
-- cannot add a CHECK in place, so the table is rebuilt with the same rows.
CREATE TABLE wechat_bindings_v24 (
  openid VARCHAR(64) NOT NULL,
  channel VARCHAR(8) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (openid),
  CONSTRAINT wechat_bindings_channel_v24 CHECK (channel IN ('wechat', 'alipay'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO wechat_bindings_v24 (openid, channel, person_id, card_no, created_at_ms)
  SELECT openid, CASE WHEN openid LIKE 'ali-%' THEN 'alipay' ELSE 'wechat' END, person_id, card_no, created_at_ms
  FROM wechat_bindings;
DROP TABLE wechat_bindings;
ALTER TABLE wechat_bindings_v24 RENAME TO wechat_bindings;
CREATE UNIQUE INDEX wechat_bindings_person_channel ON wechat_bindings (person_id, channel);
