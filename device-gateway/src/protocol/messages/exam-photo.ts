// EXAM_PHOTO_ATTENDANCE (0xA0), EXAM_PHOTO_ATTENDANCE_RESULT (0xA1), PHOTO_REQUEST (0xA2) and PHOTO_CHUNK
// (0xA3), protocol § 7.28: the exam sign-in answered with the seat and a short-lived reference to the
// candidate's photo, and the photo fetched by it in chunks. EXAM_ATTENDANCE_RESULT stays as it was: decoding
// is strict (nothing trails), so a reader built against it would refuse a longer answer.

import {
  type AttendanceStatus,
  attendanceStatuses,
  type PhotoMediaType,
  photoMediaTypes,
  type ReasonCode,
  reasonCodes,
} from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { idBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import { seatBytesMax } from './attendance.ts';
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

/** Characters of a photo reference (`<photo id>.<expiresAtMs>.<mac>`, 63 today). */
export const photoReferenceBytesMax = 80;
/** Photo bytes in one PHOTO_CHUNK: with its 11 bytes of fields it fits an encrypted payload (4,029). */
export const photoChunkBytesMax = 4_000;
/** The largest photo the server hands out (the core's limit): at most 13 chunks. */
export const photoBytesMax = 48 * 1024;

/** D→S: as ATTENDANCE, from a reader that shows the seat and the candidate's photo. */
export interface ExamPhotoAttendanceCheck {
  readonly kind: 'exam_photo_attendance';
  readonly sessionId: string;
  readonly code: ScannedCode;
}

export function parseExamPhotoAttendanceCheck(r: ByteReader): ExamPhotoAttendanceCheck {
  const m: ExamPhotoAttendanceCheck = {
    kind: 'exam_photo_attendance',
    sessionId: readId(r, 1, idBytesMax, 'sessionId'),
    code: readCode(r),
  };
  r.end('EXAM_PHOTO_ATTENDANCE');
  return m;
}

export function serializeExamPhotoAttendanceCheck(w: ByteWriter, m: ExamPhotoAttendanceCheck): void {
  writeId(w, m.sessionId, 1, idBytesMax, 'sessionId');
  writeCode(w, m.code);
}

/** S→D: EXAM_ATTENDANCE_RESULT's fields, then the photo reference (empty: no photo to show, 无照片). */
export interface ExamPhotoAttendanceResult {
  readonly kind: 'exam_photo_attendance_result';
  readonly status: AttendanceStatus;
  readonly reason: ReasonCode;
  readonly recordedAtMs: number;
  readonly seat: string;
  readonly photoRef: string;
  /** When the reference stops working; 0 with no reference. */
  readonly photoExpiresAtMs: number;
  /** The photo's size, so the reader knows how many chunks to ask for; 0 with no reference. */
  readonly photoBytes: number;
}

function checkPhotoResult(m: Omit<ExamPhotoAttendanceResult, 'kind'>): void {
  if ((m.status === 'code_refused') !== (m.reason !== 'NONE'))
    throw new ProtocolError('BAD_FIELD', `status ${m.status} carries reason ${m.reason}`);
  const recorded = m.status === 'recorded' || m.status === 'already_recorded';
  if (recorded !== (m.recordedAtMs !== 0))
    throw new ProtocolError('BAD_FIELD', `status ${m.status} carries recordedAtMs ${m.recordedAtMs}`);
  if (!recorded && (m.seat !== '' || m.photoRef !== ''))
    throw new ProtocolError('BAD_FIELD', `status ${m.status} carries a seat or a photo`);
  const none = m.photoRef === '';
  if (none !== (m.photoExpiresAtMs === 0) || none !== (m.photoBytes === 0) || m.photoBytes > photoBytesMax)
    throw new ProtocolError(
      'BAD_FIELD',
      'photoExpiresAtMs and photoBytes go with a photo reference, 1 … 49,152 bytes',
    );
}

export function parseExamPhotoAttendanceResult(r: ByteReader): ExamPhotoAttendanceResult {
  const m: ExamPhotoAttendanceResult = {
    kind: 'exam_photo_attendance_result',
    status: readEnum(r, attendanceStatuses, 'status'),
    reason: readEnum(r, reasonCodes, 'reason'),
    recordedAtMs: r.u64('recordedAtMs'),
    seat: readText(r, seatBytesMax, 'seat'),
    photoRef: readId(r, 0, photoReferenceBytesMax, 'photoRef'),
    photoExpiresAtMs: r.u64('photoExpiresAtMs'),
    photoBytes: r.u32('photoBytes'),
  };
  checkPhotoResult(m);
  r.end('EXAM_PHOTO_ATTENDANCE_RESULT');
  return m;
}

export function serializeExamPhotoAttendanceResult(w: ByteWriter, m: ExamPhotoAttendanceResult): void {
  checkPhotoResult(m);
  writeEnum(w, attendanceStatuses, m.status, 'status');
  writeEnum(w, reasonCodes, m.reason, 'reason');
  w.u64(m.recordedAtMs, 'recordedAtMs');
  writeText(w, m.seat, seatBytesMax, 'seat');
  writeId(w, m.photoRef, 0, photoReferenceBytesMax, 'photoRef');
  w.u64(m.photoExpiresAtMs, 'photoExpiresAtMs');
  w.u32(m.photoBytes, 'photoBytes');
}

/** D→S: the part of the photo from `offset`, by the reference the reader was given. */
export interface PhotoRequest {
  readonly kind: 'photo_request';
  readonly photoRef: string;
  readonly offset: number;
}

export function parsePhotoRequest(r: ByteReader): PhotoRequest {
  const photoRef = readId(r, 1, photoReferenceBytesMax, 'photoRef');
  const offset = r.u32('offset');
  if (offset >= photoBytesMax) throw new ProtocolError('BAD_FIELD', `offset ${offset} is past any photo`);
  r.end('PHOTO_REQUEST');
  return { kind: 'photo_request', photoRef, offset };
}

export function serializePhotoRequest(w: ByteWriter, m: PhotoRequest): void {
  if (m.offset >= photoBytesMax) throw new ProtocolError('BAD_FIELD', `offset ${m.offset} is past any photo`);
  writeId(w, m.photoRef, 1, photoReferenceBytesMax, 'photoRef');
  w.u32(m.offset, 'offset');
}

/** S→D, encrypted (a face is personal data): up to 4,000 bytes of the photo from `offset`. */
export interface PhotoChunk {
  readonly kind: 'photo_chunk';
  readonly mediaType: PhotoMediaType;
  readonly totalBytes: number;
  readonly offset: number;
  readonly data: Uint8Array;
}

function checkChunk(m: Omit<PhotoChunk, 'kind'>): void {
  const { totalBytes, offset, data } = m;
  if (totalBytes < 1 || totalBytes > photoBytesMax)
    throw new ProtocolError('BAD_FIELD', `totalBytes ${totalBytes} is not 1 … ${photoBytesMax}`);
  if (data.byteLength < 1 || data.byteLength > photoChunkBytesMax || offset + data.byteLength > totalBytes)
    throw new ProtocolError('BAD_FIELD', `a chunk of ${data.byteLength} bytes at ${offset} of ${totalBytes}`);
}

export function parsePhotoChunk(r: ByteReader): PhotoChunk {
  const mediaType = readEnum(r, photoMediaTypes, 'mediaType');
  const totalBytes = r.u32('totalBytes');
  const offset = r.u32('offset');
  const data = r.bytesOf(r.u16('length'), 'data');
  const m: PhotoChunk = { kind: 'photo_chunk', mediaType, totalBytes, offset, data };
  checkChunk(m);
  r.end('PHOTO_CHUNK');
  return m;
}

export function serializePhotoChunk(w: ByteWriter, m: PhotoChunk): void {
  checkChunk(m);
  writeEnum(w, photoMediaTypes, m.mediaType, 'mediaType');
  w.u32(m.totalBytes, 'totalBytes');
  w.u32(m.offset, 'offset');
  w.u16(m.data.byteLength, 'length');
  w.bytes(m.data);
}
