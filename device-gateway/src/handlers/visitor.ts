import { CoreError } from '@campus-card/core/client';
import type { VisitorPassRefusal } from '@campus-card/core/credential';
import type { VisitorCheck, VisitorRefusal, VisitorResult } from '../protocol/index.ts';
import { assertLive, type HandlerDeps, type RequestContext } from './context.ts';

const refusalOfPass: Readonly<Record<VisitorPassRefusal, VisitorRefusal>> = {
  MALFORMED: 'PASS_INVALID',
  UNKNOWN_KEY: 'PASS_INVALID',
  BAD_SIGNATURE: 'PASS_INVALID',
  KEY_RETIRED: 'PASS_INVALID',
  PASS_NOT_YET_VALID: 'PASS_NOT_YET_VALID',
  PASS_EXPIRED: 'PASS_EXPIRED',
  WRONG_PLACE: 'WRONG_PLACE',
  ID_TAIL_MISMATCH: 'ID_TAIL_MISMATCH',
};

const nameBytesMax = 64;

function fit(name: string): string {
  let out = '';
  for (const char of name) {
    if (Buffer.byteLength(out + char, 'utf8') > nameBytesMax) break;
    out += char;
  }
  return out;
}

/** 李来宾 → 李*宾: enough for the guard to compare with the visitor's ID card. */
function mask(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

function deny(reason: VisitorRefusal, visitorName = '', hostName = ''): VisitorResult {
  return { kind: 'visitor_result', decision: 'deny', reason, visitorName, hostName };
}

/**
 * VISITOR_CHECK (protocol § 7.23): the pass is checked as an offline gate would (signature, window, this
 * gate's places, the ID tail on entry), then the passage is recorded in the core, which alone knows a visit
 * cancelled since its pass was signed. Recorded before the answer goes out: a passage the core cannot store
 * is SERVICE_UNAVAILABLE, and the device applies its offline rules.
 */
export async function checkVisitor(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: VisitorCheck,
  nowMs: number,
): Promise<VisitorResult> {
  if (request.code.kind !== 'qr') return deny('PASS_INVALID');
  const entering = request.direction !== 'out';
  const verdict = deps.visitorPasses({
    text: request.code.text,
    nowMs,
    placesHere: await deps.placesOf(ctx),
    ...(entering && request.idTail !== '' ? { idTail: request.idTail } : {}),
  });
  if (!verdict.ok) return deny(refusalOfPass[verdict.code]);
  if (entering && request.idTail === '') return deny('ID_TAIL_REQUIRED');
  await assertLive(ctx);
  try {
    const { visit } = await deps.core.recordVisitPassage({
      passId: verdict.pass.passId,
      deviceId: ctx.deviceRef,
      sequence: ctx.sequence,
      direction: entering ? 'in' : 'out',
      source: 'online',
      occurredAtMs: nowMs,
    });
    return {
      kind: 'visitor_result',
      decision: 'allow',
      reason: 'NONE',
      visitorName: fit(mask(visit.visitorName)),
      hostName: fit(visit.hostName),
    };
  } catch (error) {
    if (error instanceof CoreError && error.code === 'VISIT_NOT_APPROVED') return deny('VISIT_CANCELLED');
    if (error instanceof CoreError && error.code === 'VISIT_NOT_FOUND') return deny('PASS_INVALID');
    return deny('SERVICE_UNAVAILABLE');
  }
}
