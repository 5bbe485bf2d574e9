-- The grade (年级) of a student as the academic-affairs database has it (#19, docs/sync.md): the year
-- they enrolled, from students.enrol_year or else their class's enrol_year. News and courses can be
-- sent to a grade (audience kind 'grade', sql/092), and the backoffice lists the grades there are.
-- NULL for staff and for students whose source row and class name no year. Rows written before this
-- column are filled by the next sync run (their digest now covers the year, so each is applied once).
ALTER TABLE sync_people ADD COLUMN enrol_year SMALLINT NULL CHECK (enrol_year IS NULL OR (enrol_year BETWEEN 1900 AND 2999));
CREATE INDEX sync_people_enrol_year ON sync_people (enrol_year);
