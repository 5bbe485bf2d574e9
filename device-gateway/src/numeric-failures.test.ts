import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumericFailureLimit } from './numeric-failures.ts';

test('when a till reaches its wrong numeric codes, then it is blocked until its window ends, and other tills are not', () => {
  // Goal: the per-till bound counts from the first failure and lets go after the window.
  let nowMs = 1_000_000;
  const limit = new NumericFailureLimit({
    failuresMax: 3,
    windowMs: 60_000,
    devicesMax: 10,
    now: () => nowMs,
  });
  for (let i = 0; i < 2; i++) limit.fail('7');
  assert.equal(limit.blocked('7'), false);
  limit.fail('7');
  assert.equal(limit.blocked('7'), true);
  assert.equal(limit.blocked('8'), false);
  nowMs += 59_999;
  assert.equal(limit.blocked('7'), true);
  nowMs += 1;
  assert.equal(limit.blocked('7'), false);
  limit.fail('7');
  assert.equal(limit.blocked('7'), false, 'a new window starts at one failure');
});

test('when more tills fail than the bound, then the oldest window is dropped instead of growing', () => {
  // Goal: the memory is bounded.
  const limit = new NumericFailureLimit({ failuresMax: 1, windowMs: 60_000, devicesMax: 2 });
  limit.fail('a');
  limit.fail('b');
  limit.fail('c');
  assert.equal(limit.blocked('a'), false);
  assert.equal(limit.blocked('b'), true);
  assert.equal(limit.blocked('c'), true);
});
