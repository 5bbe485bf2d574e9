import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreBatchPacing } from './core-batch-pacing.ts';
import { WorkSlices } from './work-slices.ts';

test('#20 when a batch request to the core is due, then the first after a quiet spell leaves at once and the next waits out the interval', async () => {
  const pacing = new CoreBatchPacing(new WorkSlices(2), 400, 8);
  const left: number[] = [];
  const flushed = () =>
    new Promise<void>((resolve) =>
      pacing.schedule(() => {
        left.push(performance.now());
        resolve();
      }),
    );
  const startedAt = performance.now();
  await flushed();
  // Wide margins: a loaded CI machine delays turns by tens of milliseconds, never by the 400 ms interval.
  assert.ok((left[0] as number) - startedAt < 300, 'the first request leaves in the next turn');
  await flushed();
  assert.ok((left[1] as number) - (left[0] as number) >= 399, 'the second waits for the interval');
  await sleep(450);
  const quietAt = performance.now();
  await flushed();
  assert.ok((left[2] as number) - quietAt < 300, 'after a quiet spell, at once again');
});

test('#20 when the interval is 0, then every request leaves in the next turn', async () => {
  const pacing = new CoreBatchPacing(new WorkSlices(2), 0, 8);
  const startedAt = performance.now();
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => pacing.schedule(resolve));
  assert.ok(performance.now() - startedAt < 300, 'five in a row, none held back');
});
