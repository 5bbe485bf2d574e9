import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Batcher } from './batcher.ts';
import type { Operation } from './operations.ts';
import type { Answer } from './results.ts';

function topUp(id: string): Operation {
  return { kind: 'top_up', request: { id, cardNo: '800000000000', amount: 1, channel: 'cash' } };
}
const okAnswer = (op: Operation): Answer => ({
  status: 'ok',
  id: op.request.id,
  kind: op.kind,
  amount: 1,
  subsidyAmount: 0,
  mainAmount: 1,
  createdAtMs: 0,
  replayed: false,
});

test('when operations arrive together or while the executors are busy, then they are grouped up to the batch size', async () => {
  // Goal: group commit — one transaction carries many operations under load, and those of one turn (a batch
  // request's) share one even when an executor is idle.
  const sizes: number[] = [];
  const batcher = new Batcher(
    async (ops) => {
      sizes.push(ops.length);
      await sleep(20);
      return ops.map(okAnswer);
    },
    { batchSizeMax: 10, executorsMax: 1, queueDepthMax: 1_000 },
  );
  const answers = await Promise.all(Array.from({ length: 31 }, (_, i) => batcher.submit(topUp(`t${i}`))));
  assert.equal(answers.length, 31);
  assert.deepEqual(sizes, [10, 10, 10, 1]);
  assert.deepEqual(
    answers.map((a) => a.id),
    Array.from({ length: 31 }, (_, i) => `t${i}`),
  );
});

test('when one operation breaks its batch, then its neighbours are answered and only it fails', async () => {
  // Goal: a poison operation is isolated by re-running the batch one by one.
  const batcher = new Batcher(
    async (ops) => {
      if (ops.some((o) => o.request.id === 'poison')) throw new Error('constraint failed');
      return ops.map(okAnswer);
    },
    { batchSizeMax: 10, executorsMax: 1, queueDepthMax: 100 },
  );
  const blocker = batcher.submit(topUp('first'));
  const results = await Promise.allSettled(['a', 'poison', 'b'].map((id) => batcher.submit(topUp(id))));
  await blocker;
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
});

test('when the queue is full, then new operations are refused with OVERLOADED', async () => {
  // Goal: the queue is bounded.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const batcher = new Batcher(
    async (ops) => {
      await gate;
      return ops.map(okAnswer);
    },
    { batchSizeMax: 1, executorsMax: 1, queueDepthMax: 2 },
  );
  const running = batcher.submit(topUp('1'));
  // The executor takes it once the turn's microtasks have run; the next two then wait in the queue.
  await Promise.resolve();
  const accepted = [running, batcher.submit(topUp('2')), batcher.submit(topUp('3'))];
  await assert.rejects(batcher.submit(topUp('4')), { code: 'OVERLOADED' });
  release();
  await Promise.all(accepted);
  await batcher.drain();
});
