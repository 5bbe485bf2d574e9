// The gateway's configuration: one schema, read once at start from the environment, frozen and passed into
// factories. Nothing below reads process.env.

import { hostname } from 'node:os';
import {
  redisPrefixDefault,
  redisPrefixSchema,
  redisUrlFromEnv,
  refineRedisUrl,
} from '@campus-card/core/redis';
import { assertProductionSecrets } from '@campus-card/core/secrets';
import { z } from 'zod';

/** A development campus issuing key (kid 1): the public half of the secret 32 × 0x01. Never for production. */
export const devCampusKeys = '1:8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port.default(4200),
  /** A small HTTP listener for /metrics and /health/live, /health/ready; unset: off. */
  GATEWAY_HEALTH_PORT: port.optional(),
  GATEWAY_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  CORE_URL: z.url().default('http://127.0.0.1:4100'),
  CORE_KEY_ID: z.string().min(1).default('dev'),
  CORE_SECRET: z.string().min(16).default('dev-secret-0123456789abcdef'),
  /** `kid:publicKeyHex,…`: the campus issuing keys whose certificates the gateway trusts. */
  CAMPUS_KEYS: z
    .string()
    .regex(/^\d{1,5}:[0-9a-f]{64}(,\d{1,5}:[0-9a-f]{64})*$/)
    .default(devCampusKeys),
  /** How often the other centres' campus keys are reloaded from the core's trust list (ms; docs/federation.md). */
  FEDERATION_KEYS_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** How often the other centres' blacklists are caught up through the core (ms; protocol § 7.29). */
  FEDERATION_BLACKLIST_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  GATEWAY_CONNECTIONS_MAX: positiveInt.default(20_000),
  /** Payments in flight on this instance beyond which new ones are answered BUSY (protocol § 7.9). */
  GATEWAY_INFLIGHT_MAX: positiveInt.default(400),
  /** The wait a BUSY answer names (ms), before up to 50 % jitter; the wire field is a u16. */
  GATEWAY_BUSY_RETRY_AFTER_MS: z.coerce.number().int().min(1).max(40_000).default(500),
  /** After a start, how long the in-flight bound takes to rise from a tenth to GATEWAY_INFLIGHT_MAX (ms; 0: at once). */
  GATEWAY_WARM_UP_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** Payments run on throwaway keys before the listener opens, so the first tills meet compiled code (warm-up.ts; ~0.3 s at 2,000). */
  GATEWAY_WARM_UP_PAYMENTS: z.coerce.number().int().min(0).max(100_000).default(2_000),
  /** How long the oldest request waiting for a work slice may have waited before new payments are refused BUSY (ms; 0: off; admission.ts). */
  GATEWAY_BACKLOG_MAX_MS: z.coerce.number().int().min(0).max(5_000).default(20),
  /** How long a batch request to the core waits, at most, for payments still queued for a work slice (ms; work-slices.ts). */
  GATEWAY_CORE_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(100).default(8),
  /** The least time between two batch requests to the core (ms; core-batch-pacing.ts): under load each carries more. */
  GATEWAY_CORE_BATCH_INTERVAL_MS: z.coerce.number().int().min(0).max(100).default(8),
  ANSWER_CACHE_ENTRIES_MAX: positiveInt.default(100_000),
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(30).max(90).default(60),
  METER_HOLD_TIMEOUT_MS: positiveInt.default(4 * 3_600_000),
  METER_FEN_PER_UNIT: positiveInt.default(1),
  /** Shared replay guard for several instances; without it each instance remembers codes on its own. */
  REDIS_URL: z.string().superRefine(refineRedisUrl).optional(),
  /** The deployment's namespace in Redis: the same as its core's and BFFs' (channels and shared keys). */
  REDIS_PREFIX: redisPrefixSchema.default(redisPrefixDefault),
  /** How often the gateway asks the core for blacklist changes besides the announcements (ms). */
  BLACKLIST_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  /** This instance as the core's device presence names it; host:pid when unset. */
  GATEWAY_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/)
    .optional(),
  /** How often changed device presence (sign-ins, heartbeats, closes) is sent to the core (ms). */
  PRESENCE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  /** GATEWAY_HEALTH_HOST / GATEWAY_HEALTH_PORT: the /metrics and /health listener (port unset: off). */
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  readonly coreUrl: string;
  readonly coreKeyId: string;
  readonly coreSecret: string;
  readonly campusKeys: readonly { readonly kid: number; readonly publicKey: Uint8Array }[];
  readonly federationKeysPollIntervalMs: number;
  readonly federationBlacklistPollIntervalMs: number;
  readonly connectionsMax: number;
  readonly inFlightMax: number;
  readonly busyRetryAfterMs: number;
  readonly warmUpMs: number;
  readonly paymentWarmUpRounds: number;
  readonly backlogMaxMs: number;
  readonly coreBatchWaitMs: number;
  readonly coreBatchIntervalMs: number;
  readonly answerCacheEntriesMax: number;
  readonly heartbeatIntervalSeconds: number;
  readonly meterHoldTimeoutMs: number;
  readonly meterFenPerUnit: number;
  readonly redisUrl: string | undefined;
  /** REDIS_PREFIX: the deployment's namespace in Redis (core/src/redis.ts redisNames). */
  readonly redisPrefix: string;
  /** Without Redis the poll is the only way to hear of changes, so it is frequent. */
  readonly blacklistPollIntervalMs: number;
  readonly gatewayId: string;
  readonly presenceFlushIntervalMs: number;
  readonly logLevel: string;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  // The raw environment, not the schema's defaults: production names an unset secret as unset, and
  // refuses the development campus key, whose secret half is in this repository (anyone could mint
  // certificates the gateway would trust).
  if (env.NODE_ENV === 'production')
    assertProductionSecrets('the device gateway', [
      { name: 'CORE_SECRET', value: env.CORE_SECRET },
      ...(env.CAMPUS_KEYS
        ? env.CAMPUS_KEYS.split(',').map((entry) => ({
            name: `CAMPUS_KEYS (kid ${/^\d{1,5}/.exec(entry)?.[0] ?? '?'})`,
            value: entry.split(':')[1] ?? entry,
            hex: true,
          }))
        : [{ name: 'CAMPUS_KEYS', value: undefined }]),
    ]);
  const parsed = schema.parse(env);
  const redisUrl = redisUrlFromEnv({ ...env, REDIS_URL: parsed.REDIS_URL });
  return Object.freeze({
    host: parsed.GATEWAY_HOST,
    port: parsed.GATEWAY_PORT,
    healthPort: parsed.GATEWAY_HEALTH_PORT,
    healthHost: parsed.GATEWAY_HEALTH_HOST,
    coreUrl: parsed.CORE_URL,
    coreKeyId: parsed.CORE_KEY_ID,
    coreSecret: parsed.CORE_SECRET,
    campusKeys: parsed.CAMPUS_KEYS.split(',').map((entry) => {
      const [kid, hex] = entry.split(':');
      return { kid: Number(kid), publicKey: new Uint8Array(Buffer.from(hex ?? '', 'hex')) };
    }),
    federationKeysPollIntervalMs: parsed.FEDERATION_KEYS_POLL_INTERVAL_MS,
    federationBlacklistPollIntervalMs: parsed.FEDERATION_BLACKLIST_POLL_INTERVAL_MS,
    connectionsMax: parsed.GATEWAY_CONNECTIONS_MAX,
    inFlightMax: parsed.GATEWAY_INFLIGHT_MAX,
    busyRetryAfterMs: parsed.GATEWAY_BUSY_RETRY_AFTER_MS,
    warmUpMs: parsed.GATEWAY_WARM_UP_MS,
    paymentWarmUpRounds: parsed.GATEWAY_WARM_UP_PAYMENTS,
    backlogMaxMs: parsed.GATEWAY_BACKLOG_MAX_MS,
    coreBatchWaitMs: parsed.GATEWAY_CORE_BATCH_WAIT_MS,
    coreBatchIntervalMs: parsed.GATEWAY_CORE_BATCH_INTERVAL_MS,
    answerCacheEntriesMax: parsed.ANSWER_CACHE_ENTRIES_MAX,
    heartbeatIntervalSeconds: parsed.HEARTBEAT_INTERVAL_SECONDS,
    meterHoldTimeoutMs: parsed.METER_HOLD_TIMEOUT_MS,
    meterFenPerUnit: parsed.METER_FEN_PER_UNIT,
    redisUrl,
    redisPrefix: parsed.REDIS_PREFIX,
    blacklistPollIntervalMs: parsed.BLACKLIST_POLL_INTERVAL_MS ?? (redisUrl === undefined ? 500 : 5_000),
    gatewayId:
      parsed.GATEWAY_INSTANCE_ID ??
      `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}:${process.pid}`.slice(-64),
    presenceFlushIntervalMs: parsed.PRESENCE_FLUSH_INTERVAL_MS,
    logLevel: parsed.LOG_LEVEL,
  });
}
