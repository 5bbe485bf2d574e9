import type {
  AttendanceDayCell,
  AttendanceKind,
  AttendanceSessionRow,
  AttendanceRosterStatus as AttendanceStatus,
  AttendanceRosterEntry as RosterEntry,
} from '../contract/attendance.ts';
import { CoreError } from '../errors.ts';
import { formatDateTime, formatDay, shanghaiDay } from '../time.ts';
import type { AttendanceRepository, PeopleFilter, SessionFilter } from './attendance-repository.ts';
import {
  checkRange,
  type DayRange,
  percent,
  type Report,
  report,
  shanghaiTime,
  text,
} from './report-service.ts';

/** Sessions one page or export lists at most; a wider range is narrowed by its filters. */
export const attendanceSessionsMax = 5_000;
/** (session, group) rows the rate-by-day chart folds at most. */
const groupRowsMax = 50_000;

export type {
  AttendanceRosterEntry as RosterEntry,
  AttendanceRosterStatus as AttendanceStatus,
  AttendanceSessionRow,
} from '../contract/attendance.ts';

const kindText: Record<string, string> = { class: '上课', exam: '考试', meeting: '会议' };
const statusText: Record<AttendanceStatus, string> = { present: '出勤', late: '迟到', absent: '缺勤' };

/**
 * The backoffice's attendance pages: sessions over a range of Asia/Shanghai days with expected,
 * present, late, absent and the rate, narrowed by kind, course, department or class (a department or
 * class narrows each roster to its people); the rate by day per course or class; one session's
 * roster. Each list is also a sheet for CSV and Excel.
 */
export class AttendanceReport {
  constructor(private readonly repo: AttendanceRepository) {}

  async sessions(range: DayRange, filter: SessionFilter): Promise<Report<AttendanceSessionRow>> {
    checkRange(range);
    const rows = await this.repo.sessions(range.fromDay, range.toDay, filter, attendanceSessionsMax);
    const items = rows.map((r): AttendanceSessionRow => {
      const expectedCount = Number(r.expected_count);
      const presentCount = Number(r.present_count ?? 0);
      const lateCount = Number(r.late_count ?? 0);
      return {
        sessionId: String(r.id),
        kind: String(r.kind) as AttendanceKind,
        title: String(r.title),
        location: text(r.location),
        startsAtMs: Number(r.starts_at_ms),
        term: text(r.term),
        courseCode: text(r.course_code),
        expectedCount,
        presentCount,
        lateCount,
        absentCount: expectedCount - presentCount - lateCount,
        ratePercent: percent(presentCount + lateCount, expectedCount),
      };
    });
    return report(range, items, () => ({
      header: [
        '场次编号',
        '类型',
        '名称',
        '开始时间',
        '学期',
        '课程代码',
        '应到',
        '出勤',
        '迟到',
        '缺勤',
        '出勤率(%)',
      ],
      rows: items.map((i) => [
        i.sessionId,
        kindText[i.kind] ?? i.kind,
        i.title,
        shanghaiTime(i.startsAtMs),
        i.term,
        i.courseCode,
        i.expectedCount,
        i.presentCount,
        i.lateCount,
        i.absentCount,
        i.ratePercent,
      ]),
    }));
  }

  /** The rate per day (the sessions' start) and group: the course, or each roster member's class. */
  async byDay(range: DayRange, filter: SessionFilter, groupBy: 'course' | 'class') {
    checkRange(range);
    const rows = await this.repo.sessionGroups(range.fromDay, range.toDay, filter, groupBy, groupRowsMax);
    const cells = new Map<
      string,
      { day: string; group: string; expectedCount: number; attendedCount: number }
    >();
    for (const r of rows) {
      const day = formatDay(shanghaiDay(Number(r.starts_at_ms)));
      const group = String(r.group_key);
      const key = `${day}\u0000${group}`;
      const cell = cells.get(key) ?? { day, group, expectedCount: 0, attendedCount: 0 };
      cell.expectedCount += Number(r.expected_count);
      cell.attendedCount += Number(r.attended_count ?? 0);
      cells.set(key, cell);
    }
    const items = [...cells.values()]
      .sort((a, b) => (a.day === b.day ? a.group.localeCompare(b.group) : a.day < b.day ? -1 : 1))
      .map((c): AttendanceDayCell => ({ ...c, ratePercent: percent(c.attendedCount, c.expectedCount) }));
    return { from: formatDay(range.fromDay), to: formatDay(range.toDay), groupBy, items };
  }

  /** One session with its roster; NOT_FOUND for no such session, or none of the filtered people on it. */
  async session(id: string, filter: PeopleFilter) {
    const s = await this.repo.session(id);
    if (!s) throw new CoreError('NOT_FOUND', 'no such attendance session');
    const rows = await this.repo.roster(id, filter);
    const narrowed = filter.department !== undefined || filter.classCode !== undefined;
    if (narrowed && rows.length === 0) throw new CoreError('NOT_FOUND', 'no such attendance session');
    const startsAtMs = Number(s.starts_at_ms);
    const roster = rows.map((r): RosterEntry => {
      const signedInAtMs =
        r.recorded_at_ms === null || r.recorded_at_ms === undefined ? null : Number(r.recorded_at_ms);
      return {
        personNo: String(r.person_no),
        name: text(r.name),
        department: text(r.department),
        classCode: text(r.class_code),
        status: signedInAtMs === null ? 'absent' : signedInAtMs <= startsAtMs ? 'present' : 'late',
        signedInAtMs,
        deviceId: text(r.device_id),
        source: text(r.source),
      };
    });
    const count = (status: AttendanceStatus) => roster.filter((e) => e.status === status).length;
    const session = {
      sessionId: String(s.id),
      kind: String(s.kind) as AttendanceKind,
      title: String(s.title),
      location: text(s.location),
      startsAtMs,
      endsAtMs: Number(s.ends_at_ms),
      signInFromMs: Number(s.sign_in_from_ms),
      signInUntilMs: Number(s.sign_in_until_ms),
      term: text(s.term),
      courseCode: text(s.course_code),
      expectedCount: roster.length,
      presentCount: count('present'),
      lateCount: count('late'),
      absentCount: count('absent'),
      ratePercent: percent(count('present') + count('late'), roster.length),
    };
    return {
      session,
      roster,
      table: () => ({
        header: ['学工号', '姓名', '院系', '班级', '状态', '签到时间', '设备'],
        rows: roster.map((e) => [
          e.personNo,
          e.name,
          e.department,
          e.classCode,
          statusText[e.status],
          e.signedInAtMs === null ? null : shanghaiTimeSeconds(e.signedInAtMs),
          e.deviceId,
        ]),
      }),
    };
  }
}

/** 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai: a sign-in's minute alone cannot show it was late. */
function shanghaiTimeSeconds(atMs: number): string {
  return formatDateTime(atMs);
}
