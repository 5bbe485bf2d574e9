import { CoreError } from '@campus-card/core/client';
import type { AttendanceCheck, AttendanceResult, Refusal } from '../protocol/index.ts';
import { assertLive, type HandlerDeps, type RequestContext, verifyCode } from './context.ts';
import { refusalOfCore } from './refusals.ts';

function refused(reason: Refusal): AttendanceResult {
  return { kind: 'attendance_result', status: 'code_refused', reason, recordedAtMs: 0 };
}

/** ATTENDANCE: the code must verify; the core checks the session, roster and window and keeps the first sign-in. */
export async function signInAttendance(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: AttendanceCheck,
  nowMs: number,
): Promise<AttendanceResult> {
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) return refused(verified.reason);
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
    });
    return {
      kind: 'attendance_result',
      status: result.status,
      reason: 'NONE',
      recordedAtMs: result.recordedAtMs ?? 0,
    };
  } catch (error) {
    if (error instanceof CoreError) return refused(refusalOfCore(error.code));
    return refused('SERVICE_UNAVAILABLE');
  }
}
