-- Rotating a federation link's secret with an overlap (docs/federation.md § Link secret rotation): the new
-- secret (sealed with PII_KEY like the current one) signs our requests from link_secret_next_from_ms; both
-- secrets are accepted until link_secret_old_until_ms, after which only the new one is. Both centres enter
-- the same new secret with the same two times, so neither refuses the other at any moment.
ALTER TABLE federation_centres ADD COLUMN link_secret_next_enc VARCHAR(255) NULL;
ALTER TABLE federation_centres ADD COLUMN link_secret_next_from_ms BIGINT NULL;
ALTER TABLE federation_centres ADD COLUMN link_secret_old_until_ms BIGINT NULL;
