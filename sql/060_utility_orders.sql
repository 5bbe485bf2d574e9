-- Dorm electricity and the campus network fee (#16, docs/funds.md): purchases paid from the card to an
-- outside system (the utility/meter system, the network billing system) that credits a room or an
-- account. Each purchase is an order whose id is also the idempotency key the outside system sees.
-- The money is a hold on the card (util:<order>:hold), posted when the outside system confirms, voided
-- on a definite refusal; an order whose answer was lost stays 'held' until the reconciliation job asks
-- the outside system by the order id. A status leaves each state by a conditional UPDATE only.
CREATE TABLE utility_orders (
  id VARCHAR(48) NOT NULL,
  service VARCHAR(16) NOT NULL,
  target VARCHAR(32) NOT NULL,
  package_id VARCHAR(32) NULL,
  card_no VARCHAR(20) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  amount BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  failure_code VARCHAR(48) NULL,
  result TEXT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_check_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT utility_orders_service_known CHECK (service IN ('electricity', 'network')),
  CONSTRAINT utility_orders_status_known CHECK (status IN ('created', 'held', 'credited', 'completed', 'failed', 'refused', 'exception')),
  CONSTRAINT utility_orders_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX utility_orders_open ON utility_orders (status, next_check_at_ms);
CREATE INDEX utility_orders_card ON utility_orders (card_no, created_at_ms);
CREATE INDEX utility_orders_target ON utility_orders (service, target, created_at_ms);

-- Dorm rooms as the utility system names them, and who lives in each (for the low-balance alert and
-- for "my room" in the app). A roommate, or anyone, may pay for any room.
CREATE TABLE dorm_rooms (
  id VARCHAR(32) NOT NULL,
  building VARCHAR(32) NOT NULL,
  room_no VARCHAR(16) NOT NULL,
  low_kwh_centi BIGINT NOT NULL DEFAULT 1000,
  balance_kwh_centi BIGINT NULL,
  balance_at_ms BIGINT NULL,
  low_alerted_at_ms BIGINT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX dorm_rooms_place ON dorm_rooms (building, room_no);

CREATE TABLE dorm_residents (
  room_id VARCHAR(32) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (room_id, person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX dorm_residents_person ON dorm_residents (person_id);
