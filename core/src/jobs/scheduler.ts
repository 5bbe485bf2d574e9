import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * The one scheduler for periodic jobs (hold sweep, news announcements, identity sync, monthly
 * statements, blacklist expiry, top-up polling). croner keeps the clock and the overlap guard
 * (`protect`); this module adds what every job needs on top: a name in its log lines, `runNow()`
 * for tests and the backoffice, `stop()`, and, where several instances run, a lock in Redis so
 * one instance runs each tick.
 *
 * Connection-level timers (socket pingers, heartbeats, flushes of one process's buffers) are not
 * jobs and stay plain timers: each instance must run its own.
 */

/** A lock several instances share, so one of them runs a job's tick (see redisJobLock). */
export interface JobLock {
  /** Takes the lock for ttlMs; answers this holder's token, or null when another holds it. */
  acquire(name: string, ttlMs: number): Promise<string | null>;
  /** Extends the lock while the run goes on; false when this token no longer holds it. */
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Lets go of the lock if this token still holds it: at once (keepMs 0), or after keepMs, so an
   * instance whose timer fires a little later in the same tick finds it still taken.
   */
  release(name: string, token: string, keepMs: number): Promise<void>;
}

export interface JobOptions {
  /** Names the job in log lines and its lock key. */
  name: string;
  /** Every so many ms, a whole number of seconds (croner counts seconds). */
  everyMs?: number;
  /** Or a croner pattern (seconds first allowed), read in Asia/Shanghai. */
  cron?: string;
  run: () => Promise<unknown>;
  log: Logger;
  /** Set where several instances run and one of them must run each tick. */
  lock?: JobLock;
  /** Also runs once when scheduled, not only at the first tick. */
  runAtStart?: boolean;
  /** How long a lock lives without renewal: a crashed holder's lock frees itself after this. */
  lockTtlMs?: number;
}

export interface Job {
  readonly name: string;
  /**
   * Runs the job now, unless a run is under way in this process or another instance holds the
   * lock; true when this call ran it (a failed run counts as ran: its error is logged).
   */
  runNow(): Promise<boolean>;
  /** Stops the ticks; answers once a run in flight has finished. */
  stop(): Promise<void>;
}

const lockTtlMsDefault = 30_000;
/** A tick's lock is let go this much before the next tick, so that tick finds it free. */
const lockGapMsMax = 250;

export function schedule(options: JobOptions): Job {
  const { name, log, lock } = options;
  const pattern = options.cron ?? intervalPattern(options.everyMs);
  const lockTtlMs = options.lockTtlMs ?? lockTtlMsDefault;
  let current: Promise<boolean> | undefined;
  let stopped = false;

  /**
   * This run's lock token; null when another instance holds the lock; undefined when there is no
   * lock or Redis cannot be reached. Then the job runs anyway: every job is safe to run twice, and a
   * Redis outage must not stop holds from expiring.
   */
  const take = async (): Promise<string | null | undefined> => {
    if (!lock) return undefined;
    try {
      return await lock.acquire(name, lockTtlMs);
    } catch (error) {
      log.warn({ job: name, err: errorName(error) }, 'job lock unavailable; running without it');
      return undefined;
    }
  };

  const attempt = (keepMs: () => number): Promise<boolean> => {
    if (current) return Promise.resolve(false);
    const run = (async () => {
      const token = await take();
      if (token === null) return false;
      const held = lock && token !== undefined ? { lock, token } : undefined;
      const renewal = held
        ? setInterval(() => {
            held.lock.renew(name, held.token, lockTtlMs).then(
              (still) => still || log.warn({ job: name }, 'job lock lost while running'),
              (error: unknown) => log.warn({ job: name, err: errorName(error) }, 'job lock renewal failed'),
            );
          }, lockTtlMs / 3).unref()
        : undefined;
      try {
        await options.run();
      } catch (error) {
        // Logged here, once, by name and kind only: messages may carry card numbers or names.
        log.error({ job: name, err: errorName(error) }, 'job failed');
      } finally {
        clearInterval(renewal);
        await held?.lock
          .release(name, held.token, keepMs())
          .catch((error: unknown) =>
            log.warn({ job: name, err: errorName(error) }, 'job lock release failed'),
          );
      }
      return true;
    })();
    current = run;
    return run.finally(() => {
      current = undefined;
    });
  };

  // croner's interval mode ticks at the next whole second, then every everyMs: the first run waits
  // a whole interval, as a plain interval timer's would.
  const firstAtMs = options.cron === undefined ? Date.now() + (options.everyMs as number) - 500 : 0;
  const cron: Cron = new Cron(
    pattern,
    {
      timezone: 'Asia/Shanghai',
      interval: options.cron === undefined ? (options.everyMs as number) / 1_000 : 0,
      protect: true,
      unref: true,
    },
    async () => {
      if (Date.now() < firstAtMs) return;
      // A tick keeps its lock until just before the next tick, so every instance skips this one.
      await attempt(() => {
        const next = cron.nextRun(cron.currentRun());
        return next ? Math.max(0, next.getTime() - Date.now() - lockGapMsMax) : 0;
      });
    },
  );
  if (options.runAtStart) void attempt(() => 0);

  return {
    name,
    runNow: () => (stopped ? Promise.resolve(false) : attempt(() => 0)),
    async stop() {
      stopped = true;
      cron.stop();
      await current;
    },
  };
}

/** Every second, at most once per interval (croner's `interval` counts whole seconds). */
function intervalPattern(everyMs: number | undefined): string {
  if (everyMs === undefined || !Number.isInteger(everyMs) || everyMs < 1_000 || everyMs % 1_000 !== 0)
    throw new RangeError(`job interval must be a whole number of seconds in ms, got ${everyMs}`);
  return '* * * * * *';
}

/** Deletes or shortens the key only while it still holds this token: a lock taken since is left alone. */
const releaseScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])`;

/** Extends the key's life only while it still holds this token. */
const renewScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

/**
 * Job locks in Redis, shared by every instance on one Redis: SET NX PX with a random token, renewed
 * and released by compare-and-set scripts, so a holder never frees a lock another has taken since
 * its own expired. A crashed holder's lock lapses after its ttl.
 */
export function redisJobLock(redis: Redis, prefix = 'job-lock:'): JobLock {
  return {
    async acquire(name, ttlMs) {
      const token = randomUUID();
      return (await redis.set(prefix + name, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
    },
    async renew(name, token, ttlMs) {
      return Number(await redis.eval(renewScript, 1, prefix + name, token, ttlMs)) === 1;
    },
    async release(name, token, keepMs) {
      await redis.eval(releaseScript, 1, prefix + name, token, Math.round(keepMs));
    },
  };
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
