import { CoreError, type SignInResult } from '@campus-card/core/client';
import type { PhotoReferenceView } from '@campus-card/core/contract';
import type {
  AttendanceCheck,
  AttendanceResult,
  ExamAttendanceCheck,
  ExamAttendanceResult,
  ExamPhotoAttendanceCheck,
  ExamPhotoAttendanceResult,
  Refusal,
} from '../protocol/index.ts';
import { seatBytesMax } from '../protocol/index.ts';
import { assertLive, type HandlerDeps, type RequestContext, verifyCode } from './context.ts';
import { refusalOfCore } from './refusals.ts';

/** Code refusals a retried frame meets where its first try (maybe at another gateway) used the code. */
const retryRefusals: ReadonlySet<Refusal> = new Set(['CODE_REPLAYED', 'CODE_EXPIRED']);

/** A seat cut to the field's bytes at a character (the roster allows 16 characters). */
function wireSeat(seat: string | null | undefined): string {
  let out = '';
  for (const ch of seat ?? '') {
    if (Buffer.byteLength(out + ch) > seatBytesMax) break;
    out += ch;
  }
  return out;
}

type SignInRequest = AttendanceCheck | ExamAttendanceCheck | ExamPhotoAttendanceCheck;
type SignInAnswer = AttendanceResult | ExamAttendanceResult | ExamPhotoAttendanceResult;

/** The answer of the request's kind; EXAM_PHOTO_ATTENDANCE's with the photo reference, if one was given. */
function answerOf(
  request: SignInRequest,
  result: SignInResult,
  photo: PhotoReferenceView | null = null,
): SignInAnswer {
  const fields = { status: result.status, reason: 'NONE' as const, recordedAtMs: result.recordedAtMs ?? 0 };
  if (request.kind === 'attendance') return { kind: 'attendance_result', ...fields };
  const recorded = result.status === 'recorded' || result.status === 'already_recorded';
  const seat = recorded ? wireSeat(result.seat) : '';
  if (request.kind === 'exam_attendance') return { kind: 'exam_attendance_result', ...fields, seat };
  return {
    kind: 'exam_photo_attendance_result',
    ...fields,
    seat,
    photoRef: recorded && photo ? photo.reference : '',
    photoExpiresAtMs: recorded && photo ? photo.expiresAtMs : 0,
    photoBytes: recorded && photo ? photo.bytes : 0,
  };
}

function refused(request: SignInRequest, reason: Refusal): SignInAnswer {
  const fields = { status: 'code_refused' as const, reason, recordedAtMs: 0 };
  if (request.kind === 'attendance') return { kind: 'attendance_result', ...fields };
  if (request.kind === 'exam_attendance') return { kind: 'exam_attendance_result', ...fields, seat: '' };
  return {
    kind: 'exam_photo_attendance_result',
    ...fields,
    seat: '',
    photoRef: '',
    photoExpiresAtMs: 0,
    photoBytes: 0,
  };
}

/**
 * A reference to the candidate's photo for this reader (protocol § 7.28), or null: no photo kept, or the
 * core could not give one now — the sign-in stands either way and the reader shows 无照片.
 */
async function photoOf(
  deps: HandlerDeps,
  ctx: RequestContext,
  cardNo: string,
): Promise<PhotoReferenceView | null> {
  try {
    return (await deps.core.photoReference(cardNo, ctx.deviceRef)).reference;
  } catch {
    return null;
  }
}

/**
 * ATTENDANCE, EXAM_ATTENDANCE and EXAM_PHOTO_ATTENDANCE (protocol § 7.14, § 7.28): the code must verify; the
 * core checks the session, roster and window and keeps the first sign-in. EXAM_ATTENDANCE also answers the
 * seat on the exam roster; EXAM_PHOTO_ATTENDANCE the seat and a short-lived reference to the person's photo.
 */
export async function signInAttendance(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: SignInRequest,
  nowMs: number,
): Promise<SignInAnswer> {
  const withSeat = request.kind !== 'attendance';
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) {
    // The same frame retried at another gateway (or here after a restart) finds its code used by its first
    // try: the sign-in recorded under this (device, sequence) is the first answer (without a photo: the card
    // is not known here; the reader shows 无照片 and may sign the candidate in again for one).
    if (retryRefusals.has(verified.reason)) {
      const first = await deps.core
        .attendanceAnswered({
          sessionId: request.sessionId,
          deviceId: ctx.deviceRef,
          sequence: ctx.sequence,
          withSeat,
        })
        .catch(() => ({ answer: null }));
      if (first.answer !== null) return answerOf(request, first.answer);
    }
    return refused(request, verified.reason);
  }
  await assertLive(ctx);
  try {
    const result = await deps.core.signInAttendance({
      sessionId: request.sessionId,
      cardNo: verified.card.cardNo,
      cardVersion: verified.card.cardVersion,
      deviceId: ctx.deviceRef,
      sequence: ctx.sequence,
      atMs: nowMs,
      source: 'online',
      ...(withSeat ? { withSeat } : {}),
    });
    const recorded = result.status === 'recorded' || result.status === 'already_recorded';
    if (request.kind !== 'exam_photo_attendance' || !recorded) return answerOf(request, result);
    return answerOf(request, result, await photoOf(deps, ctx, verified.card.cardNo));
  } catch (error) {
    if (error instanceof CoreError) return refused(request, refusalOfCore(error.code));
    return refused(request, 'SERVICE_UNAVAILABLE');
  }
}
