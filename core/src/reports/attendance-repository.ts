import type { Database, Param } from '../db/database.ts';
import { dayBoundsMs } from '../time.ts';
import type { Row } from './report-repository.ts';

/** Which people of a roster count: everyone, or those of one department, class or both. */
export interface PeopleFilter {
  /** persons.department, the name the identity sync writes (计算机学院). */
  department?: string | undefined;
  /** The academic-affairs class code (sync_people.class_code). */
  classCode?: string | undefined;
}

export interface SessionFilter extends PeopleFilter {
  kind?: string | undefined;
  courseCode?: string | undefined;
}

/**
 * On time: signed in at or before the session's start; late: after it (inside the sign-in window,
 * which the sign-in itself enforces); absent: on the roster with no sign-in.
 */
const onTime = 'CAST(SUM(CASE WHEN a.recorded_at_ms <= s.starts_at_ms THEN 1 ELSE 0 END) AS SIGNED)';
const late = 'CAST(SUM(CASE WHEN a.recorded_at_ms > s.starts_at_ms THEN 1 ELSE 0 END) AS SIGNED)';

/** The joins and conditions that narrow a roster to the filtered people (r is the roster). */
function people(filter: PeopleFilter): { joins: string; where: string; params: Param[] } {
  const joins: string[] = [];
  const where: string[] = [];
  const params: Param[] = [];
  if (filter.department !== undefined) {
    joins.push('JOIN persons fp ON fp.person_no = r.person_no');
    where.push('AND fp.department = ?');
    params.push(filter.department);
  }
  if (filter.classCode !== undefined) {
    joins.push('JOIN sync_people fc ON fc.person_no = r.person_no');
    where.push('AND fc.class_code = ?');
    params.push(filter.classCode);
  }
  return { joins: joins.join(' '), where: where.join(' '), params };
}

/** Sessions that started in [fromDay, toDay] (Asia/Shanghai) and match the session filters. */
function sessions(fromDay: number, toDay: number, filter: SessionFilter): { where: string; params: Param[] } {
  const where = ['s.starts_at_ms >= ? AND s.starts_at_ms < ?'];
  const params: Param[] = [dayBoundsMs(fromDay).startMs, dayBoundsMs(toDay).endMs];
  if (filter.kind !== undefined) {
    where.push('AND s.kind = ?');
    params.push(filter.kind);
  }
  if (filter.courseCode !== undefined) {
    where.push('AND ss.course_code = ?');
    params.push(filter.courseCode);
  }
  return { where: where.join(' '), params };
}

const narrowed = (filter: PeopleFilter) => filter.department !== undefined || filter.classCode !== undefined;

/**
 * The attendance pages' queries. A range narrows by attendance_sessions_starts (sql/014); rosters
 * and sign-ins are reached by their primary keys (session_id, person_no).
 */
export class AttendanceRepository {
  constructor(private readonly db: Database) {}

  /**
   * Per session: the roster (narrowed to the filtered people) with how many signed in on time and
   * late. Without a people filter a session with an empty roster is listed with zeros; with one, a
   * session with none of those people is not listed.
   */
  sessions(fromDay: number, toDay: number, filter: SessionFilter, limit: number): Promise<Row[]> {
    const p = people(filter);
    const s = sessions(fromDay, toDay, filter);
    return this.db.select(
      `SELECT s.id, s.kind, s.title, s.location, s.starts_at_ms, ss.term, ss.course_code,
              COUNT(r.person_no) AS expected_count, ${onTime} AS present_count, ${late} AS late_count
         FROM attendance_sessions s
         LEFT JOIN sync_sessions ss ON ss.session_id = s.id
         LEFT JOIN attendance_roster r ON r.session_id = s.id
         LEFT JOIN attendance_records a ON a.session_id = r.session_id AND a.person_no = r.person_no
         ${p.joins}
        WHERE ${s.where} ${p.where}
        GROUP BY s.id, s.kind, s.title, s.location, s.starts_at_ms, ss.term, ss.course_code
        ${narrowed(filter) ? 'HAVING COUNT(r.person_no) > 0' : ''}
        ORDER BY s.starts_at_ms, s.id LIMIT ?`,
      [...s.params, ...p.params, limit],
    );
  }

  /**
   * Per session and group (its course, or each roster member's class): expected and attended, for
   * the rate-by-day chart; the caller folds sessions into days.
   */
  sessionGroups(
    fromDay: number,
    toDay: number,
    filter: SessionFilter,
    groupBy: 'course' | 'class',
    limit: number,
  ): Promise<Row[]> {
    const p = people(filter);
    const s = sessions(fromDay, toDay, filter);
    const group = groupBy === 'course' ? 'COALESCE(ss.course_code, s.title)' : "COALESCE(gc.class_code, '')";
    return this.db.select(
      `SELECT s.id, s.starts_at_ms, ${group} AS group_key,
              COUNT(*) AS expected_count, CAST(SUM(CASE WHEN a.person_no IS NULL THEN 0 ELSE 1 END) AS SIGNED) AS attended_count
         FROM attendance_sessions s
         LEFT JOIN sync_sessions ss ON ss.session_id = s.id
         JOIN attendance_roster r ON r.session_id = s.id
         LEFT JOIN attendance_records a ON a.session_id = r.session_id AND a.person_no = r.person_no
         ${groupBy === 'class' ? 'LEFT JOIN sync_people gc ON gc.person_no = r.person_no' : ''}
         ${p.joins}
        WHERE ${s.where} ${p.where}
        GROUP BY s.id, s.starts_at_ms, ${group}
        ORDER BY s.starts_at_ms, s.id LIMIT ?`,
      [...s.params, ...p.params, limit],
    );
  }

  async session(id: string): Promise<Row | undefined> {
    const rows = await this.db.select<Row>(
      `SELECT s.id, s.kind, s.title, s.location, s.starts_at_ms, s.ends_at_ms, s.sign_in_from_ms,
              s.sign_in_until_ms, ss.term, ss.course_code
         FROM attendance_sessions s LEFT JOIN sync_sessions ss ON ss.session_id = s.id WHERE s.id = ?`,
      [id],
    );
    return rows[0];
  }

  /** A session's roster (narrowed to the filtered people), each with their sign-in if any. */
  roster(id: string, filter: PeopleFilter): Promise<Row[]> {
    const p = people(filter);
    return this.db.select(
      `SELECT r.person_no, pn.name, pn.department, pc.class_code, a.recorded_at_ms, a.device_id, a.source
         FROM attendance_roster r
         LEFT JOIN persons pn ON pn.person_no = r.person_no
         LEFT JOIN sync_people pc ON pc.person_no = r.person_no
         LEFT JOIN attendance_records a ON a.session_id = r.session_id AND a.person_no = r.person_no
         ${p.joins}
        WHERE r.session_id = ? ${p.where}
        ORDER BY r.person_no`,
      [id, ...p.params],
    );
  }
}
