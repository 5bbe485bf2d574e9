import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { redisUrl } from '@campus-card/tests/kit';
import type { Kv } from '../src/kv/index.ts';
import { lockedCount } from '../src/kv/kv.ts';
import { MemoryKv } from '../src/kv/memory-kv.ts';
import { RedisKv } from '../src/kv/redis-kv.ts';

// The one primitive every guard counter of the BFF stands on, in both kvs: reserve before the check,
// fail keeps (and locks at the max), release gives back only its own attempt.

const kinds: [string, () => Kv][] = [
  ['Redis', () => new RedisKv(redisUrl, `cc-test-kv-${randomBytes(6).toString('hex')}:`)],
  ['in process', () => new MemoryKv()],
];

for (const [kind, open] of kinds) {
  describe(`kv attempt reservations (${kind})`, () => {
    const kv = open();
    after(() => kv.close());

    test('#12.1 when 100 attempts are reserved at once against a max of 5, then exactly 5 are allowed', async () => {
      const counters = [{ key: 'burst', max: 5 }];
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => kv.reserveAttempt(counters, 60_000)),
      );
      assert.equal(answers.filter((a) => a.allowed).length, 5);
      assert.equal(await kv.get('burst'), '5', 'refused attempts are not counted');
    });

    test('#12.1 when one of several counters is at its max, then nothing is counted on any of them', async () => {
      const full = [{ key: 'full', max: 1 }];
      assert.equal((await kv.reserveAttempt(full, 60_000)).allowed, true);
      const both = [
        { key: 'other', max: 10 },
        { key: 'full', max: 1 },
      ];
      const refused = await kv.reserveAttempt(both, 60_000);
      assert.deepEqual(refused, { allowed: false, blocked: 1 });
      assert.equal(await kv.get('other'), null);
    });

    test('#12.1 when a failure reaches the max while a right answer is in flight, then the right answer giving back its attempt does not unlock', async () => {
      const counters = [{ key: 'lock', max: 3 }];
      const right = await kv.reserveAttempt(counters, 60_000);
      const wrong = await Promise.all([1, 2].map(() => kv.reserveAttempt(counters, 60_000)));
      assert.ok(right.allowed && wrong.every((w) => w.allowed));
      const failed = await kv.failAttempt(counters);
      assert.equal(failed.locked, true, 'three attempts in the window reached the max');
      await kv.failAttempt(counters);
      await kv.releaseAttempt(['lock']);
      assert.equal((await kv.reserveAttempt(counters, 60_000)).allowed, false);
      assert.ok(Number(await kv.get('lock')) >= lockedCount - 1);
    });

    test('when a right answer comes after fewer failures than the max, then it gives back only its own attempt', async () => {
      const counters = [{ key: 'sequential', max: 3 }];
      for (let i = 0; i < 2; i++) {
        await kv.reserveAttempt(counters, 60_000);
        assert.equal((await kv.failAttempt(counters)).locked, false);
      }
      await kv.reserveAttempt(counters, 60_000);
      await kv.releaseAttempt(['sequential']);
      assert.equal(await kv.get('sequential'), '2', 'the two failures stay counted');
      assert.equal((await kv.reserveAttempt(counters, 60_000)).allowed, true);
      assert.equal((await kv.failAttempt(counters)).locked, true);
      assert.equal((await kv.reserveAttempt(counters, 60_000)).allowed, false);
    });

    test('when the window ends, then the counter and its lock are gone', async () => {
      const counters = [{ key: 'short', max: 1 }];
      await kv.reserveAttempt(counters, 50);
      await kv.failAttempt(counters);
      assert.equal((await kv.reserveAttempt(counters, 50)).allowed, false);
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.equal((await kv.reserveAttempt(counters, 50)).allowed, true);
    });
  });
}
