import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, adaptiveFloor, windowMs } from './admission.ts';

/** Enters until refused; answers how many got in. */
function fill(admission: Admission): number {
  let entered = 0;
  while (admission.tryEnter() !== undefined) entered += 1;
  return entered;
}

test('#20 when a gateway has just started, then its in-flight bound rises from a tenth to the whole bound over the warm-up, refusing the rest at once', () => {
  let nowMs = 5_000;
  const admission = new Admission({
    max: 400,
    retryAfterMs: 500,
    warmUpMs: 1_000,
    now: () => nowMs,
    loopLagMs: () => 0,
  });
  assert.equal(fill(admission), 40, 'a tenth of the bound at start');
  nowMs += 500;
  assert.equal(fill(admission), 220 - 40, 'halfway: halfway between a tenth and the whole');
  nowMs += 500;
  assert.equal(fill(admission), 400 - 220, 'warmed up: the whole bound');
  nowMs += 60_000;
  assert.equal(admission.tryEnter(), undefined, 'never above the bound');
  admission.leave(nowMs);
  assert.equal(admission.tryEnter(), nowMs, 'a place given back is taken again');
});

test('#20 when the bound is small or the warm-up is off, then a fresh gateway takes the whole bound at once', () => {
  const nowMs = 0;
  assert.equal(
    fill(new Admission({ max: 3, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs, loopLagMs: () => 0 })),
    3,
  );
  assert.equal(
    fill(
      new Admission({ max: 100, retryAfterMs: 500, warmUpMs: 1_000, now: () => nowMs, loopLagMs: () => 0 }),
    ),
    32,
  );
  assert.equal(
    fill(new Admission({ max: 400, retryAfterMs: 500, warmUpMs: 0, now: () => nowMs, loopLagMs: () => 0 })),
    400,
  );
});

test('#20 when the event loop lags or payments take long in the gateway, then the bound shrinks by fifths to its floor, and grows back by tenths once both are under target and it limits', () => {
  let nowMs = 0;
  let lagMs = 0;
  const admission = new Admission({
    max: 400,
    retryAfterMs: 500,
    warmUpMs: 0,
    now: () => nowMs,
    loopLagMs: () => lagMs,
  });
  assert.equal(fill(admission), 400);
  // Frames wait 30 ms to be read: each window takes a fifth off the bound.
  lagMs = 30;
  nowMs += windowMs;
  assert.equal(admission.tryEnter(), undefined);
  assert.equal(admission.limit, 320);
  for (let i = 0; i < 30; i++) {
    nowMs += windowMs;
    admission.tryEnter();
  }
  assert.equal(admission.limit, adaptiveFloor, 'never below the floor');
  // The loop is quick again, but the payments answered spent 150 ms each in the gateway: still shrinking.
  lagMs = 0;
  const enteredAtMs = nowMs - 150;
  for (let i = 0; i < 400; i++) admission.leave(enteredAtMs);
  assert.equal(fill(admission), adaptiveFloor, 'only the adapted bound is admitted');
  nowMs += windowMs;
  admission.tryEnter();
  assert.equal(admission.limit, adaptiveFloor);
  // Quick answers while the bound refuses payments: it grows by a tenth a window.
  for (let i = 0; i < adaptiveFloor; i++) admission.leave(nowMs - 20);
  fill(admission);
  nowMs += windowMs;
  admission.tryEnter();
  assert.equal(admission.limit, adaptiveFloor + Math.ceil(adaptiveFloor / 10));
  // Nothing refused in a window (the bound did not limit): it stays.
  const admissionQuiet = new Admission({
    max: 400,
    retryAfterMs: 500,
    warmUpMs: 0,
    now: () => nowMs,
    loopLagMs: () => 0,
  });
  admissionQuiet.tryEnter();
  nowMs += windowMs;
  admissionQuiet.tryEnter();
  assert.equal(admissionQuiet.limit, 400);
});
