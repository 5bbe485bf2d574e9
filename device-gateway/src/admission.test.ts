import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission } from './admission.ts';

/** Enters until refused; answers how many got in. */
function fill(admission: Admission): number {
  let entered = 0;
  while (admission.tryEnter()) entered += 1;
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
  assert.equal(admission.tryEnter(), false, 'never above the bound');
  admission.leave();
  assert.equal(admission.tryEnter(), true, 'a place given back is taken again');
});

test('#20 when the bound is small or the warm-up is off, then a fresh gateway takes the whole bound at once', () => {
  const nowMs = 0;
  assert.equal(fill(new Admission({ max: 3, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs })), 3);
  assert.equal(fill(new Admission({ max: 100, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs })), 32);
  assert.equal(fill(new Admission({ max: 400, retryAfterMs: 500, warmUpMs: 0, now: () => nowMs })), 400);
});

test('#20 when the oldest request waiting for a work slice has waited past the backlog bound, then new payments are refused at once, and admitted again once it is under', () => {
  let backlogMs = 0;
  const admission = new Admission({
    max: 400,
    retryAfterMs: 500,
    backlogMaxMs: 20,
    backlogMs: () => backlogMs,
  });
  assert.equal(admission.tryEnter(), true);
  backlogMs = 20;
  assert.equal(admission.tryEnter(), true, 'at the bound: still admitted');
  backlogMs = 21;
  assert.equal(admission.tryEnter(), false, 'the gateway is 21 ms behind: refused');
  assert.equal(admission.current, 2, 'a refusal takes no place');
  backlogMs = 3;
  assert.equal(admission.tryEnter(), true, 'caught up: admitted');
  assert.equal(fill(admission), 400 - 3, 'the count still bounds');
});

test('#20 when the backlog bound is 0, then the count alone bounds, however far behind the slices are', () => {
  const admission = new Admission({ max: 50, retryAfterMs: 500, backlogMaxMs: 0, backlogMs: () => 5_000 });
  assert.equal(fill(admission), 50);
});
