-- The school bus (#15, docs/visitors-meetings-bus.md): routes with their stops, timetabled runs with a
-- seat count, and seat bookings. Every counter is reserved by a conditional UPDATE before anything is
-- written, so concurrent bookings never exceed a run's seats or a person's daily limit.
CREATE TABLE bus_routes (
  id VARCHAR(26) NOT NULL,
  name VARCHAR(64) NOT NULL,
  stops TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bus_runs (
  id VARCHAR(26) NOT NULL,
  route_id VARCHAR(26) NOT NULL,
  departs_at_ms BIGINT NOT NULL,
  seats INT NOT NULL,
  booked INT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT bus_runs_booked_within_seats CHECK (booked >= 0 AND booked <= seats),
  CONSTRAINT bus_runs_status_known CHECK (status IN ('scheduled', 'cancelled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX bus_runs_departs ON bus_runs (departs_at_ms);

CREATE TABLE bus_bookings (
  id VARCHAR(26) NOT NULL,
  run_id VARCHAR(26) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  card_no VARCHAR(20) NOT NULL,
  request_id VARCHAR(40) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT bus_bookings_status_known CHECK (status IN ('booked', 'cancelled', 'ridden', 'no_show'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX bus_bookings_request ON bus_bookings (person_id, request_id);
CREATE INDEX bus_bookings_run ON bus_bookings (run_id, status);
CREATE INDEX bus_bookings_person ON bus_bookings (person_id, status, created_at_ms);

-- One active booking per person and run: a row while booked, deleted when cancelled.
CREATE TABLE bus_run_seats (
  run_id VARCHAR(26) NOT NULL,
  person_id VARCHAR(26) NOT NULL,
  booking_id VARCHAR(26) NOT NULL,
  PRIMARY KEY (run_id, person_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bookings a person holds per Asia/Shanghai day of departure, reserved before the seat.
CREATE TABLE bus_person_days (
  person_id VARCHAR(26) NOT NULL,
  day_no INT NOT NULL,
  booked INT NOT NULL DEFAULT 0,
  PRIMARY KEY (person_id, day_no),
  CONSTRAINT bus_person_days_non_negative CHECK (booked >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
