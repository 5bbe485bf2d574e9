import { CoreError, type SignInResult } from '@campus-card/core/client';
import type {
  AttendanceCheck,
  AttendanceResult,
  ExamAttendanceCheck,
  ExamAttendanceResult,
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

function answerOf(
  request: AttendanceCheck | ExamAttendanceCheck,
  result: SignInResult,
): AttendanceResult | ExamAttendanceResult {
  const fields = { status: result.status, reason: 'NONE' as const, recordedAtMs: result.recordedAtMs ?? 0 };
  if (request.kind === 'attendance') return { kind: 'attendance_result', ...fields };
  const recorded = result.status === 'recorded' || result.status === 'already_recorded';
  return { kind: 'exam_attendance_result', ...fields, seat: recorded ? wireSeat(result.seat) : '' };
}

function refused(request: AttendanceCheck | ExamAttendanceCheck, reason: Refusal) {
  const fields = { status: 'code_refused' as const, reason, recordedAtMs: 0 };
  return request.kind === 'attendance'
    ? ({ kind: 'attendance_result', ...fields } satisfies AttendanceResult)
    : ({ kind: 'exam_attendance_result', ...fields, seat: '' } satisfies ExamAttendanceResult);
}

/**
 * ATTENDANCE and EXAM_ATTENDANCE (protocol § 7.14): the code must verify; the core checks the session,
 * roster and window and keeps the first sign-in. EXAM_ATTENDANCE also answers the seat on the exam roster.
 */
export async function signInAttendance(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: AttendanceCheck | ExamAttendanceCheck,
  nowMs: number,
): Promise<AttendanceResult | ExamAttendanceResult> {
  const withSeat = request.kind === 'exam_attendance';
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) {
    // The same frame retried at another gateway (or here after a restart) finds its code used by its first
    // try: the sign-in recorded under this (device, sequence) is the first answer.
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
    return answerOf(request, result);
  } catch (error) {
    if (error instanceof CoreError) return refused(request, refusalOfCore(error.code));
    return refused(request, 'SERVICE_UNAVAILABLE');
  }
}
