-- Where each merchant's terminals stand, for the abnormal-spending detector's impossible-travel rule
-- (docs/analytics.md): a site name (a campus) and a position in metres on the university's own grid.
-- Set by the card centre; a merchant without a row has no position and is never part of that rule.
CREATE TABLE insight_places (
  merchant_id VARCHAR(26) NOT NULL,
  site VARCHAR(32) NOT NULL,
  x_m INT NOT NULL,
  y_m INT NOT NULL,
  PRIMARY KEY (merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
