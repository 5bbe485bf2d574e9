import { z } from 'zod';

/** The people: the identity sync's sources and schedule, and the admins' sign-in lockout. */
export const peopleSettings = {
  academicDatabaseUrl: z
    .string()
    .regex(/^mysql:\/\//)
    .optional()
    .describe(
      'ACADEMIC_DATABASE_URL: the academic-affairs database the identity sync reads (unset: no student sync)',
    ),
  hrDatabaseUrl: z
    .string()
    .regex(/^mysql:\/\//)
    .optional()
    .describe('HR_DATABASE_URL: the HR database the identity sync reads (unset: no staff sync)'),
  syncIntervalMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .multipleOf(1_000)
    .describe(
      'SYNC_INTERVAL_MS: how often an incremental identity sync runs (whole seconds); 0 switches the schedule off',
    ),
  syncFullIntervalMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'SYNC_FULL_INTERVAL_MS: a scheduled run is a full reconcile when the last one is older than this; 0 never',
    ),
  syncOverlapMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'SYNC_OVERLAP_MS: an incremental run re-reads this far behind its watermark, for source transactions that commit late',
    ),
  adminLoginFailuresMax: z.coerce
    .number()
    .int()
    .positive()
    .describe(
      'ADMIN_LOGIN_FAILURES_MAX: failed passwords or codes before each further sign-in attempt on the account waits a doubling delay',
    ),
  adminLockoutMs: z.coerce
    .number()
    .int()
    .positive()
    .describe('ADMIN_LOCKOUT_MS: the longest wait between two sign-in attempts on a delayed admin account'),
  adminLoginDelayMs: z.coerce
    .number()
    .int()
    .positive()
    .describe(
      'ADMIN_LOGIN_DELAY_MS: the first wait once the free attempts are used; each further failure doubles it, up to ADMIN_LOCKOUT_MS',
    ),
};
