import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFakeClock } from './fixtures.ts';
import { createMemoryReplayGuard } from './replay-guard.ts';

describe('memory replay guard', () => {
  test('when a key is claimed twice within its ttl, then only the first claim wins', async () => {
    // Goal: the basic once-only promise, matching Redis SET NX PX.
    const guard = createMemoryReplayGuard({ now: createFakeClock(0).now });
    assert.equal(await guard.claim('qr:1:100:0', 1000), true);
    assert.equal(await guard.claim('qr:1:100:0', 1000), false);
    assert.equal(await guard.claim('qr:1:100:1', 1000), true);
  });

  test('when a key expires, then it can be claimed again and its memory is freed', async () => {
    // Goal: entries do not outlive their ttl, so the memory stays proportional to live codes.
    const clock = createFakeClock(0);
    const guard = createMemoryReplayGuard({ now: clock.now });
    await guard.claim('a', 1000);
    await guard.claim('b', 5000);
    clock.set(1000);
    assert.equal(await guard.claim('a', 1000), true);
    clock.set(10_000);
    await guard.claim('c', 1000);
    assert.equal(guard.size, 1);
  });

  test('when the guard is full of live keys, then new claims are refused rather than old keys forgotten', async () => {
    // Goal: fail closed at the size limit: a refused payment is retried, a forgotten key is a replay.
    const clock = createFakeClock(0);
    const guard = createMemoryReplayGuard({ entriesMax: 2, now: clock.now });
    assert.equal(await guard.claim('a', 60_000), true);
    assert.equal(await guard.claim('b', 60_000), true);
    assert.equal(await guard.claim('c', 60_000), false);
    assert.equal(guard.refusedFullCount, 1);
    assert.equal(await guard.claim('a', 60_000), false);
    clock.set(60_000);
    assert.equal(await guard.claim('c', 60_000), true);
  });

  test('when a short-lived key sits behind a long-lived one, then the full sweep still frees it', async () => {
    // Goal: out-of-order expiry cannot wedge the guard full.
    const clock = createFakeClock(0);
    const guard = createMemoryReplayGuard({ entriesMax: 2, now: clock.now });
    await guard.claim('long', 60_000);
    await guard.claim('short', 1000);
    clock.set(2000);
    assert.equal(await guard.claim('next', 1000), true);
    assert.equal(guard.size, 2);
  });

  test('when created with a bad limit or asked for a bad ttl, then it throws', async () => {
    // Goal: programmer errors are loud.
    assert.throws(() => createMemoryReplayGuard({ entriesMax: 0 }));
    await assert.rejects(createMemoryReplayGuard().claim('a', 0));
  });
});
