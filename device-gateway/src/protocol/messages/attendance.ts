// Attendance sign-in for a class, meeting or exam session: the reader sends the session it serves and the
// code; the server checks roster and time window and records the first sign-in only.

import { type AttendanceStatus, attendanceStatuses, type ReasonCode, reasonCodes } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { idBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import { readCode, readEnum, readId, type ScannedCode, writeCode, writeEnum, writeId } from './fields.ts';

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
