/**
 * Attendance reports (docs/attendance.md): the backoffice's read-only pages over the sign-ins the
 * attendance devices upload — sessions in a range, the rate by day, one session's roster.
 */
import { z } from 'zod';
import { parseDay } from '../time.ts';
import { attendanceSessionId, cardNo, deviceRef } from './fields.ts';

export const attendanceKinds = ['class', 'meeting', 'exam'] as const;
export type AttendanceKind = (typeof attendanceKinds)[number];
export type AttendanceRosterStatus = 'present' | 'late' | 'absent';

const personNo = z.string().regex(/^[A-Za-z0-9]{1,32}$/);
const ms = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Rosters are bounded so one request cannot hold the database for long. */
export const rosterSizeMax = 2_000;

/** PUT /v1/attendance/sessions: a session with its roster (the identity sync and meetings put these). */
export const attendanceSessionSchema = z
  .strictObject({
    id: attendanceSessionId,
    kind: z.enum(attendanceKinds),
    title: z.string().min(1).max(128),
    location: z.string().max(64).nullable().default(null),
    startsAtMs: ms,
    endsAtMs: ms,
    signInFromMs: ms,
    signInUntilMs: ms,
    roster: z.array(personNo).max(rosterSizeMax),
  })
  .refine(
    (s) => s.signInFromMs < s.signInUntilMs && s.startsAtMs <= s.endsAtMs,
    'the times are out of order',
  );
export type AttendanceSessionInput = z.input<typeof attendanceSessionSchema>;
export type AttendanceSession = z.output<typeof attendanceSessionSchema>;

/** POST /v1/attendance/sign-ins: a reader's sign-in, online through the gateway or from an offline upload. */
export const attendanceSignInSchema = z.strictObject({
  sessionId: attendanceSessionId,
  cardNo,
  /** The device id, `-<keyVersion>` after a re-key (sequences restart with each key). */
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  /** When the person was at the reader: now for online sign-ins, the record's time for offline ones. */
  atMs: ms,
  source: z.enum(['online', 'offline']),
  /**
   * Online: the version the scanned code's certificate names. Then only an active card at exactly that
   * version signs in (CARD_LOST … or CARD_VERSION_STALE otherwise): a superseded phone, or a certificate
   * for a version never issued, signs nobody in. Offline records are judged as of when they were taken.
   */
  cardVersion: z.number().int().min(1).max(0xffff_ffff).optional(),
  /**
   * An exam reader that shows the seat (protocol § 7.14, EXAM_ATTENDANCE): the answer then carries the
   * person's seat from the exam roster, or null.
   */
  withSeat: z.boolean().optional(),
});
export type SignInInput = z.infer<typeof attendanceSignInSchema>;

/** POST /v1/attendance/sign-ins/answer: the sign-in stored under a reader's (device, sequence), if any. */
export const attendanceAnsweredSchema = z.strictObject({
  sessionId: attendanceSessionId,
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  /** Answer with the seat, as for a sign-in asked withSeat. */
  withSeat: z.boolean().default(false),
});

export const attendanceStatuses = [
  'recorded',
  'already_recorded',
  'not_on_roster',
  'outside_window',
  'session_not_found',
] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

/** The answer to a sign-in. */
export const signInResult = z.object({
  status: z.enum(attendanceStatuses),
  /** When the person was (first) recorded; null unless recorded or already_recorded. */
  recordedAtMs: z.number().int().nullable(),
  /** Asked withSeat: the exam seat of the person recorded (or recorded before), null without one. */
  seat: z.string().nullable().optional(),
});
export type SignInResult = z.infer<typeof signInResult>;

/** GET /v1/cards/:cardNo/attendance: one of a person's sign-ins. */
export interface AttendanceRecordView {
  sessionId: string;
  kind: string;
  title: string;
  startsAtMs: number;
  deviceId: string;
  source: string;
  recordedAtMs: number;
}

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
