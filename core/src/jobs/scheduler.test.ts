import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { redisJobLock, schedule } from './scheduler.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A logger whose lines the test reads. */
function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** A promise the test resolves when it wants a run to end. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('jobs: the scheduler', () => {
  let redis: Redis;
  const prefix = `test-job-lock:${randomUUID()}:`;
  before(() => {
    redis = new Redis(redisUrl);
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  test('when a run is still under way, then a tick or runNow in the same process does not start a second one', async () => {
    // Goal: the overlap guard holds for the clock's ticks and for runNow alike.
    const { log } = capturingLog();
    const release = gate();
    let running = 0;
    let runningMax = 0;
    let runs = 0;
    const job = schedule({
      name: 'overlap',
      everyMs: 1_000,
      log,
      run: async () => {
        runs++;
        running++;
        runningMax = Math.max(runningMax, running);
        await release.opened;
        running--;
      },
    });
    const first = job.runNow();
    assert.equal(await job.runNow(), false);
    // Ticks come every second while the first run waits.
    await sleep(2_300);
    release.open();
    assert.equal(await first, true);
    assert.equal(runs, 1);
    assert.equal(runningMax, 1);
    assert.equal(await job.runNow(), true);
    assert.equal(runs, 2);
    await job.stop();
  });

  test('when two schedulers share Redis, then each tick runs the job once among them', async () => {
    // Goal: two instances ticking every second run the job once per second, not twice.
    const { log } = capturingLog();
    const runSeconds: number[] = [];
    const make = () =>
      schedule({
        name: 'shared',
        cron: '* * * * * *',
        log,
        lock: redisJobLock(redis, prefix),
        run: async () => {
          runSeconds.push(Math.floor(Date.now() / 1_000));
          await sleep(20);
        },
      });
    const a = make();
    const b = make();
    await sleep(3_500);
    await Promise.all([a.stop(), b.stop()]);
    // 3.5 s hold at most 4 whole-second ticks; both instances running each would make 6 to 8 runs.
    assert.ok(
      runSeconds.length >= 2 && runSeconds.length <= 4,
      `ran ${runSeconds.length} times: ${runSeconds}`,
    );
  });

  test("when a holder crashes while holding a job's lock, then the lock expires and another instance runs the job", async () => {
    // Goal: a lock never released (its process died) frees itself after its ttl.
    const { log } = capturingLog();
    const lock = redisJobLock(redis, prefix);
    const crashed = await lock.acquire('crash', 400);
    assert.ok(crashed);
    let runs = 0;
    const job = schedule({
      name: 'crash',
      everyMs: 60_000,
      log,
      lock,
      run: async () => {
        runs++;
      },
    });
    assert.equal(await job.runNow(), false);
    assert.equal(runs, 0);
    await sleep(500);
    assert.equal(await job.runNow(), true);
    assert.equal(runs, 1);
    // The run let go of its own lock; the crashed holder's token no longer frees anything.
    assert.equal(await redis.exists(`${prefix}crash`), 0);
    const mine = await lock.acquire('crash', 10_000);
    await lock.release('crash', crashed, 0);
    assert.equal(await redis.get(`${prefix}crash`), mine);
    await job.stop();
  });

  test('when a run outlives the lock ttl, then the lock is renewed and no other instance starts the job', async () => {
    // Goal: a long run keeps its lock alive; a second instance is refused all the while.
    const { log } = capturingLog();
    const release = gate();
    const make = () =>
      schedule({
        name: 'long',
        everyMs: 60_000,
        log,
        lock: redisJobLock(redis, prefix),
        lockTtlMs: 1_500,
        run: () => release.opened,
      });
    const a = make();
    const b = make();
    const first = a.runNow();
    // Three lock lives: renewed every 500 ms, the lock would be lost only to an event loop held 1 s.
    await sleep(4_500);
    assert.equal(await b.runNow(), false);
    release.open();
    assert.equal(await first, true);
    await Promise.all([a.stop(), b.stop()]);
  });

  test('when a run fails, then the error is logged once with the job name and no message, and the next run goes on', async () => {
    // Goal: errors are logged by the scheduler, by name and kind only (messages may carry personal data).
    const { log, lines } = capturingLog();
    let runs = 0;
    const job = schedule({
      name: 'failing',
      everyMs: 60_000,
      log,
      run: async () => {
        runs++;
        if (runs === 1) throw new TypeError('card 20240001 of 张三 is broken');
      },
    });
    assert.equal(await job.runNow(), true);
    assert.equal(await job.runNow(), true);
    assert.equal(runs, 2);
    const failed = lines.filter((l) => l.msg === 'job failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.job, 'failing');
    assert.equal(failed[0]?.err, 'TypeError');
    assert.doesNotMatch(JSON.stringify(lines), /20240001|张三/);
    await job.stop();
  });

  test('when Redis cannot be reached for the lock, then the job still runs and the outage is logged', async () => {
    // Goal: the lock saves duplicate work; a Redis outage must not stop holds from expiring or crash the process.
    const { log, lines } = capturingLog();
    let runs = 0;
    const job = schedule({
      name: 'no-redis',
      everyMs: 1_000,
      log,
      lock: {
        acquire: () => Promise.reject(new Error('connect ECONNREFUSED')),
        renew: () => Promise.reject(new Error('unreachable')),
        release: () => Promise.reject(new Error('unreachable')),
      },
      run: async () => {
        runs++;
      },
    });
    assert.equal(await job.runNow(), true);
    await sleep(2_200);
    await job.stop();
    assert.ok(runs >= 2, `ran ${runs} times`);
    assert.ok(
      lines.some((l) => l.msg === 'job lock unavailable; running without it' && l.job === 'no-redis'),
    );
    assert.equal(
      lines.filter((l) => l.msg === 'job lock release failed').length,
      0,
      'no lock taken, none let go',
    );
  });

  test('when a job is stopped, then no tick runs it and runNow refuses', async () => {
    // Goal: stop() ends the schedule for good.
    const { log } = capturingLog();
    let runs = 0;
    const job = schedule({
      name: 'stopped',
      cron: '* * * * * *',
      log,
      run: async () => {
        runs++;
      },
    });
    await sleep(1_200);
    const before = runs;
    assert.ok(before >= 1);
    await job.stop();
    await sleep(1_200);
    assert.equal(runs, before);
    assert.equal(await job.runNow(), false);
  });

  test('when an interval is not a whole number of seconds, then scheduling fails with a clear error', () => {
    // Goal: croner counts seconds; 100 ms is refused at start rather than silently rounded.
    const { log } = capturingLog();
    assert.throws(() => schedule({ name: 'bad', everyMs: 100, log, run: async () => {} }), RangeError);
    assert.throws(() => schedule({ name: 'bad', everyMs: 1_500, log, run: async () => {} }), RangeError);
  });

  test('when an interval job is scheduled, then its first tick waits a whole interval', async () => {
    // Goal: as a plain interval timer, a job every 2 s does not run at once on start.
    const { log } = capturingLog();
    const runs: number[] = [];
    const startedMs = Date.now();
    const job = schedule({
      name: 'first',
      everyMs: 2_000,
      log,
      run: async () => {
        runs.push(Date.now() - startedMs);
      },
    });
    await sleep(1_400);
    assert.equal(runs.length, 0);
    await sleep(2_000);
    assert.equal(runs.length, 1);
    assert.ok((runs[0] ?? 0) >= 1_500, `first run after ${runs[0]} ms`);
    await job.stop();
  });
});
