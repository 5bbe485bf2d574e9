import { parseArgs } from 'node:util';
import { Campus } from './campus.ts';

/**
 * npm run seed:campus -w mock [-- --students 20000 --staff 2000 --seed 1 --academic campus_academic --hr campus_hr]
 * Recreates the two source schemas on CAMPUS_MYSQL_URL (default the local MariaDB) and prints the
 * URLs the core's sync reads (ACADEMIC_DATABASE_URL, HR_DATABASE_URL).
 */
const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '20000' },
    staff: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    academic: { type: 'string', default: 'campus_academic' },
    hr: { type: 'string', default: 'campus_hr' },
  },
});
const count = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${raw}`);
  return n;
};
const serverUrl = process.env.CAMPUS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const started = performance.now();
const campus = await Campus.seed({
  serverUrl,
  academicSchema: values.academic,
  hrSchema: values.hr,
  seed: count('seed', values.seed),
  students: count('students', values.students),
  staff: count('staff', values.staff),
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`seeded ${campus.data.students.length} students, ${campus.data.staff.length} staff, ${campus.data.classes.length} classes, ${campus.data.enrolments.length} enrolments in ${seconds} s
ACADEMIC_DATABASE_URL=${campus.academicUrl}
HR_DATABASE_URL=${campus.hrUrl}`);
await campus.close();
