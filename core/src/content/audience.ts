import { z } from 'zod';

/** Whom a news item or course is for. */
export const audienceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('students') }),
  z.strictObject({ type: z.literal('staff') }),
  z.strictObject({ type: z.literal('department'), value: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('class'), value: z.string().min(1).max(64) }),
]);
export type Audience = z.infer<typeof audienceSchema>;

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
