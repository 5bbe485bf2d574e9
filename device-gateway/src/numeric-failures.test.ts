import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumericFailureLimit } from './numeric-failures.ts';

/** One check, taken and settled at once. */
function check(limit: NumericFailureLimit, device: string, failed: boolean): boolean {
  if (!limit.take(device)) return false;
  limit.settle(device, failed);
  return true;
}

test('when a till reaches its wrong numeric codes, then it is blocked until its window ends, and other tills are not', () => {
  // Goal: the per-till bound counts from the first failure and lets go after the window.
  let nowMs = 1_000_000;
  const limit = new NumericFailureLimit({
    failuresMax: 3,
    windowMs: 60_000,
    devicesMax: 10,
    now: () => nowMs,
  });
  for (let i = 0; i < 2; i++) check(limit, '7', true);
  assert.equal(limit.blocked('7'), false);
  check(limit, '7', true);
  assert.equal(limit.blocked('7'), true);
  assert.equal(limit.take('7'), false);
  assert.equal(limit.blocked('8'), false);
  nowMs += 59_999;
  assert.equal(limit.blocked('7'), true);
  nowMs += 1;
  assert.equal(limit.blocked('7'), false);
  check(limit, '7', true);
  assert.equal(limit.blocked('7'), false, 'a new window starts at one failure');
});

test('#12.1 when 60 numeric codes from one till are in flight at once, then only failuresMax are let through to the core', () => {
  // Goal: the check is reserved before the core is asked; the old blocked-then-fail let every request
  // in flight pass the read before any failure was written.
  const limit = new NumericFailureLimit({ failuresMax: 5, windowMs: 60_000, devicesMax: 10 });
  const taken = Array.from({ length: 60 }, () => limit.take('till'));
  assert.equal(taken.filter(Boolean).length, 5);
  // Four were wrong, one right: the right one gives back only its own check.
  for (let i = 0; i < 4; i++) limit.settle('till', true);
  limit.settle('till', false);
  assert.equal(limit.take('till'), true, 'one failure left in the window');
  limit.settle('till', true);
  assert.equal(limit.take('till'), false, 'and then the till is blocked, right codes or not');
});

test('when more tills fail than the bound, then the oldest window is dropped instead of growing', () => {
  // Goal: the memory is bounded.
  const limit = new NumericFailureLimit({ failuresMax: 1, windowMs: 60_000, devicesMax: 2 });
  check(limit, 'a', true);
  check(limit, 'b', true);
  check(limit, 'c', true);
  assert.equal(limit.blocked('a'), false);
  assert.equal(limit.blocked('b'), true);
  assert.equal(limit.blocked('c'), true);
});
