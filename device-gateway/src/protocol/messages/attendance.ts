// Attendance sign-in for a class, meeting or exam session: the reader sends the session it serves and the
// code; the server checks roster and time window and records the first sign-in only.

import { type AttendanceStatus, attendanceStatuses, type ReasonCode, reasonCodes } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { idBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  readCode,
  readEnum,
  readId,
  readText,
  type ScannedCode,
  writeCode,
  writeEnum,
  writeId,
  writeText,
} from './fields.ts';

/** D→S. */
export interface AttendanceCheck {
  readonly kind: 'attendance';
  /** The attendance session (a class meeting, an exam sitting), as the server's id. */
  readonly sessionId: string;
  readonly code: ScannedCode;
}

export function parseAttendanceCheck(r: ByteReader): AttendanceCheck {
  const m: AttendanceCheck = {
    kind: 'attendance',
    sessionId: readId(r, 1, idBytesMax, 'sessionId'),
    code: readCode(r),
  };
  r.end('ATTENDANCE');
  return m;
}

export function serializeAttendanceCheck(w: ByteWriter, m: AttendanceCheck): void {
  writeId(w, m.sessionId, 1, idBytesMax, 'sessionId');
  writeCode(w, m.code);
}

/** S→D. */
export interface AttendanceResult {
  readonly kind: 'attendance_result';
  readonly status: AttendanceStatus;
  /** NONE, except with `code_refused`, which names why. */
  readonly reason: ReasonCode;
  /** When the person was (first) recorded; 0 unless `recorded` or `already_recorded`. */
  readonly recordedAtMs: number;
}

function checkResult(status: AttendanceStatus, reason: ReasonCode, recordedAtMs: number): void {
  if ((status === 'code_refused') !== (reason !== 'NONE')) {
    throw new ProtocolError('BAD_FIELD', `status ${status} carries reason ${reason}`);
  }
  if ((status === 'recorded' || status === 'already_recorded') !== (recordedAtMs !== 0)) {
    throw new ProtocolError('BAD_FIELD', `status ${status} carries recordedAtMs ${recordedAtMs}`);
  }
}

export function parseAttendanceResult(r: ByteReader): AttendanceResult {
  const status = readEnum(r, attendanceStatuses, 'status');
  const reason = readEnum(r, reasonCodes, 'reason');
  const recordedAtMs = r.u64('recordedAtMs');
  checkResult(status, reason, recordedAtMs);
  r.end('ATTENDANCE_RESULT');
  return { kind: 'attendance_result', status, reason, recordedAtMs };
}

export function serializeAttendanceResult(w: ByteWriter, m: AttendanceResult): void {
  checkResult(m.status, m.reason, m.recordedAtMs);
  writeEnum(w, attendanceStatuses, m.status, 'status');
  writeEnum(w, reasonCodes, m.reason, 'reason');
  w.u64(m.recordedAtMs, 'recordedAtMs');
}

// EXAM_ATTENDANCE (0x88) and EXAM_ATTENDANCE_RESULT (0x89), protocol § 7.14: the same sign-in, answered with
// the person's exam seat too. A reader that shows seats sends EXAM_ATTENDANCE; ATTENDANCE and its answer
// stay as they were, because decoding is strict (nothing trails) and a reader built before would refuse
// a longer ATTENDANCE_RESULT.

/** UTF-8 bytes of a seat on the wire: the exam roster allows 16 characters. */
export const seatBytesMax = 64;

/** D→S: as ATTENDANCE, from a reader that shows the seat. */
export interface ExamAttendanceCheck {
  readonly kind: 'exam_attendance';
  readonly sessionId: string;
  readonly code: ScannedCode;
}

export function parseExamAttendanceCheck(r: ByteReader): ExamAttendanceCheck {
  const m: ExamAttendanceCheck = {
    kind: 'exam_attendance',
    sessionId: readId(r, 1, idBytesMax, 'sessionId'),
    code: readCode(r),
  };
  r.end('EXAM_ATTENDANCE');
  return m;
}

export function serializeExamAttendanceCheck(w: ByteWriter, m: ExamAttendanceCheck): void {
  writeId(w, m.sessionId, 1, idBytesMax, 'sessionId');
  writeCode(w, m.code);
}

/** S→D: ATTENDANCE_RESULT's fields, then the seat. */
export interface ExamAttendanceResult {
  readonly kind: 'exam_attendance_result';
  readonly status: AttendanceStatus;
  readonly reason: ReasonCode;
  readonly recordedAtMs: number;
  /** The person's seat on the exam roster; empty unless recorded or already recorded with a seat. */
  readonly seat: string;
}

export function parseExamAttendanceResult(r: ByteReader): ExamAttendanceResult {
  const status = readEnum(r, attendanceStatuses, 'status');
  const reason = readEnum(r, reasonCodes, 'reason');
  const recordedAtMs = r.u64('recordedAtMs');
  checkResult(status, reason, recordedAtMs);
  const seat = readText(r, seatBytesMax, 'seat');
  checkSeat(status, seat);
  r.end('EXAM_ATTENDANCE_RESULT');
  return { kind: 'exam_attendance_result', status, reason, recordedAtMs, seat };
}

export function serializeExamAttendanceResult(w: ByteWriter, m: ExamAttendanceResult): void {
  checkResult(m.status, m.reason, m.recordedAtMs);
  checkSeat(m.status, m.seat);
  writeEnum(w, attendanceStatuses, m.status, 'status');
  writeEnum(w, reasonCodes, m.reason, 'reason');
  w.u64(m.recordedAtMs, 'recordedAtMs');
  writeText(w, m.seat, seatBytesMax, 'seat');
}

function checkSeat(status: AttendanceStatus, seat: string): void {
  if (seat !== '' && status !== 'recorded' && status !== 'already_recorded') {
    throw new ProtocolError('BAD_FIELD', `status ${status} carries a seat`);
  }
}
