/**
 * Attendance reports (docs/attendance.md): the backoffice's read-only pages over the sign-ins the
 * attendance devices upload — sessions in a range, the rate by day, one session's roster.
 */
import { z } from 'zod';
import { parseDay } from '../time.ts';
import { attendanceSessionId } from './fields.ts';

export const attendanceKinds = ['class', 'meeting', 'exam'] as const;
export type AttendanceKind = (typeof attendanceKinds)[number];
export type AttendanceRosterStatus = 'present' | 'late' | 'absent';

/** A day as the report queries take it (YYYY-MM-DD), as the Asia/Shanghai day number. */
const reportDay = z.string().transform((text, ctx) => {
  const parsed = parseDay(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a date YYYY-MM-DD' });
    return z.NEVER;
  }
  return parsed;
});
export const attendanceFormatSchema = z.enum(['json', 'csv', 'xlsx']).default('json');
/** Whose sign-ins count: a department, a class (a department admin's department is the BFF's to apply). */
export const attendancePeopleFilter = {
  department: z.string().trim().min(1).max(64).optional(),
  classCode: z.string().trim().min(1).max(16).optional(),
};
/** GET /v1/attendance/sessions (with format) and /v1/attendance/by-day (with groupBy). */
export const attendanceSessionsQuerySchema = z.object({
  from: reportDay,
  to: reportDay,
  kind: z.enum(attendanceKinds).optional(),
  courseCode: z.string().trim().min(1).max(16).optional(),
  ...attendancePeopleFilter,
});
export const attendanceGroupBySchema = z.enum(['course', 'class']).default('course');
export const attendanceSessionPathSchema = z.object({ id: attendanceSessionId });

/** A session of the range with its counts over the (filtered) roster. */
export interface AttendanceSessionRow {
  sessionId: string;
  kind: AttendanceKind;
  title: string;
  location: string | null;
  startsAtMs: number;
  term: string | null;
  courseCode: string | null;
  /** The roster (of the filtered people). */
  expectedCount: number;
  /** Signed in at or before the start. */
  presentCount: number;
  /** Signed in after the start. */
  lateCount: number;
  absentCount: number;
  /** (present + late) / expected, in percent with one decimal; 0 for an empty roster. */
  ratePercent: number;
}

/** The rate of one day (the sessions' start) and group (the course, or a roster member's class). */
export interface AttendanceDayCell {
  day: string;
  group: string;
  expectedCount: number;
  attendedCount: number;
  ratePercent: number;
}

/** One person of a session's roster and how they attended. */
export interface AttendanceRosterEntry {
  personNo: string;
  name: string | null;
  department: string | null;
  classCode: string | null;
  status: AttendanceRosterStatus;
  signedInAtMs: number | null;
  deviceId: string | null;
  source: string | null;
}
