import { type Audience, audienceSchema } from '../contract/content.ts';

export { type Audience, audienceSchema };

/**
 * Every place of each campus's place tree with its campus (campus_places: place_id, campus_id), for
 * the campus audience: a query that uses audienceIncludes starts with it. UNION (not UNION ALL) drops
 * a place met twice, so even a damaged tree with a loop ends.
 */
export const audienceWith = `WITH RECURSIVE campus_places (place_id, campus_id) AS (
    SELECT c.place_id, c.id FROM campuses c WHERE c.place_id IS NOT NULL
    UNION
    SELECT pp.id, cp.campus_id FROM passage_places pp JOIN campus_places cp ON pp.parent_id = cp.place_id)`;

/** The campus of the person `p`: the one whose place tree holds their dorm building (NULL: none). */
export const personCampus = `(SELECT cp.campus_id FROM passage_residents r
       JOIN campus_places cp ON cp.place_id = r.building_id WHERE r.person_no = p.person_no)`;

/**
 * The SQL condition that a row's audience (columns audience_type, audience_value of alias `t`)
 * includes the person `p` (persons) whose class is `sp.class_code` and grade `sp.enrol_year`
 * (sync_people, may be NULL), and whose campus is personCampus (docs/campuses.md). A grade reaches
 * students only; its value ('2024', text) is compared with the year as a number, which MySQL and SQLite both do (a CAST to text would meet MySQL's
 * collation rules instead). The CASE keeps that comparison to grade rows: a department's name
 * compared with a number is a truncation warning, which strict MySQL turns into an error inside an
 * INSERT … SELECT or UPDATE.
 */
export const audienceIncludes = `(t.audience_type = 'all'
   OR (t.audience_type = 'students' AND p.type = 'student')
   OR (t.audience_type = 'staff' AND p.type = 'staff')
   OR (t.audience_type = 'department' AND t.audience_value = p.department)
   OR (t.audience_type = 'class' AND t.audience_value = sp.class_code)
   OR (t.audience_type = 'grade' AND p.type = 'student'
       AND CASE WHEN t.audience_type = 'grade' THEN t.audience_value = sp.enrol_year END)
   OR (t.audience_type = 'campus' AND t.audience_value = ${personCampus}))`;

/** The person joins every audience query needs, for one person number (the one parameter). */
export const personJoin = `JOIN persons p ON p.person_no = ? LEFT JOIN sync_people sp ON sp.person_no = p.person_no`;

export function audienceColumns(audience: Audience): [string, string | null] {
  return [audience.type, 'value' in audience ? audience.value : null];
}

export function audienceOf(type: string, value: string | null): Audience {
  return (value === null ? { type } : { type, value }) as Audience;
}
