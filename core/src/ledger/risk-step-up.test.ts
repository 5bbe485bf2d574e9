import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterPayment, type RiskState, riskClear, stepUpDefaults } from './risk-step-up.ts';

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
