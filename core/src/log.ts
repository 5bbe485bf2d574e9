import { type DestinationStream, type Logger, pino } from 'pino';
import { currentRequestId } from './http/request-id.ts';

/**
 * One logger per process. Redaction is a second line of defence: code must not log secrets or
 * personal data in the first place. An error logged under `err` keeps only its kind, code, message
 * and stack (loggableError), whatever the caller passed: database drivers put the statement with
 * its values on their errors (mysql2's `sql`, `sqlMessage`), names, card and ID numbers included.
 * A line written while a request is served carries that request's id (`requestId`, http/request-id.ts),
 * whichever logger wrote it: the process logger that services hold works as a per-request child.
 */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId };
    },
    serializers: { err: (value: unknown) => (value instanceof Error ? loggableError(value) : value) },
    redact: {
      paths: [
        '*.pin',
        '*.secret',
        '*.password',
        '*.idNumber',
        '*.phone',
        'req.headers.authorization',
        '*.signature',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

export interface LoggableError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: LoggableError;
}

/**
 * What of an error may be logged: its kind, string code, message and stack, and its cause the same
 * way — never the properties drivers attach. A driver's message quotes the offending value
 * ("Duplicate entry '110101…' for key …", "Incorrect string value: '\xF0…'"); those quotes are cut.
 */
export function loggableError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error) };
  const code = (error as { code?: unknown }).code;
  const fromDriver = 'sqlState' in error || 'sqlMessage' in error || 'errno' in error;
  const message = fromDriver
    ? error.message.replace(/(entry|value:?) '(?:[^'\\]|\\.)*'/gi, "$1 '…'")
    : error.message;
  const stack = error.stack === undefined ? undefined : error.stack.replace(error.message, message);
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(stack === undefined ? {} : { stack }),
    ...(cause !== undefined && depth < 3 ? { cause: loggableError(cause, depth + 1) } : {}),
  };
}

export type { Logger };
