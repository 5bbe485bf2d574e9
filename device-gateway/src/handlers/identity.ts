import { CoreError } from '@campus-card/core/client';
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

/**
 * IDENTITY_CHECK: decided, then recorded as an access event before the answer goes out, so nobody passes
 * unrecorded: if the event cannot be stored, the answer is deny SERVICE_UNAVAILABLE and the device applies
 * its offline rules (and uploads its own record).
 */
export async function checkIdentity(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: IdentityCheck,
  nowMs: number,
): Promise<IdentityResult> {
  const { result, cardNo } = await decide(deps, ctx, request, nowMs);
  await assertLive(ctx);
  try {
    await deps.core.recordAccessEvent({
      deviceId: ctx.deviceRef,
      sequence: ctx.sequence,
      cardNo,
      direction: request.direction,
      decision: result.decision,
      reason: result.reason === 'NONE' ? null : result.reason,
      source: 'online',
      occurredAtMs: nowMs,
    });
  } catch {
    return deny('SERVICE_UNAVAILABLE');
  }
  return result;
}

async function decide(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: IdentityCheck,
  nowMs: number,
): Promise<{ result: IdentityResult; cardNo: string | null }> {
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) return { result: deny(verified.reason), cardNo: null };
  return { result: await decideCard(deps, ctx, verified.card, nowMs), cardNo: verified.card.cardNo };
}

async function decideCard(
  deps: HandlerDeps,
  ctx: RequestContext,
  credential: { cardNo: string; cardVersion: number },
  nowMs: number,
): Promise<IdentityResult> {
  try {
    const card = await deps.core.getCard(credential.cardNo);
    if (card.status !== 'active') {
      const reason = refusalOfCore(`CARD_${card.status.toUpperCase()}` as 'CARD_LOST');
      return deny(reason === 'SERVICE_UNAVAILABLE' ? 'NOT_PERMITTED' : reason);
    }
    // Only the card's current version: an older one is a superseded phone, a newer one was never issued.
    if (card.version !== credential.cardVersion) return deny('CREDENTIAL_REVOKED');
    // A device the core has put at a door decides by the door's rules (docs/passage.md); null elsewhere.
    const { passage } = await deps.core.decidePassage({
      deviceId: ctx.deviceRef,
      cardNo: credential.cardNo,
      atMs: nowMs,
      record: true,
    });
    if (passage !== null && passage.decision === 'deny') return deny(passage.reason ?? 'NO_PASSAGE_RIGHT');
    return {
      kind: 'identity_result',
      decision: 'allow',
      reason: 'NONE',
      personType: personTypeOf[card.personType] ?? 'visitor',
      displayName: fitName(card.name),
    };
  } catch (error) {
    if (error instanceof CoreError) return deny(refusalOfCore(error.code));
    return deny('SERVICE_UNAVAILABLE');
  }
}
