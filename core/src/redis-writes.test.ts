// A connection's Redis commands of one event-loop turn leave in one socket write, each still answered on its
// own and in order (issue #20). Against the real Redis of the test machine, keys under a prefix of their own.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { redisUrl } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { oneWritePerTurn } from './redis-writes.ts';

/** Counts the writes the connection's socket makes to the kernel (one _write or _writev each). */
function countSocketWrites(redis: Redis): { writes: number } {
  const counted = { writes: 0 };
  const socket = redis.stream as unknown as {
    _write: (...args: unknown[]) => void;
    _writev?: (...args: unknown[]) => void;
  };
  const write = socket._write.bind(socket);
  socket._write = (...args) => {
    counted.writes += 1;
    write(...args);
  };
  const writev = socket._writev?.bind(socket);
  if (writev !== undefined)
    socket._writev = (...args) => {
      counted.writes += 1;
      writev(...args);
    };
  return counted;
}

test('the SET NX of many payments in one turn go out in one write, each answered on its own', async () => {
  const redis = new Redis(redisUrl);
  const prefix = `test:redis-writes:${randomUUID()}:`;
  try {
    await redis.ping();
    oneWritePerTurn(redis);
    const counted = countSocketWrites(redis);

    // One turn, as when a busy gateway reads many tills' frames: 20 claims, a third of them already taken.
    await redis.set(`${prefix}taken:0`, '1', 'PX', 60_000);
    await nextTurn();
    counted.writes = 0;
    const keys = Array.from({ length: 20 }, (_, i) => (i % 7 === 0 ? `${prefix}taken:0` : `${prefix}${i}`));
    const claims = keys.map((key) => redis.set(key, '1', 'PX', 60_000, 'NX'));
    const answers = await Promise.all(claims);
    assert.equal(counted.writes, 1, 'the claims of one turn left in one write');
    assert.deepEqual(
      answers,
      keys.map((key) => (key.endsWith('taken:0') ? null : 'OK')),
    );

    // The next turn's commands go in a write of their own, not held back.
    counted.writes = 0;
    const [one, two] = await Promise.all([redis.get(`${prefix}1`), redis.pttl(`${prefix}2`)]);
    assert.equal(one, '1');
    assert.ok(typeof two === 'number' && two > 0 && two <= 60_000);
    assert.equal(counted.writes, 1);
  } finally {
    const left = await redis.keys(`${prefix}*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  }
});
