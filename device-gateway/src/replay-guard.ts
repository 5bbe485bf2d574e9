// The credential replay guard shared by every gateway instance: a code accepted at one instance is refused
// at all others. `SET key 1 NX PX ttl` is atomic in Redis, which is exactly the guard's `claim`. Keys under
// keyPrefix: the deployment's RedisNames.keys.codeReplay, which the core's numeric-code guard shares.

import type { ReplayGuard } from '@campus-card/core/credential';
import type { Redis } from 'ioredis';

export function redisReplayGuard(redis: Redis, keyPrefix: string): ReplayGuard {
  return {
    async claim(key, ttlMs) {
      return (await redis.set(`${keyPrefix}${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}
