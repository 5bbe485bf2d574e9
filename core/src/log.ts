import { type Logger, pino } from 'pino';

/**
 * One logger per process. Redaction is a second line of defence: code must not log secrets or
 * personal data in the first place.
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
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
  });
}

export type { Logger };
