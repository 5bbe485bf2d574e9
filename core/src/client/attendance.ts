import type {
  AttendanceRecordView,
  AttendanceSessionInput,
  AttendanceSessionRow,
  AttendanceRosterEntry as RosterEntry,
  SignInInput,
  SignInResult,
} from '../contract/attendance.ts';
import { DomainClient, pageQuery, query } from './transport.ts';

/** Attendance: sessions, sign-ins, the reports and their sheets. */
export class AttendanceClient extends DomainClient {
  /** Creates or replaces an attendance session with its roster (the identity sync fills these). */
  putAttendanceSession(session: AttendanceSessionInput): Promise<void> {
    return this.transport.call('PUT', '/v1/attendance/sessions', session);
  }
  signInAttendance(input: SignInInput): Promise<SignInResult> {
    return this.transport.call('POST', '/v1/attendance/sign-ins', input);
  }
  /** The sign-in recorded under a reader's (device, sequence), as first answered, or null. */
  attendanceAnswered(input: {
    sessionId: string;
    deviceId: string;
    sequence: number;
    withSeat?: boolean;
  }): Promise<{ answer: SignInResult | null }> {
    return this.transport.call('POST', '/v1/attendance/sign-ins/answer', input);
  }
  /** A card holder's attendance sign-ins, newest first. */
  attendance(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number } = {},
  ): Promise<{ items: AttendanceRecordView[] }> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/attendance${pageQuery(page)}`);
  }
  /** Attendance sessions over Asia/Shanghai days with expected, present, late, absent and the rate. */
  attendanceSessions(
    q: AttendanceQuery,
  ): Promise<{ from: string; to: string; items: AttendanceSessionRow[] }> {
    return this.transport.call('GET', `/v1/attendance/sessions${query({ ...q })}`);
  }
  /** The rate per day and course (or class), for the attendance chart. */
  attendanceByDay(q: AttendanceQuery & { groupBy: 'course' | 'class' }): Promise<{
    from: string;
    to: string;
    groupBy: 'course' | 'class';
    items: {
      day: string;
      group: string;
      expectedCount: number;
      attendedCount: number;
      ratePercent: number;
    }[];
  }> {
    return this.transport.call('GET', `/v1/attendance/by-day${query({ ...q })}`);
  }
  /** One session and its roster (narrowed to a department or class); NOT_FOUND outside it. */
  attendanceSession(
    id: string,
    q: { department?: string; classCode?: string } = {},
  ): Promise<{ session: AttendanceSessionRow & { endsAtMs: number }; roster: RosterEntry[] }> {
    return this.transport.call('GET', `/v1/attendance/sessions/${encodeURIComponent(id)}${query(q)}`);
  }
  /** The sessions list or a roster as a sheet: CSV (UTF-8 with a BOM) or .xlsx. */
  attendanceSheet(
    target: { sessions: AttendanceQuery } | { sessionId: string; department?: string; classCode?: string },
    format: 'csv' | 'xlsx',
  ): Promise<Buffer> {
    if ('sessions' in target)
      return this.transport.download(`/v1/attendance/sessions${query({ ...target.sessions, format })}`);
    const { sessionId, ...people } = target;
    return this.transport.download(
      `/v1/attendance/sessions/${encodeURIComponent(sessionId)}${query({ ...people, format })}`,
    );
  }
}

/** The attendance pages' filters: days are YYYY-MM-DD in Asia/Shanghai. */
export interface AttendanceQuery {
  from: string;
  to: string;
  kind?: 'class' | 'meeting' | 'exam';
  courseCode?: string;
  department?: string;
  classCode?: string;
}
