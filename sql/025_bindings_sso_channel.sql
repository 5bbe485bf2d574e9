-- Campus single sign-on (docs/sso.md): a browser account proven by the campus identity provider
-- (`sso-<provider>-<digest>`) is a third channel beside WeChat and Alipay, so a student bound in
-- WeChat may also sign in to the H5 build through SSO. Rebuilt like 024 (SQLite cannot change a CHECK).
CREATE TABLE wechat_bindings_v25 (
  openid VARCHAR(64) NOT NULL,
  channel VARCHAR(8) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (openid),
  CONSTRAINT wechat_bindings_channel_v25 CHECK (channel IN ('wechat', 'alipay', 'sso'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO wechat_bindings_v25 (openid, channel, person_id, card_no, created_at_ms)
  SELECT openid, channel, person_id, card_no, created_at_ms FROM wechat_bindings;
DROP TABLE wechat_bindings;
ALTER TABLE wechat_bindings_v25 RENAME TO wechat_bindings;
CREATE UNIQUE INDEX wechat_bindings_person_channel ON wechat_bindings (person_id, channel);
