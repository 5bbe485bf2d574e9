-- Canteen window capacities (#17, the canteen load): how many payments per 15 minutes a window serves
-- without its queue growing, set by the card centre on the merchants page. The app's 空闲/适中/繁忙/拥挤
-- is the forecast against it; a window without a row takes the default (windowCapacityDefault in
-- core/src/contract/insight.ts).
CREATE TABLE window_capacities (
  merchant_id VARCHAR(26) NOT NULL,
  payments_per_15min INT NOT NULL,
  updated_by VARCHAR(64) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (merchant_id),
  CONSTRAINT window_capacities_bounded CHECK (payments_per_15min BETWEEN 1 AND 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
