-- The school bus's rides (#15, docs/visitors-meetings-bus.md): what a bus reader's ride check decided,
-- online or uploaded from its offline records, one row per (device, sequence) so a retried frame or a
-- re-uploaded record is one ride and a definite online refusal stays a refusal. A route's fare (fen) is
-- charged to riders without a seat who are not of a free person type; NULL: booked riders only.
ALTER TABLE bus_routes ADD COLUMN fare_fen BIGINT NULL;

CREATE TABLE bus_rides (
  device_id VARCHAR(40) NOT NULL,
  sequence BIGINT NOT NULL,
  run_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  person_id VARCHAR(26) NULL,
  ride_kind VARCHAR(16) NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(32) NULL,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  operation_id VARCHAR(64) NULL,
  source VARCHAR(16) NOT NULL,
  occurred_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id, sequence),
  CONSTRAINT bus_rides_kind_known CHECK (ride_kind IS NULL OR ride_kind IN ('booked', 'free', 'fare')),
  CONSTRAINT bus_rides_status_known CHECK (status IN ('boarded', 'refused')),
  CONSTRAINT bus_rides_source_known CHECK (source IN ('online', 'offline')),
  CONSTRAINT bus_rides_amount_non_negative CHECK (amount_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX bus_rides_run ON bus_rides (run_id, status);

-- Rides a card took offline on one run, reserved (rides < cap) before an uploaded ride is accepted.
CREATE TABLE bus_offline_rides (
  run_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  rides INT NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, card_no),
  CONSTRAINT bus_offline_rides_non_negative CHECK (rides >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A person barred from booking until a moment, set by the no-show job in the same transaction that
-- marks the no-shows; the booking transaction reads it under lock before it reserves anything.
CREATE TABLE bus_person_bars (
  person_id VARCHAR(26) NOT NULL,
  barred_until_ms BIGINT NOT NULL,
  PRIMARY KEY (person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
