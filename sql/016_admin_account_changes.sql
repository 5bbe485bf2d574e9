-- Admin accounts change after they are made: disabled when someone leaves, role or department moved,
-- password reset or changed by its owner, a second factor enrolled by its owner or reset when a
-- phone is lost. totp_pending_enc holds a secret being enrolled (sealed under PII_KEY like the live
-- one) until its owner proves it with a code; only then does it become totp_secret_enc.
ALTER TABLE admin_accounts ADD COLUMN totp_pending_enc VARCHAR(255) NULL;
