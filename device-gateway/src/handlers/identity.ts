import { CoreError } from '@campus-card/core/client';
import type { GateCheckAnswer } from '@campus-card/core/contract';
import type { IdentityCheck, IdentityResult, PersonType, Refusal } from '../protocol/index.ts';
import { assertLive, type HandlerDeps, type RequestContext, verifyCode } from './context.ts';
import { refusalOfCore } from './refusals.ts';

/** The name travels encrypted (IDENTITY_RESULT is sealed), and is cut to the field's 64 bytes. */
const displayNameBytesMax = 64;

const personTypeOf: Readonly<Record<string, PersonType>> = {
  student: 'student',
  staff: 'staff',
  alumnus: 'alumnus',
  visitor: 'visitor',
  parent: 'visitor',
};

function deny(reason: Refusal): IdentityResult {
  return { kind: 'identity_result', decision: 'deny', reason, personType: 'unknown', displayName: '' };
}

function fitName(name: string): string {
  let out = '';
  for (const char of name) {
    if (Buffer.byteLength(out + char, 'utf8') > displayNameBytesMax) break;
    out += char;
  }
  return out;
}

/** Code refusals a retried frame meets where its first try used the code. */
const retryRefusals: ReadonlySet<Refusal> = new Set(['CODE_REPLAYED', 'CODE_EXPIRED']);

function resultOf(answer: GateCheckAnswer): IdentityResult {
  if (answer.decision === 'deny') return deny(answer.reason);
  return {
    kind: 'identity_result',
    decision: 'allow',
    reason: 'NONE',
    personType: personTypeOf[answer.personType] ?? 'visitor',
    displayName: fitName(answer.name),
  };
}

/**
 * IDENTITY_CHECK: a code that does not verify is refused here and recorded; a verified one costs one core
 * call, which checks the card, decides by the door's rules and records the access event before the answer
 * goes out, so nobody passes unrecorded. If the core cannot answer, the answer is deny SERVICE_UNAVAILABLE
 * and the device applies its offline rules (and uploads its own record).
 */
export async function checkIdentity(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: IdentityCheck,
  nowMs: number,
): Promise<IdentityResult> {
  const verified = await verifyCode(deps, ctx, request.code);
  // Both paths write to the core (an access event, a passage): refused for a device revoked in flight.
  await assertLive(ctx);
  if (!verified.ok) {
    // The same frame retried at another gateway (or here after a restart) finds its code used by its first
    // try: the access event recorded under this (device, sequence) is the first answer.
    if (retryRefusals.has(verified.reason)) {
      const first = await deps.core
        .gateCheckAnswered(ctx.deviceRef, ctx.sequence)
        .catch(() => ({ answer: null }));
      if (first.answer !== null) return resultOf(first.answer);
    }
    return recordRefusal(deps, ctx, request, verified.reason, nowMs);
  }
  try {
    return resultOf(
      await deps.core.gateCheck({
        deviceId: ctx.deviceRef,
        sequence: ctx.sequence,
        cardNo: verified.card.cardNo,
        cardVersion: verified.card.cardVersion,
        direction: request.direction,
        atMs: nowMs,
      }),
    );
  } catch (error) {
    if (error instanceof CoreError) return deny(refusalOfCore(error.code));
    return deny('SERVICE_UNAVAILABLE');
  }
}

/** A code refused before the card is known (forged, expired, replayed, a person type not allowed here). */
async function recordRefusal(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: IdentityCheck,
  reason: Refusal,
  nowMs: number,
): Promise<IdentityResult> {
  try {
    await deps.core.recordAccessEvent({
      deviceId: ctx.deviceRef,
      sequence: ctx.sequence,
      cardNo: null,
      direction: request.direction,
      decision: 'deny',
      reason,
      source: 'online',
      occurredAtMs: nowMs,
    });
  } catch {
    return deny('SERVICE_UNAVAILABLE');
  }
  return deny(reason);
}
