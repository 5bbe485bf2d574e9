// The Redis replay guard against the machine's Redis: the claims of one callback travel as one script, and
// each is answered as its own SET NX would be (issue #20).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRedis } from '@campus-card/core/redis';
import { redisPrefix, redisUrl } from '@campus-card/tests/kit';
import type { Redis } from 'ioredis';
import { redisReplayGuard } from './replay-guard.ts';

describe('Redis replay guard', () => {
  let redis: Redis;
  const prefix = redisPrefix('replay');
  before(async () => {
    redis = createRedis(redisUrl);
    await redis.ping();
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  test('when codes are claimed in one callback, then one command carries them and each is first once', async () => {
    const guard = redisReplayGuard(redis, prefix);
    const commands: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
      commands.push(args[0].name);
      return send(...args);
    }) as Redis['sendCommand'];
    try {
      const claims = [
        guard.claim('qr:a', 60_000),
        guard.claim('qr:b', 60_000),
        guard.claim('qr:a', 60_000),
        guard.claim('qr:c', 30_000),
      ];
      assert.deepEqual(await Promise.all(claims), [true, true, false, true]);
      assert.deepEqual(commands, ['eval']);
    } finally {
      redis.sendCommand = send;
    }
    // Kept for their TTLs: a later claim of the same code is refused, a new one is first.
    assert.deepEqual(await Promise.all([guard.claim('qr:b', 60_000), guard.claim('qr:d', 60_000)]), [
      false,
      true,
    ]);
    const ttlMs = await redis.pttl(`${prefix}qr:c`);
    assert.ok(ttlMs > 25_000 && ttlMs <= 30_000, `PTTL ${ttlMs}`);
  });

  test('when Redis refuses the request, then every claim in it fails (the verifier fails closed)', async () => {
    const guard = redisReplayGuard(redis, prefix);
    const claims = [guard.claim('qr:e', 60_000), guard.claim('qr:f', -1)];
    for (const claim of claims) await assert.rejects(claim);
  });
});
