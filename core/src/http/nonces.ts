import type { Redis } from 'ioredis';
import { createMemoryReplayGuard, type ReplayGuard } from '../credential/replay-guard.ts';

/**
 * The signed requests' seen-nonce cache: a nonce is claimed once per service key for as long as its
 * timestamp can still pass the window. With Redis (REDIS_URL), every core instance shares it, so a
 * request captured on its way to one instance is refused by all of them; without, it is one
 * process's memory (the embedded single-process setup). Keys under the deployment's
 * RedisNames.keys.sigNonce.
 */
export function redisNonces(redis: Redis, keyPrefix: string): ReplayGuard {
  return {
    async claim(key, ttlMs) {
      return (await redis.set(`${keyPrefix}${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}

export function memoryNonces(): ReplayGuard {
  // Full of live nonces it refuses (fail closed): at 1,000,000 per ~65 s that is ~15,000 requests/s.
  return createMemoryReplayGuard({ entriesMax: 1_000_000 });
}
