// Core error codes and credential verifier codes, mapped in one place to the protocol's reason codes
// (docs/protocol.md § 8.3), so a device shows the same text for the same cause whichever layer found it.

import type { ErrorCode, PayCodeRefusal } from '@campus-card/core/client';
import type { VerifyFailureCode } from '@campus-card/core/credential';
import type { Refusal } from '../protocol/index.ts';

export function refusalOfVerify(code: VerifyFailureCode): Refusal {
  switch (code) {
    case 'CERT_EXPIRED':
    case 'CODE_EXPIRED':
      return 'CODE_EXPIRED';
    case 'CREDENTIAL_REVOKED':
      return 'CREDENTIAL_REVOKED';
    case 'REPLAYED':
      return 'CODE_REPLAYED';
    // The gateway's verifier has no blacklist of its own: the core refuses by card status instead.
    case 'BLACKLISTED':
      return 'CARD_LOST';
    default:
      return 'CODE_INVALID';
  }
}

/** The core's refusals of a numeric pay code (POST /v1/pay-codes/verify). */
export function refusalOfPayCode(code: PayCodeRefusal): Refusal {
  switch (code) {
    case 'REPLAYED':
      return 'CODE_REPLAYED';
    case 'CREDENTIAL_REVOKED':
    case 'CARD_LOST':
    case 'CARD_FROZEN':
    case 'CARD_CANCELLED':
      return code;
    // A wrong and an expired one-time password look alike on purpose (docs/credential.md); a code id
    // locked after too many wrong codes is shown the same, so guessing learns nothing from the answer.
    default:
      return 'CODE_INVALID';
  }
}

export function refusalOfCore(code: ErrorCode): Refusal {
  switch (code) {
    case 'INSUFFICIENT_FUNDS':
    case 'BELOW_MIN_BALANCE':
    case 'CARD_LOST':
    case 'CARD_FROZEN':
    case 'CARD_CANCELLED':
    case 'CARD_NOT_FOUND':
    case 'LIMIT_EXCEEDED':
    case 'PIN_REQUIRED':
    case 'PIN_INVALID':
    case 'REPEAT_TOO_SOON':
    case 'MERCHANT_DISABLED':
    case 'AMOUNT_OUT_OF_RANGE':
    case 'HOLD_NOT_FOUND':
    case 'CODE_REPLAYED':
      return code;
    // The ledger refused a request of a device disabled or re-keyed after the gateway's check: definite.
    case 'DEVICE_DISABLED':
      return 'NOT_PERMITTED';
    case 'CARD_VERSION_STALE':
      return 'CREDENTIAL_REVOKED';
    case 'HOLD_ALREADY_RESOLVED':
    case 'HOLD_EXPIRED':
      return 'HOLD_CLOSED';
    case 'AMOUNT_EXCEEDS_HOLD':
      return 'AMOUNT_OUT_OF_RANGE';
    case 'MERCHANT_NOT_FOUND':
      return 'MERCHANT_DISABLED';
    // The card's centre was suspended or dropped from the trust list since this gateway loaded its keys.
    case 'FEDERATION_CENTRE_NOT_FOUND':
      return 'CODE_INVALID';
    default:
      return 'SERVICE_UNAVAILABLE';
  }
}
