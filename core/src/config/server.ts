import { z } from 'zod';

/** A comma-separated list of 32-byte hex keys (possibly empty): the keys a rotation replaced. */
export const hexKeyList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  )
  .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/i, 'each key is 32 bytes of hex')));

import { redisPrefixSchema, refineRedisUrl } from '../redis.ts';
import type { NamedSecret } from '../secrets.ts';

/** The core process itself: its database, where it listens, who may call it, the PII key, logs and Redis. */
export const serverSettings = {
  databaseUrl: z.string().min(1).describe('DATABASE_URL: mysql://user:pass@host:port/db or sqlite:path'),
  host: z.string().describe('CORE_HOST: interface the internal API listens on'),
  port: z.coerce.number().int().min(0).max(65535).describe('CORE_PORT: 0 picks a free port'),
  serviceKeys: z
    .string()
    .transform((raw, ctx) => {
      const keys = new Map<string, string>();
      for (const pair of raw.split(',').filter(Boolean)) {
        const at = pair.indexOf(':');
        const keyId = pair.slice(0, at);
        const secret = pair.slice(at + 1);
        if (at <= 0 || secret.length < 16) {
          ctx.addIssue({
            code: 'custom',
            message: 'each key is keyId:secret with a secret of 16+ characters',
          });
          return z.NEVER;
        }
        keys.set(keyId, secret);
      }
      return keys;
    })
    .describe('CORE_SERVICE_KEYS: comma-separated keyId:secret pairs that may call the core'),
  piiSealKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe('PII_KEY: 32-byte hex key that encrypts ID numbers, phones and other secrets at rest'),
  piiKeysPreviousHex: hexKeyList.describe(
    'PII_KEYS_PREVIOUS: comma-separated 32-byte hex keys PII_KEY replaced; they still open values sealed under them until `npm run job -- reseal pii` is done (docs/operations.md § Key rotation)',
  ),
  piiKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe(
      'PII_DIGEST_KEY: 32-byte hex key the keyed digests (binding secrets, guardian phones, kiosk ID index, activation codes, visitor links) are derived from; PII_KEY when unset, and required once PII_KEYS_PREVIOUS is set (the digests stay under the key they were made with)',
    ),
  shutdownDrainMs: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .describe(
      'SHUTDOWN_DRAIN_MS: on SIGTERM, how long the core keeps serving with readiness down before it stops accepting (its load balancer must see the 503 within it; docs/operations.md § Upgrade without downtime)',
    ),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .describe('LOG_LEVEL: pino level'),
  redisUrl: z
    .string()
    .superRefine(refineRedisUrl)
    .optional()
    .describe(
      'REDIS_URL: where blacklist changes are published to every gateway instance; unset, only in process',
    ),
  redisPrefix: redisPrefixSchema,
};

/** Each service key's secret under a name that says which key it is (key ids are not secret). */
export function serviceKeySecrets(raw: string | undefined): NamedSecret[] {
  const pairs = (raw ?? '').split(',').filter(Boolean);
  if (pairs.length === 0) return [{ name: 'CORE_SERVICE_KEYS', value: undefined }];
  return pairs.map((pair) => {
    const at = pair.indexOf(':');
    return { name: `CORE_SERVICE_KEYS (key "${pair.slice(0, Math.max(at, 0))}")`, value: pair.slice(at + 1) };
  });
}
