import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backlogJobsMin, WorkSlices } from './work-slices.ts';

test('#20 when many handlers are queued, then they start in order, each slice within its budget, and the loop turns between slices', async () => {
  let nowMs = 0;
  const slices = new WorkSlices(2, () => nowMs);
  const started: number[] = [];
  const turnsSeen: number[] = [];
  let turns = 0;
  // Another callback of the loop (a socket read, say), once a turn: it must get a turn between slices.
  let stopped = false;
  const other = () => {
    turns += 1;
    if (!stopped) setImmediate(other);
  };
  setImmediate(other);
  const answers = Array.from({ length: 10 }, (_, i) =>
    slices.run(async () => {
      started.push(i);
      turnsSeen.push(turns);
      nowMs += 1; // each job costs 1 ms of the 2 ms budget
      return i * 10;
    }),
  );
  assert.equal(started.length, 0, 'nothing starts inside the read that queued it');
  assert.deepEqual(await Promise.all(answers), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  stopped = true;
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Two jobs a slice: jobs 0–1 in one slice, 2–3 in the next, … so the loop turned between them.
  assert.equal(turnsSeen[0], turnsSeen[1]);
  assert.ok((turnsSeen[9] as number) > (turnsSeen[0] as number), `the loop turned: ${turnsSeen.join(',')}`);
});

test('#20 when a handler throws or rejects, then its caller hears the error and later jobs still run', async () => {
  const slices = new WorkSlices(2);
  const thrown = slices.run(() => {
    throw new Error('thrown');
  });
  const rejected = slices.run(() => Promise.reject(new Error('rejected')));
  const fine = slices.run(async () => 'fine');
  await assert.rejects(thrown, /thrown/);
  await assert.rejects(rejected, /rejected/);
  assert.equal(await fine, 'fine');
  assert.equal(slices.waiting, 0);
});

test('#20 when a core batch waits for the slices, then it leaves once they are done, or by its wait at most', async () => {
  let nowMs = 0;
  const slices = new WorkSlices(2, () => nowMs);
  const events: string[] = [];
  const job = (name: string) => async () => {
    events.push(name);
    nowMs += 1;
  };
  const idle = new Promise<void>((resolve) => slices.whenDrained(resolve, 8));
  await idle;
  assert.equal(events.length, 0, 'nothing queued: the batch leaves in the next turn');

  const jobs = ['a', 'b', 'c', 'd', 'e'].map((name) => slices.run(job(name)));
  const drained = new Promise<void>((resolve) =>
    slices.whenDrained(() => {
      events.push('batch');
      resolve();
    }, 8),
  );
  await Promise.all([...jobs, drained]);
  assert.deepEqual(events, ['a', 'b', 'c', 'd', 'e', 'batch'], 'after every queued slice');

  events.length = 0;
  const many = Array.from({ length: 30 }, (_, i) => slices.run(job(`j${i}`)));
  const byWait = new Promise<void>((resolve) =>
    slices.whenDrained(() => {
      events.push('batch');
      resolve();
    }, 4),
  );
  await Promise.all([...many, byWait]);
  const at = events.indexOf('batch');
  assert.ok(at > 0 && at < 30, `by its 4 ms wait, before the 30 ms of queued jobs were done (after ${at})`);
});

test("#20 when jobs wait for a slice, then the oldest one's wait is what the backlog reads, 0 once none waits", async () => {
  let nowMs = 100;
  const slices = new WorkSlices(2, () => nowMs);
  assert.equal(slices.oldestWaitMs(), 0);
  const first = slices.run(async () => undefined);
  nowMs += 7;
  const second = slices.run(async () => undefined);
  nowMs += 5;
  assert.equal(slices.oldestWaitMs(), 12, 'the first queued, 12 ms ago');
  await Promise.all([first, second]);
  assert.equal(slices.oldestWaitMs(), 0);
});

test("#20 when fewer than a few slices' worth of jobs wait, then their wait is no backlog, however long", async () => {
  let nowMs = 0;
  const slices = new WorkSlices(2, () => nowMs);
  const jobs = Array.from({ length: backlogJobsMin - 1 }, () => slices.run(async () => undefined));
  nowMs += 500;
  assert.equal(slices.backlogMs(), 0, 'a moment without CPU, not a backlog');
  jobs.push(slices.run(async () => undefined));
  assert.equal(slices.backlogMs(), 500, `${backlogJobsMin} waiting: the oldest one's wait`);
  await Promise.all(jobs);
});
