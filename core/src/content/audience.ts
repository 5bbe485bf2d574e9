import { type Audience, audienceSchema } from '../contract/content.ts';

export { type Audience, audienceSchema };

/**
 * The SQL condition that a row's audience (columns audience_type, audience_value of alias `t`)
 * includes the person `p` (persons) whose class is `sp.class_code` (sync_people, may be NULL).
 */
export const audienceIncludes = `(t.audience_type = 'all'
   OR (t.audience_type = 'students' AND p.type = 'student')
   OR (t.audience_type = 'staff' AND p.type = 'staff')
   OR (t.audience_type = 'department' AND t.audience_value = p.department)
   OR (t.audience_type = 'class' AND t.audience_value = sp.class_code))`;

/** The person joins every audience query needs, for one person number (the one parameter). */
export const personJoin = `JOIN persons p ON p.person_no = ? LEFT JOIN sync_people sp ON sp.person_no = p.person_no`;

export function audienceColumns(audience: Audience): [string, string | null] {
  return [audience.type, 'value' in audience ? audience.value : null];
}

export function audienceOf(type: string, value: string | null): Audience {
  return (value === null ? { type } : { type, value }) as Audience;
}
