/**
 * The stable error codes of every HTTP answer — the core's, and the BFF's own — with the HTTP status
 * of each, written once here. The core's error middleware and answer(), its client's error mapping
 * and the BFF take their statuses and code types from this table; operating errors (insufficient
 * funds, a lost card) are values that callers branch on. Nothing here imports from node: the
 * backoffice and the mini-program may import it as `@campus-card/core/contract`.
 */

/**
 * Codes the core answers. The BFF passes them on to its callers with the same status (and answers
 * the general ones — VALIDATION_FAILED, NOT_FOUND, … — itself too); the gateway maps them to
 * protocol refusals.
 */
const coreErrorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  // A correctly signed request outside the one-sided time window, or one already received.
  REQUEST_STALE: 401,
  REQUEST_REPLAYED: 401,
  NOT_FOUND: 404,
  CARD_NOT_FOUND: 404,
  MERCHANT_NOT_FOUND: 404,
  CAMPUS_NOT_FOUND: 404,
  // A centre not on the trust list (docs/federation.md), or a card centre's key we do not trust.
  FEDERATION_CENTRE_NOT_FOUND: 404,
  FEDERATION_KEY_NOT_FOUND: 404,
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
  BANK_TRANSFER_NOT_FOUND: 404,
  ADMIN_NOT_FOUND: 404,
  APPROVAL_NOT_FOUND: 404,
  SUBSIDY_BATCH_NOT_FOUND: 404,
  SUBSIDY_CLEARING_NOT_FOUND: 404,
  VISIT_NOT_FOUND: 404,
  MEETING_NOT_FOUND: 404,
  // A photo reference past its expiry, or not one this reader was given (protocol § 7.28).
  PHOTO_REFERENCE_EXPIRED: 410,
  PHOTO_REFERENCE_INVALID: 403,
  BUS_ROUTE_NOT_FOUND: 404,
  BUS_RUN_NOT_FOUND: 404,
  BUS_BOOKING_NOT_FOUND: 404,
  DISPUTE_NOT_FOUND: 404,
  ABSENCE_NOT_FOUND: 404,
  // The school bus (docs/visitors-meetings-bus.md): no seat left, a seat already held, a run closed.
  BUS_SOLD_OUT: 409,
  BUS_ALREADY_BOOKED: 409,
  // 消费纠错: the payment already has an undecided dispute; the dispute is already decided.
  DISPUTE_ALREADY_OPEN: 409,
  DISPUTE_DECIDED: 409,
  // 请假: the absence is already decided or cancelled; it starts too far back or ahead; not the counsellor's student.
  ABSENCE_DECIDED: 409,
  ABSENCE_OUT_OF_RANGE: 422,
  ABSENCE_FORBIDDEN: 403,
  BUS_RUN_CLOSED: 409,
  // A run's seats set below the seats already booked.
  BUS_SEATS_TAKEN: 409,
  BUS_BOOKING_LIMIT: 422,
  BUS_BOOKING_BARRED: 422,
  // Fees, dorm electricity and the network fee (#16, docs/funds.md).
  ROOM_NOT_FOUND: 404,
  UTILITY_ORDER_NOT_FOUND: 404,
  FEE_ITEM_NOT_FOUND: 404,
  FEE_BILL_NOT_FOUND: 404,
  NETWORK_ACCOUNT_NOT_FOUND: 404,
  FEE_ALREADY_PAID: 409,
  FEE_PARTIAL_NOT_ALLOWED: 422,
  FEE_AMOUNT_EXCEEDS_DUE: 422,
  FEE_REFUND_EXCEEDS_PAID: 422,
  PACKAGE_INVALID: 422,
  // No utility or network billing system configured (UTILITY_URL, NETWORK_URL), or it did not answer.
  UTILITY_UNAVAILABLE: 503,
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
  // 圈存 or auto top-up asked of a card with no bank card bound (docs/funds.md § Bank).
  BANK_NOT_BOUND: 409,
  // A visit approved, refused or cancelled already; or its pass asked for before approval (docs/visitors-meetings-bus.md).
  VISIT_DECIDED: 409,
  VISIT_NOT_APPROVED: 409,
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
  // A host whose person type the campus's visitor policy does not let invite.
  VISIT_HOST_NOT_ALLOWED: 422,
  TOP_UP_DAILY_CAP: 422,
  TOP_UP_MISMATCH: 422,
  // The bank refused a binding: card unknown, or holder's name, ID number or phone not the account's.
  BANK_BINDING_REFUSED: 422,
  BANK_SMS_CODE_WRONG: 422,
  // Too many wrong SMS codes for one binding request: start the binding again.
  BANK_SMS_LOCKED: 423,
  // An admin login refused: 422 rather than 401, which means a bad service signature here.
  ADMIN_LOGIN_FAILED: 422,
  ADMIN_LOCKED_OUT: 423,
  PAYLOAD_TOO_LARGE: 413,
  OVERLOADED: 503,
  // No bank front end configured (BANK_URL), or it did not answer a binding step.
  BANK_UNAVAILABLE: 503,
  // A device bound to a door takes that door's campus (docs/campuses.md): another one is refused.
  CAMPUS_FIXED_BY_PLACE: 409,
  // A campus key id already trusted (for this or another centre): the centres agree on disjoint kids.
  FEDERATION_KEY_CONFLICT: 409,
  // The card's centre did not answer over the federation link: nothing was charged here, retry the same id.
  FEDERATION_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

/** Codes only the BFF answers: its sessions, bindings, uploads, rate limits and upstreams. */
const bffErrorStatus = {
  LOGIN_FAILED: 401,
  REFRESH_REUSED: 401,
  TOKEN_EXPIRED: 401,
  SESSION_REVOKED: 401,
  FORBIDDEN: 403,
  // A campus administrator reaching past their campus (docs/campuses.md).
  CAMPUS_FORBIDDEN: 403,
  // Binding by the last ID characters where the campus has switched it off (BIND_ID_TAIL_ENABLED).
  ID_TAIL_DISABLED: 403,
  NOT_BOUND: 403,
  TRANSACTION_NOT_FOUND: 404,
  INVITATION_INVALID: 404,
  CHILD_NOT_FOUND: 404,
  CONFLICT: 409,
  UPLOAD_NOT_FOUND: 404,
  UPLOAD_INCOMPLETE: 409,
  CHUNK_CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CHUNK_HASH_MISMATCH: 422,
  TOO_MANY_UPLOADS: 429,
  UNPROCESSABLE: 422,
  LOCKED_OUT: 423,
  RATE_LIMITED: 429,
  UPSTREAM_FAILED: 502,
  WECHAT_UNAVAILABLE: 503,
  // Alipay's gateway unreachable, refusing our app, or answering with a signature that does not verify.
  ALIPAY_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
} as const;

/** The one table: every code either service answers, and its HTTP status. */
export const errorStatus = { ...coreErrorStatus, ...bffErrorStatus } as const;

/** A code the core answers. */
export type ErrorCode = keyof typeof coreErrorStatus;
/** A code the BFF answers: its own, or a core code passed on. */
export type WireErrorCode = keyof typeof errorStatus;

/** Whether a code read off the wire is one the core answers. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(coreErrorStatus, value);
}

/** Whether a code read off the wire is one the core or the BFF answers. */
export function isWireErrorCode(value: string): value is WireErrorCode {
  return Object.hasOwn(errorStatus, value);
}

/** The HTTP status of a code. */
export function statusOf(code: WireErrorCode): number {
  return errorStatus[code];
}
