import { z } from 'zod';
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
  piiKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe('PII_KEY: 32-byte hex key that encrypts ID numbers and phones at rest'),
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
