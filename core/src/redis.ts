import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';

/**
 * The one place a service builds its Redis connections (core, BFF and gateway, commands and
 * subscribers alike), from the REDIS_URL of its configuration:
 *
 *   redis://[user:password@]host:port[/db]             one Redis
 *   rediss://…                                         the same over TLS
 *   redis+sentinel://[:password@]host:port[,host:port…]/<master name>[/db][?sentinelPassword=…]
 *                                                      the master that Redis Sentinel names
 *
 * With Sentinel the client asks the sentinels for the master, follows a failover when they
 * announce it (failoverDetector) and reconnects quickly; a subscriber connection resubscribes its
 * channels after every reconnect (ioredis' autoResubscribe, on by default). Announcements published
 * while no master answers are lost: every subscriber here has a poll or a reload as its safety net.
 *
 * REDIS_SENTINELS=host:port,host:port and REDIS_SENTINEL_NAME=<master> are the same setting in two
 * variables (see redisUrlFromEnv); one without the other is refused.
 */

export interface SentinelTarget {
  readonly sentinels: readonly { host: string; port: number }[];
  readonly name: string;
  readonly db: number;
  readonly password?: string;
  readonly sentinelPassword?: string;
}

const sentinelScheme = 'redis+sentinel:';

function hostPort(entry: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(entry.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** Parses a redis+sentinel:// URL; throws with what is missing. */
export function parseSentinelUrl(url: string): SentinelTarget {
  if (!url.startsWith(`${sentinelScheme}//`)) throw new Error('a Sentinel URL starts with redis+sentinel://');
  const rest = url.slice(sentinelScheme.length + 2);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : rest.slice(queryAt + 1));
  const at = beforeQuery.lastIndexOf('@');
  const auth = at === -1 ? '' : beforeQuery.slice(0, at);
  const afterAuth = at === -1 ? beforeQuery : beforeQuery.slice(at + 1);
  const slash = afterAuth.indexOf('/');
  const hosts = slash === -1 ? afterAuth : afterAuth.slice(0, slash);
  const [name = '', dbText = '0', ...extra] = (slash === -1 ? '' : afterAuth.slice(slash + 1)).split('/');
  const sentinels = hosts.split(',').filter((entry) => entry !== '');
  if (sentinels.length === 0) throw new Error('a Sentinel URL needs at least one sentinel host:port');
  const parsed = sentinels.map(hostPort);
  const bad = sentinels.filter((_, i) => parsed[i] === undefined);
  if (bad.length > 0) throw new Error(`sentinel addresses must be host:port (got ${bad.join(', ')})`);
  if (name === '')
    throw new Error('a Sentinel URL needs the master name: redis+sentinel://host:port,…/<name>');
  if (!/^\d{1,2}$/.test(dbText) || extra.length > 0)
    throw new Error('the database after the master name is a number');
  const colon = auth.indexOf(':');
  const password = colon === -1 ? undefined : decodeURIComponent(auth.slice(colon + 1));
  const sentinelPassword = query.get('sentinelPassword') ?? undefined;
  return {
    sentinels: parsed as { host: string; port: number }[],
    name: decodeURIComponent(name),
    db: Number(dbText),
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** Why a REDIS_URL cannot be used, or undefined when it can (for the services' config schemas). */
export function redisUrlIssue(url: string): string | undefined {
  if (/^rediss?:\/\/./.test(url)) return undefined;
  if (url.startsWith(sentinelScheme)) {
    try {
      parseSentinelUrl(url);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
  return 'REDIS_URL must start with redis://, rediss:// or redis+sentinel://';
}

/** For the services' config schemas: `z.string().superRefine(refineRedisUrl)`. */
export function refineRedisUrl(url: string, ctx: z.RefinementCtx): void {
  const issue = redisUrlIssue(url);
  if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
}

/**
 * REDIS_URL, or the Sentinel URL that REDIS_SENTINELS + REDIS_SENTINEL_NAME spell (REDIS_URL may
 * then be unset, or itself a redis+sentinel:// URL that is refused as ambiguous). A half-configured
 * Sentinel setup (one of the two variables, or an address that is not host:port) throws in every
 * mode: it would silently fall back to one Redis, or to none.
 */
export function redisUrlFromEnv(env: {
  readonly REDIS_URL?: string | undefined;
  readonly REDIS_SENTINELS?: string | undefined;
  readonly REDIS_SENTINEL_NAME?: string | undefined;
}): string | undefined {
  const sentinels = env.REDIS_SENTINELS?.trim() || undefined;
  const name = env.REDIS_SENTINEL_NAME?.trim() || undefined;
  const url = env.REDIS_URL?.trim() || undefined;
  if (sentinels === undefined && name === undefined) return url;
  if (sentinels === undefined || name === undefined)
    throw new Error(
      `Redis Sentinel half configured: ${sentinels === undefined ? 'REDIS_SENTINEL_NAME is set without REDIS_SENTINELS' : 'REDIS_SENTINELS is set without REDIS_SENTINEL_NAME'}; set both, or neither`,
    );
  if (url !== undefined)
    throw new Error(
      'REDIS_URL and REDIS_SENTINELS are both set: use one (redis+sentinel:// in REDIS_URL, or the two variables)',
    );
  const composed = `${sentinelScheme}//${sentinels}/${encodeURIComponent(name)}`;
  const issue = redisUrlIssue(composed);
  if (issue !== undefined) throw new Error(`REDIS_SENTINELS / REDIS_SENTINEL_NAME: ${issue}`);
  return composed;
}

/** ioredis options for a REDIS_URL plus the caller's own (maxRetriesPerRequest, pipelining, …). */
export function redisOptions(url: string, options: RedisOptions = {}): RedisOptions {
  if (!url.startsWith(sentinelScheme)) return options;
  const target = parseSentinelUrl(url);
  return {
    // Follow the sentinels' +switch-master at once instead of waiting for the old master to time out.
    failoverDetector: true,
    // A failover takes 2–3 s with down-after 1 s; retrying at most every 300 ms reconnects soon after.
    retryStrategy: (times: number) => Math.min(times * 50, 300),
    sentinelRetryStrategy: (times: number) => Math.min(times * 100, 1_000),
    ...options,
    sentinels: target.sentinels.map((s) => ({ ...s })),
    name: target.name,
    db: target.db,
    ...(target.password ? { password: target.password } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
  };
}

/** A connection to the Redis that REDIS_URL names (one server, or the Sentinel master). */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  if (!url.startsWith(sentinelScheme)) return new Redis(url, options);
  const client = new Redis(redisOptions(url, options));
  // quit() ends the connection to the master but leaves the failover detector's connections to the
  // sentinels open (ioredis 5), which would keep the process alive: disconnect() closes those too.
  const quit = client.quit.bind(client);
  client.quit = (async () => {
    try {
      return await quit();
    } finally {
      client.disconnect();
    }
  }) as typeof client.quit;
  return client;
}

/**
 * The deployment's namespace in Redis (REDIS_PREFIX), the same in the core, every gateway and every BFF
 * of one deployment: the channels the core publishes on and the others subscribe to, and the keys of the
 * guards the instances share, all start with it. So several deployments can share one Redis (two card
 * centres, a staging system beside production, test runs at once) without one hearing another's door
 * commands or blacklist versions, or counting another's PIN tries, meal caps and declined payments.
 */
export const redisPrefixDefault = 'cc:';

/** REDIS_PREFIX in the services' config schemas. */
export const redisPrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'REDIS_PREFIX: 1 to 64 letters, digits or _ . : -')
  .describe("REDIS_PREFIX: the deployment's namespace in Redis, the same in its core, gateways and BFFs");

/** Every Redis name the services of one deployment share (channels and key prefixes). */
export interface RedisNames {
  readonly channels: {
    /** Card activity (payments, top-ups, card changes) for the BFFs' live views. */
    readonly cardActivity: string;
    /** News as published, for the BFFs' live push. */
    readonly news: string;
    /** A new blacklist version, for every gateway. */
    readonly blacklist: string;
    /** A device whose configuration, state or key changed. */
    readonly deviceConfig: string;
    /** A new passage rule version. */
    readonly passage: string;
    /** A remote door command (open, hold open, close, emergency). */
    readonly doorCommands: string;
    /** Readers whose meeting or exam session may have changed. */
    readonly meetingSessions: string;
  };
  readonly keys: {
    /** The core's signed-request nonces. */
    readonly sigNonce: string;
    /** Guesses at one numeric pay code. */
    readonly payCodeGuesses: string;
    /** Pay codes already used, shared by the core and the gateways. */
    readonly codeReplay: string;
    /** Wrong PINs typed at terminals, per card. */
    readonly pinRetry: string;
    /** Payments a gateway declined, per device and sequence. */
    readonly declined: string;
    /** Meals counted against a card's daily cap. */
    readonly mealCap: string;
    /** Shower and laundry meters in use. */
    readonly meter: string;
    /** Kiosk sessions. */
    readonly kiosk: string;
    /** The core's periodic jobs' locks. */
    readonly coreJobLock: string;
  };
}

export function redisNames(prefix: string): RedisNames {
  return {
    channels: {
      cardActivity: `${prefix}card-activity`,
      news: `${prefix}news`,
      blacklist: `${prefix}blacklist`,
      deviceConfig: `${prefix}device-config`,
      passage: `${prefix}passage`,
      doorCommands: `${prefix}door-commands`,
      meetingSessions: `${prefix}meeting-sessions`,
    },
    keys: {
      sigNonce: `${prefix}core:sig-nonce:`,
      payCodeGuesses: `${prefix}pay-code-guesses:`,
      codeReplay: `${prefix}replay:`,
      pinRetry: `${prefix}pin-retry:`,
      declined: `${prefix}declined:`,
      mealCap: `${prefix}meal-cap:`,
      meter: `${prefix}meter:`,
      kiosk: `${prefix}kiosk:`,
      coreJobLock: `${prefix}core:job-lock:`,
    },
  };
}
