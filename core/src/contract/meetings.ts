/**
 * Meetings and exams (#15, docs/visitors-meetings-bus.md): the backoffice makes one with its time,
 * place, roster (a list, a department, or open), readers and, for exams, seats; the board answers who
 * signed in, who was late and who is absent. The session is an attendance session underneath.
 */
import { z } from 'zod';
import { attendanceSessionId, deviceRef } from './fields.ts';

const personNo = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'a person number is 1–32 letters or digits');
const ms = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const meetingRosterMax = 2_000;

/** A meeting's fields, before the check of its times (the BFF's form derives from it). */
export const meetingFields = z.strictObject({
  id: attendanceSessionId,
  kind: z.enum(['meeting', 'exam']),
  title: z.string().trim().min(1).max(128),
  location: z.string().trim().max(64).nullable().default(null),
  startsAtMs: ms,
  endsAtMs: ms,
  /** Sign-in opens this long before the start (default 30 min) and closes at the end. */
  signInBeforeMs: z
    .number()
    .int()
    .min(0)
    .max(4 * 3600_000)
    .default(30 * 60_000),
  /** A sign-in after start + this is late (default 5 min). */
  lateAfterMs: z
    .number()
    .int()
    .min(0)
    .max(4 * 3600_000)
    .default(5 * 60_000),
  roster: z.discriminatedUnion('by', [
    z.strictObject({ by: z.literal('list'), personNos: z.array(personNo).min(1).max(meetingRosterMax) }),
    z.strictObject({ by: z.literal('department'), department: z.string().trim().min(1).max(64) }),
    z.strictObject({ by: z.literal('open') }),
  ]),
  /** Exams: a candidate's seat number, by person number. */
  seats: z.record(personNo, z.string().trim().min(1).max(16)).default({}),
  readers: z.array(deviceRef).max(50).default([]),
  organiser: z.string().min(1).max(64),
});
export const newMeetingSchema = meetingFields.refine((m) => m.startsAtMs < m.endsAtMs, {
  message: 'the meeting must end after it starts',
  path: ['endsAtMs'],
});
export type NewMeeting = z.input<typeof newMeetingSchema>;

export const meetingBoardStatuses = ['signed_in', 'late', 'absent', 'waiting'] as const;
export type MeetingBoardStatus = (typeof meetingBoardStatuses)[number];

export interface MeetingView {
  id: string;
  kind: 'meeting' | 'exam';
  title: string;
  location: string | null;
  startsAtMs: number;
  endsAtMs: number;
  signInFromMs: number;
  lateAfterMs: number;
  openRoster: boolean;
  organiser: string;
  readers: string[];
  rosterSize: number;
}

export interface MeetingBoardRow {
  personNo: string;
  name: string | null;
  department: string | null;
  seat: string | null;
  status: MeetingBoardStatus;
  signedInAtMs: number | null;
  /** The core's person id, for notices; null for a person number no card knows. */
  personId: string | null;
}

/** A student's attendance in one Asia/Shanghai week (Monday to Sunday), classes, meetings and exams alike. */
export interface AttendanceWeek {
  personNo: string;
  /** The week's Monday, YYYY-MM-DD. */
  weekStart: string;
  /** Sessions on the person's roster that started this week and had ended by then (or were signed in). */
  expected: number;
  /** Signed in (on time or late). */
  attended: number;
  /** Signed in after start + the session's late-after (5 min where the session sets none). */
  late: number;
  /** Ended without a sign-in. */
  absent: number;
}

export interface MeetingBoard {
  meeting: MeetingView;
  counts: Record<MeetingBoardStatus, number>;
  rows: MeetingBoardRow[];
}
