-- Wrong card PINs per card, wherever the PIN is checked (a till's PAY_WITH_PIN, the holder's routes):
-- each check takes a slot with a conditional UPDATE before the PIN is compared, so PINs guessed in a
-- burst, or at many tills at once, get no more checks than the limit in a window (#12.1 class). A right
-- PIN gives back only its own slot; a wrong one that reaches the limit locks the card's PIN until the
-- window ends (pin_failures raised far above the limit, so no give-back brings it under).
ALTER TABLE cards ADD COLUMN pin_failures INT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN pin_failures_until_ms BIGINT NULL;
