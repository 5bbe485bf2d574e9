import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, queueBoundFloor, windowMs } from './admission.ts';

/** Enters until refused; answers how many got in. */
function fill(admission: Admission): number {
  let entered = 0;
  while (admission.tryEnter() !== undefined) entered += 1;
  return entered;
}

test('#20 when a gateway has just started, then its in-flight bound rises from a tenth to the whole bound over the warm-up, refusing the rest at once', () => {
  let nowMs = 5_000;
  const admission = new Admission({ max: 400, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs });
  assert.equal(fill(admission), 40, 'a tenth of the bound at start');
  nowMs += 500;
  assert.equal(fill(admission), 220 - 40, 'halfway: halfway between a tenth and the whole');
  nowMs += 500;
  assert.equal(fill(admission), 400 - 220, 'warmed up: the whole bound');
  nowMs += 60_000;
  assert.equal(admission.tryEnter(), undefined, 'never above the bound');
  admission.leave(nowMs);
  assert.notEqual(admission.tryEnter(), undefined, 'a place given back is taken again');
});

test('#20 when the bound is small or the warm-up is off, then a fresh gateway takes the whole bound at once', () => {
  const nowMs = 0;
  assert.equal(fill(new Admission({ max: 3, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs })), 3);
  assert.equal(fill(new Admission({ max: 100, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs })), 32);
  assert.equal(fill(new Admission({ max: 400, retryAfterMs: 500, warmUpMs: 0, now: () => nowMs })), 400);
});

/** A gateway in a steady state: each window, `answered` payments leave after `spentMs`, and as many come. */
function windowOf(admission: Admission, clock: { nowMs: number }, spentMs: number, answered: number): number {
  clock.nowMs += windowMs;
  for (let i = 0; i < answered; i += 1) admission.leave(clock.nowMs - spentMs);
  return fill(admission);
}

test('#20 when even the quickest payment of a window waited past the target, then the bound shrinks below what is in flight, and refuses the excess at once', () => {
  const clock = { nowMs: 0 };
  const admission = new Admission({ max: 400, retryAfterMs: 500, queueTargetMs: 50, now: () => clock.nowMs });
  assert.equal(fill(admission), 400);
  // A standing queue: 100 answered a window, the quickest of them after 160 ms.
  const admittedPerWindow = [1, 2, 3, 4, 5].map(() => windowOf(admission, clock, 160, 100));
  assert.equal(admittedPerWindow[0], 0, 'the first window under a standing queue admits nothing new');
  assert.ok(admission.limit < 300, `the bound fell below what was in flight: ${admission.limit}`);
  assert.ok(admission.limit >= queueBoundFloor);
});

test('#20 when the queue has drained below the target, then the bound grows back to GATEWAY_INFLIGHT_MAX while it is what refuses', () => {
  const clock = { nowMs: 0 };
  const admission = new Admission({ max: 400, retryAfterMs: 500, queueTargetMs: 50, now: () => clock.nowMs });
  fill(admission);
  for (let i = 0; i < 10; i += 1) windowOf(admission, clock, 200, 40);
  const shrunk = admission.limit;
  assert.ok(shrunk < 100, `shrunk under a standing queue: ${shrunk}`);
  // Quick answers again (20 ms), and tills still pressing: it grows a tenth a window up to the whole bound.
  let windows = 0;
  while (admission.limit < 400 && windows < 100) {
    windowOf(admission, clock, 20, admission.current);
    windows += 1;
  }
  assert.equal(admission.limit, 400);
  assert.ok(windows > 5 && windows < 60, `regrown in ${windows} windows of ${windowMs} ms`);
});

test('#20 when one payment is slow but others are quick, or no payment was answered, then the bound does not move', () => {
  const clock = { nowMs: 0 };
  const admission = new Admission({ max: 400, retryAfterMs: 500, queueTargetMs: 50, now: () => clock.nowMs });
  fill(admission);
  clock.nowMs += windowMs;
  admission.leave(clock.nowMs - 4_000);
  admission.leave(clock.nowMs - 10);
  fill(admission);
  clock.nowMs += windowMs;
  fill(admission);
  assert.equal(admission.limit, 400, 'a straggler (a federation call, a PIN retry) is not a standing queue');
  clock.nowMs += windowMs;
  fill(admission);
  assert.equal(admission.limit, 400, 'a window without answers says nothing');
});

test('#20 when the standing-queue target is 0, then the count alone bounds', () => {
  const clock = { nowMs: 0 };
  const admission = new Admission({ max: 50, retryAfterMs: 500, queueTargetMs: 0, now: () => clock.nowMs });
  fill(admission);
  for (let i = 0; i < 5; i += 1) assert.equal(windowOf(admission, clock, 900, 10), 10);
  assert.equal(admission.limit, 50);
});
