// What a person reads when a call fails: a sentence from the strings module, never the raw code.
import { absenceStrings } from '../absence-strings.ts';
import { bankStrings } from '../bank-strings.ts';
import { busStrings } from '../bus-strings.ts';
import { disputeStrings } from '../dispute-strings.ts';
import { strings } from '../strings.ts';
import { visitorStrings } from '../visitor-strings.ts';

const byCode: Record<string, string> = {
  VALIDATION_FAILED: strings.errors.validation,
  NOT_FOUND: strings.errors.notFound,
  CARD_NOT_FOUND: strings.errors.notFound,
  BINDING_MISMATCH: strings.errors.bindingMismatch,
  BINDING_FAILED: strings.errors.bindingMismatch,
  IDENTITY_MISMATCH: strings.errors.bindingMismatch,
  ALREADY_BOUND: strings.errors.alreadyBound,
  CARD_LOST: strings.errors.cardLost,
  CARD_FROZEN: strings.errors.cardFrozen,
  INVALID_TRANSITION: strings.errors.invalidTransition,
  PIN_INVALID: strings.errors.wrongPin,
  PIN_INCORRECT: strings.errors.wrongPin,
  LIMIT_TOO_HIGH: strings.errors.limitTooHigh,
  AMOUNT_OUT_OF_RANGE: strings.errors.amountOutOfRange,
  RATE_LIMITED: strings.errors.tooManyRequests,
  TOO_MANY_REQUESTS: strings.errors.tooManyRequests,
  SESSION_EXPIRED: strings.errors.sessionExpired,
  TOKEN_EXPIRED: strings.errors.sessionExpired,
  REFRESH_REUSED: strings.errors.sessionExpired,
  LOGIN_FAILED: strings.errors.loginFailed,
  WECHAT_UNAVAILABLE: strings.errors.server,
  TRANSACTION_NOT_FOUND: strings.errors.notFound,
  NEWS_NOT_FOUND: strings.errors.notFound,
  COURSE_NOT_FOUND: strings.errors.notFound,
  CHILD_NOT_FOUND: strings.errors.notFound,
  INVITATION_INVALID: strings.errors.invitationInvalid,
  TOP_UP_DAILY_CAP: strings.errors.topUpDailyCap,
  SESSION_REVOKED: strings.errors.sessionExpired,
  NOT_BOUND: strings.errors.notBound,
  CARD_CANCELLED: strings.errors.cardCancelled,
  INSUFFICIENT_FUNDS: strings.errors.insufficientFunds,
  LIMIT_EXCEEDED: strings.errors.limitExceeded,
  PIN_REQUIRED: strings.errors.pinRequired,
  IDENTITY_REQUIRED: strings.errors.identityRequired,
  ID_TAIL_DISABLED: strings.errors.idTailDisabled,
  UNAUTHENTICATED: strings.errors.sessionExpired,
  NETWORK: strings.errors.network,
  VISIT_NOT_FOUND: visitorStrings.errors.notFound,
  VISIT_NOT_APPROVED: visitorStrings.errors.notApproved,
  VISIT_DECIDED: visitorStrings.errors.decided,
  VISIT_HOST_NOT_ALLOWED: visitorStrings.errors.hostNotAllowed,
  ...busStrings.errors,
  ...disputeStrings.errors,
  ...absenceStrings.errors,
  ROOM_NOT_FOUND: strings.errors.roomNotFound,
  FEE_ALREADY_PAID: strings.errors.feeAlreadyPaid,
  FEE_PARTIAL_NOT_ALLOWED: strings.errors.feePartialNotAllowed,
  FEE_AMOUNT_EXCEEDS_DUE: strings.errors.feeAmountExceedsDue,
  UTILITY_UNAVAILABLE: strings.errors.utilityUnavailable,
  BANK_NOT_BOUND: bankStrings.errors.notBound,
  BANK_BINDING_REFUSED: bankStrings.errors.refused,
  BANK_SMS_CODE_WRONG: bankStrings.errors.codeWrong,
  BANK_SMS_LOCKED: bankStrings.errors.codeLocked,
  BANK_UNAVAILABLE: bankStrings.errors.unavailable,
  NETWORK_ACCOUNT_NOT_FOUND: strings.errors.networkAccountNotFound,
  TIMEOUT: strings.errors.timeout,
};

const lockCodes = new Set(['BINDING_LOCKED', 'LOCKED_OUT', 'TOO_MANY_ATTEMPTS']);

/** The sentence for a failed call: by code when we know it, else by HTTP status class. */
export function userMessageFor(code: string, status: number, details?: unknown): string {
  if (lockCodes.has(code)) {
    const retryAfterMs = (details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const minutes = typeof retryAfterMs === 'number' ? Math.max(1, Math.ceil(retryAfterMs / 60_000)) : 15;
    return strings.errors.bindingLocked(minutes);
  }
  const known = byCode[code];
  if (known !== undefined) return known;
  if (status === 401) return strings.errors.sessionExpired;
  if (status === 404) return strings.errors.notFound;
  if (status === 429) return strings.errors.tooManyRequests;
  if (status >= 500) return strings.errors.server;
  if (status === 400 || status === 422) return strings.errors.validation;
  return strings.errors.unknown;
}
