// Identity checks at gates, doors, the library and the school bus. The answer names the person so the
// guard can compare face and screen, which is personal data: IDENTITY_RESULT is always encrypted.

import {
  type AccessDecision,
  type AccessDirection,
  accessDecisions,
  accessDirections,
  type PersonType,
  personTypes,
  type ReasonCode,
  reasonCodes,
} from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { displayNameBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import { readCode, readEnum, readText, type ScannedCode, writeCode, writeEnum, writeText } from './fields.ts';

/** D→S. */
export interface IdentityCheck {
  readonly kind: 'identity_check';
  readonly code: ScannedCode;
  readonly direction: AccessDirection;
}

export function parseIdentityCheck(r: ByteReader): IdentityCheck {
  const m: IdentityCheck = {
    kind: 'identity_check',
    code: readCode(r),
    direction: readEnum(r, accessDirections, 'direction'),
  };
  r.end('IDENTITY_CHECK');
  return m;
}

export function serializeIdentityCheck(w: ByteWriter, m: IdentityCheck): void {
  writeCode(w, m.code);
  writeEnum(w, accessDirections, m.direction, 'direction');
}

/** S→D, encrypted. Allow carries reason NONE; deny carries the reason. Every check is an access event. */
export interface IdentityResult {
  readonly kind: 'identity_result';
  readonly decision: AccessDecision;
  readonly reason: ReasonCode;
  /** `unknown` when the code could not be tied to a person. */
  readonly personType: PersonType;
  /** UTF-8, up to 64 bytes, possibly masked by the server ("张*明"); empty when unknown. */
  readonly displayName: string;
}

function checkDecision(decision: AccessDecision, reason: ReasonCode): void {
  if ((decision === 'allow') !== (reason === 'NONE')) {
    throw new ProtocolError(
      'BAD_FIELD',
      `an ${decision} carries reason ${reason}; allow needs NONE, deny a refusal`,
    );
  }
}

export function parseIdentityResult(r: ByteReader): IdentityResult {
  const decision = readEnum(r, accessDecisions, 'decision');
  const reason = readEnum(r, reasonCodes, 'reason');
  checkDecision(decision, reason);
  const m: IdentityResult = {
    kind: 'identity_result',
    decision,
    reason,
    personType: readEnum(r, personTypes, 'personType'),
    displayName: readText(r, displayNameBytesMax, 'displayName'),
  };
  r.end('IDENTITY_RESULT');
  return m;
}

export function serializeIdentityResult(w: ByteWriter, m: IdentityResult): void {
  checkDecision(m.decision, m.reason);
  writeEnum(w, accessDecisions, m.decision, 'decision');
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, personTypes, m.personType, 'personType');
  writeText(w, m.displayName, displayNameBytesMax, 'displayName');
}
