// The credential replay guard shared by every gateway instance: a code accepted at one instance is refused
// at all others. `SET key 1 NX PX ttl` is atomic in Redis, which is exactly the guard's `claim`. Keys under
// keyPrefix: the deployment's RedisNames.keys.codeReplay, which the core's numeric-code guard shares.
//
// The claims made in one run of the event loop's callbacks (a work slice verifies a dozen tills' codes) go
// to Redis as one script that makes each key's SET NX in order (issue #20): one command a batch instead of
// an ioredis command a payment, which cost about twice the client CPU a claim. Each claim still gets
// its own answer, a code claimed twice in one batch is first for the first only, and a failed request fails
// every claim in it (the verifier rejects, the payment is refused: fail closed).

import type { ReplayGuard } from '@campus-card/core/credential';
import type { Redis } from 'ioredis';

/** KEYS: the codes' keys; ARGV: their TTLs (ms). Answers 1 where this claim set the key, 0 where it was set. */
const claimScript = `
local claimed = {}
for i, key in ipairs(KEYS) do
  claimed[i] = redis.call('SET', key, '1', 'PX', ARGV[i], 'NX') and 1 or 0
end
return claimed`;

interface Claim {
  readonly key: string;
  readonly ttlMs: number;
  readonly resolve: (first: boolean) => void;
  readonly reject: (error: unknown) => void;
}

export function redisReplayGuard(redis: Redis, keyPrefix: string): ReplayGuard {
  let batch: Claim[] = [];
  const send = () => {
    const claims = batch;
    batch = [];
    const keys = claims.map((claim) => `${keyPrefix}${claim.key}`);
    const ttls = claims.map((claim) => claim.ttlMs);
    redis.eval(claimScript, claims.length, ...keys, ...ttls).then(
      (answers) => {
        if (!Array.isArray(answers) || answers.length !== claims.length) {
          const error = new Error(
            `replay guard: ${claims.length} claims answered ${JSON.stringify(answers)}`,
          );
          for (const claim of claims) claim.reject(error);
          return;
        }
        claims.forEach((claim, i) => {
          claim.resolve(answers[i] === 1);
        });
      },
      (error: unknown) => {
        for (const claim of claims) claim.reject(error);
      },
    );
  };
  return {
    claim(key, ttlMs) {
      return new Promise<boolean>((resolve, reject) => {
        // Sent once the callback that made the first claim has run: the others it made join it.
        if (batch.push({ key, ttlMs, resolve, reject }) === 1) queueMicrotask(send);
      });
    },
  };
}
