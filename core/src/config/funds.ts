import { z } from 'zod';

/** Money through outside systems (docs/funds.md): the meter, network and finance systems and the bank. */
export const fundsSettings = {
  utilityUrl: z
    .url()
    .optional()
    .describe(
      'UTILITY_URL: the dorm meter system the electricity purchases credit (docs/funds.md); unset, electricity is off',
    ),
  utilityAppId: z.string().min(1).max(64).describe('UTILITY_APP_ID: our app id at the meter system'),
  utilitySecret: z
    .string()
    .min(16)
    .describe('UTILITY_SECRET: the key our requests to the meter system are signed with (HMAC-SHA256)'),
  networkUrl: z
    .url()
    .optional()
    .describe(
      'NETWORK_URL: the campus network billing system the network fee credits; unset, the network fee is off',
    ),
  networkAppId: z
    .string()
    .min(1)
    .max(64)
    .describe('NETWORK_APP_ID: our app id at the network billing system'),
  networkSecret: z
    .string()
    .min(16)
    .describe('NETWORK_SECRET: the key our requests to the network billing system are signed with'),
  financeUrl: z
    .url()
    .optional()
    .describe(
      'FINANCE_URL: the campus finance system fee items are pulled from (docs/funds.md); unset, only CSV and the backoffice',
    ),
  financeAppId: z.string().min(1).max(64).describe('FINANCE_APP_ID: our app id at the finance system'),
  financeSecret: z
    .string()
    .min(16)
    .describe('FINANCE_SECRET: the key our requests to the finance system are signed with'),
  utilityTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .describe(
      'UTILITY_TIMEOUT_MS: how long a call to the meter or network system may take before its answer counts as lost',
    ),
  utilityReconcileIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe(
      'UTILITY_RECONCILE_INTERVAL_MS: how often orders whose answer was lost are asked about by their order id (whole seconds)',
    ),
  bankUrl: z
    .url()
    .optional()
    .describe(
      'BANK_URL: the bank front end for 圈存 (docs/funds.md § Bank); unset, bank binding and loads answer BANK_UNAVAILABLE',
    ),
  bankSecret: z.string().min(16).describe('BANK_SECRET: the key signing requests to the bank front end'),
  bankTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .describe(
      'BANK_TIMEOUT_MS: how long a call to the bank waits for its answer; a transfer without one is reversed',
    ),
  bankJobIntervalMs: z.coerce
    .number()
    .int()
    .min(1_000)
    .multipleOf(1_000)
    .describe(
      'BANK_JOB_INTERVAL_MS: how often unsettled bank transfers are resolved, auto top-ups checked and refunds paid to bound bank cards (whole seconds)',
    ),
  bankResolveAfterMs: z.coerce
    .number()
    .int()
    .min(0)
    .describe(
      "BANK_RESOLVE_AFTER_MS: age after which a transfer still pending is settled from the bank's record",
    ),
};
