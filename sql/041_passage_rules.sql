-- Campus passage, rights (docs/passage.md): who may pass where and when. A rule names who (everyone, a
-- person type, a department, a class, the residents of a dorm building or room, one person, a role such
-- as the dorm keeper), where (a door, a door group, or every door under a building, area or campus),
-- when (weekly windows as JSON, a calendar condition, a validity for temporary grants) and its effect;
-- a deny that applies wins over every allow.

CREATE TABLE passage_rules (
  id VARCHAR(26) NOT NULL,
  name VARCHAR(64) NOT NULL,
  effect VARCHAR(8) NOT NULL,
  who_kind VARCHAR(16) NOT NULL,
  who_value VARCHAR(64) NULL,
  where_kind VARCHAR(16) NOT NULL,
  where_id VARCHAR(26) NOT NULL,
  windows_json TEXT NOT NULL,
  calendar VARCHAR(16) NOT NULL DEFAULT 'any',
  valid_from_ms BIGINT NULL,
  valid_until_ms BIGINT NULL,
  created_by VARCHAR(64) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT passage_rules_effect_known CHECK (effect IN ('allow', 'deny')),
  CONSTRAINT passage_rules_who_known CHECK (who_kind IN ('everyone', 'person_type', 'department', 'class', 'dorm_building', 'dorm_room', 'person', 'role')),
  CONSTRAINT passage_rules_who_value CHECK ((who_kind = 'everyone') = (who_value IS NULL)),
  CONSTRAINT passage_rules_where_known CHECK (where_kind IN ('door', 'door_group', 'building', 'area', 'campus')),
  CONSTRAINT passage_rules_calendar_known CHECK (calendar IN ('any', 'workdays', 'holidays', 'term')),
  CONSTRAINT passage_rules_validity CHECK (valid_from_ms IS NULL OR valid_until_ms IS NULL OR valid_from_ms < valid_until_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The calendar: holidays and term days (Asia/Shanghai day numbers). A day may be both.
CREATE TABLE passage_calendar_days (
  day INT NOT NULL,
  kind VARCHAR(8) NOT NULL,
  PRIMARY KEY (day, kind),
  CONSTRAINT passage_calendar_days_kind_known CHECK (kind IN ('holiday', 'term'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where a person lives (dorm building and room), kept by the dorm office or imported with the sync.
CREATE TABLE passage_residents (
  person_no VARCHAR(32) NOT NULL,
  building_id VARCHAR(26) NOT NULL,
  room VARCHAR(16) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX passage_residents_building ON passage_residents (building_id, room);

-- Passage roles of people (dorm_keeper 宿管, security 保卫 …), which rules may name.
CREATE TABLE passage_person_roles (
  person_no VARCHAR(32) NOT NULL,
  role VARCHAR(32) NOT NULL,
  PRIMARY KEY (person_no, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One version for everything the rule tables are computed from (rules, places, calendar, residents,
-- roles): bumped in the same transaction as each change, so a door table names the state it was built
-- from. Version 1 is the empty state.
CREATE TABLE passage_state (
  id INT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO passage_state (id, version) VALUES (1, 1);

-- Late returns after a dorm curfew, one per person, building and Asia/Shanghai day, counted per student.
CREATE TABLE passage_late_returns (
  person_no VARCHAR(32) NOT NULL,
  building_id VARCHAR(26) NOT NULL,
  day INT NOT NULL,
  device_id VARCHAR(32) NOT NULL,
  occurred_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_no, building_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Anti-passback: whether a person is in or out of an area. A missing row is 'none' (either way allowed).
CREATE TABLE passage_area_presence (
  person_no VARCHAR(32) NOT NULL,
  area_id VARCHAR(26) NOT NULL,
  state VARCHAR(8) NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (person_no, area_id),
  CONSTRAINT passage_area_presence_state_known CHECK (state IN ('in', 'out'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
