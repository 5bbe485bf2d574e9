import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerCache, requestHash } from './answer-cache.ts';

const answer = Promise.resolve({ kind: 'pay_declined', reason: 'SERVICE_UNAVAILABLE' } as const);

test('#12.20 when an answer is forgotten (the ledger was not reached), then the same sequence runs again while older unexecuted ones stay STALE_SEQUENCE', () => {
  // Goal: protocol § 11.2 — a request that was not executed may be sent again under its sequence; a new
  // request below the highest executed one is refused, because the server cannot tell it from a lost retry.
  const cache = new AnswerCache(100);
  const hash = requestHash(0x10, Uint8Array.of(1, 2, 3));
  cache.remember('1001', 5, hash, answer);
  cache.remember('1001', 6, hash, answer);
  cache.forget('1001', 5);
  assert.deepEqual(cache.lookup('1001', 5, hash), { kind: 'new' });
  assert.deepEqual(cache.lookup('1001', 4, hash), { kind: 'stale' });
  assert.equal(cache.lookup('1001', 6, hash).kind, 'retry');
  assert.deepEqual(cache.lookup('1001', 6, requestHash(0x10, Uint8Array.of(9))), { kind: 'conflict' });
  assert.deepEqual(cache.lookup('1001', 7, hash), { kind: 'new' });
});
