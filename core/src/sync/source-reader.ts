import { fromSourceTime, type SourceDatabases, type SourceName, toSourceTime } from './source-databases.ts';

/**
 * Reads people and rosters from the academic-affairs and HR databases (source-databases.ts): SELECTs
 * only, in UTC. Each source table is read in pages by its change watermark
 * (updated_at, then id), which serves an incremental run (from the last watermark) and a full
 * reconcile (from the beginning) alike. Row values are returned as the source has them; judging
 * them is the sync's job (person-rows.ts).
 */

export type PersonStream = 'academic.students' | 'hr.staff';
export const personStreams: readonly PersonStream[] = ['academic.students', 'hr.staff'];

export interface SourcePerson {
  stream: PersonStream;
  rowId: string;
  personNo: string | null;
  name: string | null;
  idNumber: string | null;
  phone: string | null;
  deptCode: string | null;
  deptName: string | null;
  classCode: string | null;
  /** The year the student enrolled (their grade, 年级): the student's row, else their class's; staff: null. */
  enrolYear: number | null;
  /** The student's guardian on record (监护人) and their phone; staff: null. */
  guardianName: string | null;
  guardianPhone: string | null;
  status: string;
  updatedAtMs: number;
}

export interface Cursor {
  afterMs: number;
  afterId: number;
}

export interface CourseKey {
  term: string;
  courseCode: string;
}

export interface SourceSession {
  id: string;
  kind: 'class' | 'exam';
  code: string;
  courseName: string | null;
  room: string;
  startsAtMs: number;
  endsAtMs: number;
  status: string;
  updatedAtMs: number;
}

/** The per-stream SQL; table and column names are constants here, never input. */
const people: Record<PersonStream, { table: string; no: string; select: string }> = {
  'academic.students': {
    table: 'students',
    no: 'student_no',
    select: `SELECT s.id, s.student_no AS person_no, s.name, s.id_number, s.phone, s.dept_code, d.name AS dept_name,
                    s.class_code, COALESCE(s.enrol_year, c.enrol_year) AS enrol_year, s.guardian_name,
                    s.guardian_phone, s.status, s.updated_at
               FROM students s LEFT JOIN departments d ON d.dept_code = s.dept_code
               LEFT JOIN classes c ON c.class_code = s.class_code`,
  },
  'hr.staff': {
    table: 'staff',
    no: 'staff_no',
    select: `SELECT s.id, s.staff_no AS person_no, s.name, s.id_number, s.phone, s.dept_code, d.name AS dept_name,
                    NULL AS class_code, NULL AS enrol_year, NULL AS guardian_name, NULL AS guardian_phone,
                    s.status, s.updated_at
               FROM staff s LEFT JOIN departments d ON d.dept_code = s.dept_code`,
  },
};

export class SourceReader {
  constructor(private readonly databases: SourceDatabases) {}

  has(source: SourceName): boolean {
    return this.databases.has(source);
  }

  streams(): PersonStream[] {
    return personStreams.filter((s) => this.has(sourceOf(s)));
  }

