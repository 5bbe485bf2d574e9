import { type ErrorCode, errorStatus, type WireErrorCode } from '@campus-card/core/contract';

/**
 * Stable error codes of the BFF API: its own and the core's, each with its HTTP status in the
 * contract's one table (core/src/contract/errors.ts); core errors that reach a client keep their
 * code (see publicError in http/middleware.ts).
 */
export { errorStatus };
export type BffErrorCode = WireErrorCode;

/** An error with a stable code and a message that is safe to show to the caller. */
export class BffError extends Error {
  readonly code: BffErrorCode;
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
   * branches on the same codes the core documents, with the status the contract gives each.
   */
  static fromCore(code: ErrorCode, message: string, details?: Record<string, unknown>): BffError {
    return new BffError(code, message, details);
  }
}
