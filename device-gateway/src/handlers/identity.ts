import { CoreError } from '@campus-card/core/client';
import type { IdentityCheck, IdentityResult, PersonType, Refusal } from '../protocol/index.ts';
import { type HandlerDeps, verifyCode } from './context.ts';
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

/** IDENTITY_CHECK: the code must verify and the card be active; the answer names the person. */
export async function checkIdentity(deps: HandlerDeps, request: IdentityCheck): Promise<IdentityResult> {
  const verified = await verifyCode(deps, request.code);
  if (!verified.ok) return deny(verified.reason);
  try {
    const card = await deps.core.getCard(verified.card.cardNo);
    if (card.status !== 'active') {
      const reason = refusalOfCore(`CARD_${card.status.toUpperCase()}` as 'CARD_LOST');
      return deny(reason === 'SERVICE_UNAVAILABLE' ? 'NOT_PERMITTED' : reason);
    }
    if (card.version > verified.card.cardVersion) return deny('CREDENTIAL_REVOKED');
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
