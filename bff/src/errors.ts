/**
 * Stable error codes of the BFF API. The HTTP status of each is decided here, in one place; core
 * errors that reach a client keep their code (see toBffError).
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  REFRESH_REUSED: 401,
  TOKEN_EXPIRED: 401,
  SESSION_REVOKED: 401,
  FORBIDDEN: 403,
  // Binding by the last ID characters where the campus has switched it off (BIND_ID_TAIL_ENABLED).
  ID_TAIL_DISABLED: 403,
  NOT_BOUND: 403,
  NOT_FOUND: 404,
  TRANSACTION_NOT_FOUND: 404,
  INVITATION_INVALID: 404,
  CHILD_NOT_FOUND: 404,
  ALREADY_BOUND: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UPLOAD_NOT_FOUND: 404,
  UPLOAD_INCOMPLETE: 409,
  CHUNK_CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CHUNK_HASH_MISMATCH: 422,
  TOO_MANY_UPLOADS: 429,
  UNPROCESSABLE: 422,
  AMOUNT_OUT_OF_RANGE: 422,
  LOCKED_OUT: 423,
  RATE_LIMITED: 429,
  UPSTREAM_FAILED: 502,
  WECHAT_UNAVAILABLE: 503,
  // Alipay's gateway unreachable, refusing our app, or answering with a signature that does not verify.
  ALIPAY_UNAVAILABLE: 503,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type BffErrorCode = keyof typeof errorStatus;

/** An error with a stable code and a message that is safe to show to the caller. */
export class BffError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BffErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BffError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }

  /**
   * A refusal from the core passed on as it is (CARD_LOST, INSUFFICIENT_FUNDS …): the client
   * branches on the same codes the core documents, with the core's status.
   */
  static fromCore(code: string, status: number, message: string): BffError {
    const error = new BffError('UNPROCESSABLE', message);
    Object.assign(error, { code, status });
    return error;
  }
}