  /** Rows after the cursor (all rows from (0, 0)): the run's total, for progress. */
  async countPeople(stream: PersonStream, cursor: Cursor): Promise<number> {
    const spec = people[stream];
    const after = toSourceTime(cursor.afterMs);
    const rows = await this.query<{ n: number }>(
      sourceOf(stream),
      `SELECT COUNT(*) AS n FROM ${spec.table} WHERE updated_at > ? OR (updated_at = ? AND id > ?)`,
      [after, after, cursor.afterId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The next page after the cursor, in (updated_at, id) order. */
  async pagePeople(stream: PersonStream, cursor: Cursor, limit: number): Promise<SourcePerson[]> {
    const spec = people[stream];
    const after = toSourceTime(cursor.afterMs);
    const rows = await this.query<Record<string, string | number | null>>(
      sourceOf(stream),
      `${spec.select} WHERE s.updated_at > ? OR (s.updated_at = ? AND s.id > ?) ORDER BY s.updated_at, s.id LIMIT ?`,
      [after, after, cursor.afterId, limit],
    );
    return rows.map((r) => ({
      stream,
      rowId: String(r.id),
      personNo: r.person_no === null ? null : String(r.person_no),
      name: r.name === null ? null : String(r.name),
      idNumber: r.id_number === null ? null : String(r.id_number),
      phone: r.phone === null ? null : String(r.phone),
      deptCode: r.dept_code === null ? null : String(r.dept_code),
      deptName: r.dept_name === null ? null : String(r.dept_name),
      classCode: r.class_code === null ? null : String(r.class_code),
      enrolYear: r.enrol_year === null || r.enrol_year === undefined ? null : Number(r.enrol_year),
      guardianName: r.guardian_name == null ? null : String(r.guardian_name),
      guardianPhone: r.guardian_phone == null ? null : String(r.guardian_phone),
      status: String(r.status),
      updatedAtMs: fromSourceTime(String(r.updated_at)),
    }));
  }

  /** Which of these numbers appear on more than one row of the source table. */
  async duplicateNumbers(stream: PersonStream, numbers: readonly string[]): Promise<Set<string>> {
    if (numbers.length === 0) return new Set();
    const spec = people[stream];
    const rows = await this.query<{ n: string }>(
      sourceOf(stream),
      `SELECT ${spec.no} AS n FROM ${spec.table} WHERE ${spec.no} IN (?) GROUP BY ${spec.no} HAVING COUNT(*) > 1`,
      [numbers],
    );
    return new Set(rows.map((r) => String(r.n)));
  }

  /**
   * The newest stamp on the roster tables: where a roster phase's watermark ends. Taken from the
   * data, not from a clock, so watermarks are only ever compared with the source's own stamps
   * (whatever time zone the source's writers used).
   */
  async rosterStampMs(): Promise<number> {
    const rows = await this.query<{ stamp: string | null }>(
      'academic',
      `SELECT GREATEST(
         COALESCE((SELECT MAX(updated_at) FROM enrolments), '1970-01-01'),
         COALESCE((SELECT MAX(updated_at) FROM class_sessions), '1970-01-01'),
         COALESCE((SELECT MAX(updated_at) FROM exam_sessions), '1970-01-01')) AS stamp`,
    );
    const stamp = rows[0]?.stamp;
    return stamp ? fromSourceTime(String(stamp).length === 10 ? `${stamp} 00:00:00` : String(stamp)) : 0;
  }

  /** Courses (per term) whose enrolments or sessions changed at or after sinceMs; every course when 0. */
  async changedCourses(sinceMs: number): Promise<CourseKey[]> {
    const since = toSourceTime(sinceMs);
    const rows = await this.query<{ term: string; course_code: string }>(
      'academic',
      `SELECT term, course_code FROM enrolments WHERE updated_at >= ?
       UNION SELECT term, course_code FROM class_sessions WHERE updated_at >= ?
       UNION SELECT term, course_code FROM exam_sessions WHERE updated_at >= ?
       ORDER BY term, course_code`,
      [since, since, since],
    );
    return rows.map((r) => ({ term: String(r.term), courseCode: String(r.course_code) }));
  }

  /** A course's sessions (class meetings and exams) and its enrolled students, for one term. */
  async courseRoster(course: CourseKey): Promise<{ sessions: SourceSession[]; personNos: string[] }> {
    const sessionRows = await this.query<Record<string, string>>(
      'academic',
      `SELECT 'class' AS kind, cs.session_code AS code, c.name AS course_name, cs.room, cs.starts_at, cs.ends_at, cs.status, cs.updated_at
         FROM class_sessions cs LEFT JOIN courses c ON c.course_code = cs.course_code
        WHERE cs.term = ? AND cs.course_code = ?
       UNION ALL
       SELECT 'exam', es.exam_code, c.name, es.room, es.starts_at, es.ends_at, es.status, es.updated_at
         FROM exam_sessions es LEFT JOIN courses c ON c.course_code = es.course_code
        WHERE es.term = ? AND es.course_code = ?`,
      [course.term, course.courseCode, course.term, course.courseCode],
    );
    const enrolled = await this.query<{ student_no: string }>(
      'academic',
      `SELECT student_no FROM enrolments WHERE term = ? AND course_code = ? AND status = 'enrolled' ORDER BY student_no`,
      [course.term, course.courseCode],
    );
    return {
      sessions: sessionRows.map((r) => {
        const kind = r.kind === 'exam' ? 'exam' : 'class';
        return {
          id: `${kind === 'exam' ? 'e' : 'c'}-${r.code}`,
          kind,
          code: String(r.code),
          courseName: r.course_name ?? null,
          room: String(r.room),
          startsAtMs: fromSourceTime(String(r.starts_at)),
          endsAtMs: fromSourceTime(String(r.ends_at)),
          status: String(r.status),
          updatedAtMs: fromSourceTime(String(r.updated_at)),
        };
      }),
      personNos: enrolled.map((r) => String(r.student_no)),
    };
  }

  private query<T>(source: SourceName, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.databases.query<T>(source, sql, params);
  }
}

export function sourceOf(stream: PersonStream): SourceName {
  return stream === 'hr.staff' ? 'hr' : 'academic';
}
