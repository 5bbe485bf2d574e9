import { type ErrorCode, errorStatus } from './contract/errors.ts';

/**
 * Stable error codes: their HTTP statuses are the contract's one table (contract/errors.ts), which
 * the core's middleware, its client and the BFF all read.
 */
export { type ErrorCode, errorStatus, isErrorCode } from './contract/errors.ts';

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
