-- Campus passage, places (docs/passage.md): campus → area → building → door, one tree of places.
-- A door is any passage point: a door, a campus gate, a turnstile, or a school bus (kind 'bus', used by
-- the bus domain). Each door has its devices (door controllers, gate readers), each reading one
-- direction. Doors are also gathered into door groups, which rules and schedules may name.
-- An area may run anti-passback (in before out); a building may have a dorm curfew.

CREATE TABLE passage_places (
  id VARCHAR(26) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  parent_id VARCHAR(26) NULL,
  name VARCHAR(64) NOT NULL,
  door_kind VARCHAR(16) NULL,
  anti_passback SMALLINT NOT NULL DEFAULT 0,
  curfew_from_minute INT NULL,
  curfew_to_minute INT NULL,
  curfew_mode VARCHAR(8) NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT passage_places_kind_known CHECK (kind IN ('campus', 'area', 'building', 'door')),
  CONSTRAINT passage_places_parent CHECK ((kind = 'campus') = (parent_id IS NULL)),
  CONSTRAINT passage_places_door_kind CHECK ((kind = 'door') = (door_kind IS NOT NULL)),
  CONSTRAINT passage_places_door_kind_known CHECK (door_kind IS NULL OR door_kind IN ('door', 'gate', 'turnstile', 'bus')),
  CONSTRAINT passage_places_passback_area CHECK (anti_passback = 0 OR kind = 'area'),
  CONSTRAINT passage_places_curfew_building CHECK (curfew_mode IS NULL OR kind = 'building'),
  CONSTRAINT passage_places_curfew_mode_known CHECK (curfew_mode IS NULL OR curfew_mode IN ('late', 'refuse')),
  CONSTRAINT passage_places_curfew_whole CHECK ((curfew_mode IS NULL) = (curfew_from_minute IS NULL) AND (curfew_mode IS NULL) = (curfew_to_minute IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX passage_places_parent ON passage_places (parent_id);

-- The devices of a door: one device serves one door, reading one direction.
CREATE TABLE passage_door_devices (
  device_id VARCHAR(32) NOT NULL,
  door_id VARCHAR(26) NOT NULL,
  direction VARCHAR(8) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id),
  CONSTRAINT passage_door_devices_direction_known CHECK (direction IN ('none', 'in', 'out'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX passage_door_devices_door ON passage_door_devices (door_id);

CREATE TABLE passage_door_groups (
  id VARCHAR(26) NOT NULL,
  name VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE passage_door_group_members (
  group_id VARCHAR(26) NOT NULL,
  door_id VARCHAR(26) NOT NULL,
  PRIMARY KEY (group_id, door_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX passage_door_group_members_door ON passage_door_group_members (door_id);
