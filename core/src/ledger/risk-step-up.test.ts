import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  afterPayment,
  burstAsksPin,
  isNewPlace,
  placeAfterPayment,
  placeMemoryDays,
  type RiskState,
  riskClear,
  steppedUpAt,
  stepUpDefaults,
} from './risk-step-up.ts';

// The step-up rule alone (risk-step-up.ts); the ledger's use of it is core/test/pin-step-up.test.ts.

const minute = 60_000;
const run = (payments: [number, number, boolean, boolean?][], rule = stepUpDefaults) => {
  let state: RiskState = { ...riskClear };
  const marks: string[] = [];
  for (const [atMs, amount, newPlace, withPin = false] of payments) {
    const seen = afterPayment(state, { atMs, amount, newPlace, withPin }, rule);
    state = seen.state;
    marks.push(seen.steppedUp ? 'up' : seen.cleared ? 'cleared' : '-');
  }
  return marks;
};

test('when two high payments within the hour include one at a new place, then the second steps the card up', () => {
  // Goal: the default rule, and what does not count: small amounts, known places only, a gap over the window.
  assert.deepEqual(
    run([
      [0, 2_000, true],
      [10 * minute, 1_500, false],
    ]),
    ['-', 'up'],
  );
  assert.deepEqual(
    run([
      [0, 2_000, false],
      [10 * minute, 2_000, false],
    ]),
    ['-', '-'],
  );
  assert.deepEqual(
    run([
      [0, 1_499, true],
      [10 * minute, 1_499, true],
    ]),
    ['-', '-'],
  );
  assert.deepEqual(
    run([
      [0, 2_000, true],
      [61 * minute, 2_000, true],
      [70 * minute, 2_000, false],
    ]),
    ['-', '-', 'up'],
  );
});

test('when the right PIN comes with a payment, then a step-up clears and the count starts again; 0 switches the rule off', () => {
  // Goal: the owner's PIN is evidence of the owner; the rule can be switched off.
  assert.deepEqual(
    run([
      [0, 2_000, true],
      [minute, 2_000, true],
      [2 * minute, 500, false, true],
      [3 * minute, 2_000, true],
      [4 * minute, 2_000, true],
    ]),
    ['-', 'up', 'cleared', '-', 'up'],
  );
  assert.deepEqual(
    run(
      [
        [0, 2_000, true],
        [minute, 2_000, true],
      ],
      { ...stepUpDefaults, highPaymentsMin: 0 },
    ),
    ['-', '-'],
  );
});

test('when a place was last paid at more than 60 days ago, or is known only since a payment within the window, then it is new; the row is written once a day', () => {
  // Goal: the step-up's "new place" is the detector's (its 60-day profile, a burst's own places not yet familiar), and the money path writes a place at most daily.
  const day = 86_400_000;
  const at = 100 * day;
  const seen = { lastPaidAtMs: at - 30 * day, knownSinceMs: at - 90 * day };
  assert.equal(isNewPlace(undefined, at, stepUpDefaults.windowMs), true);
  assert.equal(isNewPlace(seen, at, stepUpDefaults.windowMs), false);
  assert.equal(isNewPlace({ ...seen, lastPaidAtMs: at - placeMemoryDays * day - 1 }, at, 60 * minute), true);
  assert.equal(
    isNewPlace({ lastPaidAtMs: at - 20 * minute, knownSinceMs: at - 20 * minute }, at, 60 * minute),
    true,
  );
  assert.equal(
    isNewPlace({ lastPaidAtMs: at - 20 * minute, knownSinceMs: at - 61 * minute }, at, 60 * minute),
    false,
  );
  // A first payment, or one after the place was forgotten, starts its knowledge; a day-old row moves on.
  assert.deepEqual(placeAfterPayment(undefined, at), { lastPaidAtMs: at, knownSinceMs: at });
  assert.deepEqual(placeAfterPayment({ ...seen, lastPaidAtMs: at - 61 * day }, at), {
    lastPaidAtMs: at,
    knownSinceMs: at,
  });
  assert.deepEqual(placeAfterPayment({ ...seen, lastPaidAtMs: at - day }, at), { ...seen, lastPaidAtMs: at });
  assert.equal(placeAfterPayment({ ...seen, lastPaidAtMs: at - day + 1 }, at), undefined);
  // The card's first payment ever: its place is home from the start (nothing to differ from yet).
  assert.deepEqual(placeAfterPayment(undefined, at, true), { lastPaidAtMs: at, knownSinceMs: 0 });
  assert.equal(isNewPlace({ lastPaidAtMs: at, knownSinceMs: 0 }, at + minute, 60 * minute), false);
});

test('when a card made two high payments within the hour wherever, then the third asks for the PIN itself; small ones, a gap over the window, a stepped-up card or 0 do not', () => {
  // Goal: a burst anywhere is asked at its own last payment (burstPaymentsMin), one payment before the new-place rule would.
  const asks = (payments: [number, number][], rule = stepUpDefaults) => {
    let state: RiskState = { ...riskClear };
    const marks: boolean[] = [];
    for (const [atMs, amount] of payments) {
      const ask = burstAsksPin(state, { atMs, amount }, rule);
      marks.push(ask);
      state = ask
        ? steppedUpAt(atMs)
        : afterPayment(state, { atMs, amount, newPlace: false, withPin: false }, rule).state;
    }
    return marks;
  };
  assert.deepEqual(
    asks([
      [0, 2_000],
      [10 * minute, 1_500],
      [20 * minute, 1_500],
      [21 * minute, 300],
    ]),
    [false, false, true, false],
  );
  assert.equal(burstAsksPin(steppedUpAt(0), { atMs: minute, amount: 2_000 }, stepUpDefaults), false);
  assert.deepEqual(
    asks([
      [0, 2_000],
      [10 * minute, 1_499],
      [61 * minute, 2_000],
      [70 * minute, 2_000],
    ]),
    [false, false, false, false],
  );
  assert.deepEqual(
    asks(
      [
        [0, 2_000],
        [minute, 2_000],
        [2 * minute, 2_000],
      ],
      { ...stepUpDefaults, burstPaymentsMin: 0 },
    ),
    [false, false, false],
  );
});
