import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharesBp } from './report-service.ts';

test('when shares are rounded, then they still add up to exactly 100 %', () => {
  // Goal: a pie chart of the channel mix never shows 100.01 % (thirds round one up, not all up).
  assert.deepEqual(sharesBp([10_000, 3_000, 5_000, 0]), [5555, 1667, 2778, 0]);
  assert.deepEqual(sharesBp([1, 1, 1]), [3334, 3333, 3333]);
  assert.deepEqual(sharesBp([0, 0]), [0, 0]);
  assert.deepEqual(sharesBp([Number.MAX_SAFE_INTEGER, 1]), [10_000, 0]);
  for (let n = 0; n < 200; n++) {
    const amounts = Array.from({ length: 4 }, () => Math.floor(Math.random() * 1_000_000));
    if (amounts.every((a) => a === 0)) continue;
    assert.equal(
      sharesBp(amounts).reduce((s, x) => s + x, 0),
      10_000,
    );
  }
});
