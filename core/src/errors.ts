/**
 * Stable error codes. Operating errors (insufficient funds, a lost card) are values that callers
 * branch on; the HTTP status for each code is decided here, in one place.
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  // A correctly signed request outside the one-sided time window, or one already received.
  REQUEST_STALE: 401,
  REQUEST_REPLAYED: 401,
  NOT_FOUND: 404,
  CARD_NOT_FOUND: 404,
  MERCHANT_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  PAYMENT_NOT_FOUND: 404,
  HOLD_NOT_FOUND: 404,
  OPERATION_NOT_FOUND: 404,
  SYNC_RUN_NOT_FOUND: 404,
  NEWS_NOT_FOUND: 404,
  COURSE_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  REFUND_NOT_FOUND: 404,
  BINDING_NOT_FOUND: 404,
  TOP_UP_NOT_FOUND: 404,
  ADMIN_NOT_FOUND: 404,
  APPROVAL_NOT_FOUND: 404,
  SUBSIDY_BATCH_NOT_FOUND: 404,
  SUBSIDY_CLEARING_NOT_FOUND: 404,
  ID_REUSED: 409,
  ALREADY_EXISTS: 409,
  TOTP_ALREADY_ENABLED: 409,
  TOTP_NOT_ENROLLING: 409,
  HOLD_ALREADY_RESOLVED: 409,
  HOLD_EXPIRED: 409,
  INVALID_TRANSITION: 409,
  SYNC_RUNNING: 409,
  SYNC_NOT_CONFIGURED: 409,
  ALREADY_BOUND: 409,
  APPROVAL_DECIDED: 409,
  MAKER_CANNOT_CHECK: 409,
  APPROVAL_REQUIRED: 409,
  CLEARING_RUNNING: 409,
  EXCEPTION_RESOLVED: 409,
  RECEIVABLE_OUTSTANDING: 409,
  NOTHING_RECEIVABLE: 409,
  NEWS_WITHDRAWN: 409,
  NEWS_ALREADY_PUBLISHED: 409,
  REFUND_ALREADY_PAID: 409,
  INSUFFICIENT_FUNDS: 422,
  BELOW_MIN_BALANCE: 422,
  CARD_LOST: 422,
  CARD_FROZEN: 422,
  CARD_CANCELLED: 422,
  CARD_VERSION_STALE: 422,
  MERCHANT_DISABLED: 422,
  LIMIT_EXCEEDED: 422,
  AMOUNT_OUT_OF_RANGE: 422,
  AMOUNT_EXCEEDS_HOLD: 422,
  REFUND_EXCEEDS_PAYMENT: 422,
  PIN_REQUIRED: 422,
  PIN_INVALID: 422,
  REPEAT_TOO_SOON: 422,
  // A payment, hold or usage from a disabled or re-keyed device; an offline record taken while disabled.
  DEVICE_DISABLED: 422,
  // A pay code an accepted payment already consumed, on any path (docs/ledger.md).
  CODE_REPLAYED: 422,
  HOLDS_PENDING: 422,
  COUNTER_ACCOUNT_NOT_SYSTEM: 422,
  IDENTITY_MISMATCH: 422,
  // A holder's own action that needs an identity proof (activation code or ID tail) or the card centre.
  IDENTITY_REQUIRED: 422,
  TOP_UP_DAILY_CAP: 422,
  TOP_UP_MISMATCH: 422,
  // An admin login refused: 422 rather than 401, which means a bad service signature here.
  ADMIN_LOGIN_FAILED: 422,
  ADMIN_LOCKED_OUT: 423,
  PAYLOAD_TOO_LARGE: 413,
  OVERLOADED: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** An error with a stable code that is safe to show to the caller. */
export class CoreError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorStatus, value);
}
