// What a verification answers. Refusals are values with stable codes, never exceptions: a bad scan is an
// ordinary event at a canteen till, and the gateway maps codes to replies and device messages in one place.

import type { CardCredential } from './card.ts';

/** In the order the verifier checks them; the first failing check is the one reported. */
export const verifyFailureCodes = [
  'MALFORMED', // not a code of a format we know: wrong prefix, length, Base45, BCD or enum byte
  'UNKNOWN_KEY', // the certificate names a kid we do not trust
  'BAD_CERT_SIGNATURE', // the campus signature does not match the certificate
  'KEY_RETIRED', // signed by a retired key after its retirement, or its grace period is over
  'CERT_EXPIRED', // past the certificate's validity (plus the allowed skew)
  'CERT_NOT_YET_VALID', // before the certificate's validity (minus the allowed skew)
  'CREDENTIAL_REVOKED', // card version in the certificate is not the card's current version (older or never issued)
  'CODE_EXPIRED', // the code is older than its validity window plus skew
  'CODE_FROM_FUTURE', // the code is dated later than now plus skew
  'BAD_CODE_SIGNATURE', // the phone signature does not match the code and the certified phone key
  'REPLAYED', // this code was already accepted (here, or anywhere sharing the replay guard)
  'BLACKLISTED', // the card is on the blacklist
] as const;

export type VerifyFailureCode = (typeof verifyFailureCodes)[number];

export interface VerifyAccepted {
  readonly ok: true;
  readonly card: CardCredential;
  /** Campus key that signed the certificate. */
  readonly kid: number;
  readonly certificateValidUntilMs: number;
  /** Phone clock when the code was made, whole seconds in ms. */
  readonly madeAtMs: number;
  readonly counter: number;
  /** The code's identity (code-identity.ts: card, time, counter, phone key): claimed by the replay guard, remembered by the ledger. */
  readonly codeId: string;
}

export interface VerifyRefused {
  readonly ok: false;
  readonly code: VerifyFailureCode;
  /** For logs and operators; show users a text chosen by code instead. */
  readonly message: string;
}

export type VerifyResult = VerifyAccepted | VerifyRefused;

export function refused(code: VerifyFailureCode, message: string): VerifyRefused {
  return { ok: false, code, message };
}
