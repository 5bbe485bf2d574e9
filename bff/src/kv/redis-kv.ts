import { createRedis } from '@campus-card/core/redis';
import type { Redis } from 'ioredis';
import { type AttemptCounter, type AttemptReservation, type Kv, lockedCount } from './kv.ts';

/** INCR and, on the first count, PEXPIRE, as one atomic step (no counter left without expiry). */
const incrementScript = `
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** GET and DEL as one atomic step: a one-time token is consumed by exactly one caller. */
const takeScript = `
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v`;

/**
 * Reserves an attempt against every counter (KEYS) at once: if one is at its max (ARGV[1+i]), counts
 * nothing and answers -i; otherwise INCRs each (PEXPIRE ARGV[1] on a first count) and answers the
 * counts. One script, so no other attempt runs between the checks and the counts.
 */
const reserveScript = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i + 1]) then return -i end
end
local counts = {}
for i = 1, #KEYS do
  counts[i] = redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) == -1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return counts`;

/**
 * Settles a failure: each live counter (KEYS) at or above its max (ARGV[i]) is raised to the locked
 * count (ARGV[#KEYS + 1]) by INCRBY, which keeps its expiry. Answers the counts found, then 1 if locked.
 */
const failScript = `
local floor = tonumber(ARGV[#KEYS + 1])
local answer = {}
local locked = 0
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  answer[i] = n
  if n > 0 and n >= tonumber(ARGV[i]) then
    locked = 1
    if n < floor then redis.call('INCRBY', KEYS[i], floor - n) end
  end
end
answer[#KEYS + 1] = locked
return answer`;

/** Gives back one attempt per key, only on a live key above 0 (DECR on a missing key would leave one without expiry). */
const releaseScript = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0`;

/** Kv on Redis, shared by every BFF instance; keys and channels carry the deployment's prefix. */
export class RedisKv implements Kv {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();

  constructor(url: string, prefix: string) {
    this.#prefix = prefix;
    const options = { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false };
    this.#commands = createRedis(url, options);
    this.#subscriber = createRedis(url, { ...options, enableAutoPipelining: false });
    // A lost connection fails the commands in flight, and their callers answer; ioredis reconnects
    // (with Sentinel, to the promoted master) without printing every retry.
    this.#commands.on('error', () => {});
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#listeners.get(channel) ?? []) listener(message);
    });
  }

  async get(key: string): Promise<string | null> {
    return this.#commands.get(this.#prefix + key);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? [] : this.#commands.mget(keys.map((key) => this.#prefix + key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.#commands.set(this.#prefix + key, value);
    else await this.#commands.set(this.#prefix + key, value, 'PX', ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.#commands.set(this.#prefix + key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return (await this.#commands.eval(takeScript, 1, this.#prefix + key)) as string | null;
  }

  async del(key: string): Promise<void> {
    await this.#commands.del(this.#prefix + key);
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<number> {
    return Number(await this.#commands.eval(incrementScript, 1, this.#prefix + key, ttlMs, by));
  }

  async reserveAttempt(counters: readonly AttemptCounter[], ttlMs: number): Promise<AttemptReservation> {
    const answer = (await this.#commands.eval(
      reserveScript,
      counters.length,
      ...counters.map(({ key }) => this.#prefix + key),
      ttlMs,
      ...counters.map(({ max }) => max),
    )) as number | number[];
    if (typeof answer === 'number') return { allowed: false, blocked: -answer - 1 };
    return { allowed: true, counts: answer.map(Number) };
  }

  async failAttempt(counters: readonly AttemptCounter[]): Promise<{ locked: boolean; counts: number[] }> {
    const answer = (await this.#commands.eval(
      failScript,
      counters.length,
      ...counters.map(({ key }) => this.#prefix + key),
      ...counters.map(({ max }) => max),
      lockedCount,
    )) as number[];
    return { locked: answer.at(-1) === 1, counts: answer.slice(0, -1).map(Number) };
  }

  async releaseAttempt(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#commands.eval(releaseScript, keys.length, ...keys.map((key) => this.#prefix + key));
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#commands.publish(this.#prefix + channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    const name = this.#prefix + channel;
    let listeners = this.#listeners.get(name);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(name, listeners);
      await this.#subscriber.subscribe(name);
    }
    listeners.add(listener);
    return async () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(name) === listeners) {
        this.#listeners.delete(name);
        await this.#subscriber.unsubscribe(name);
      }
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#commands.quit(), this.#subscriber.quit()]);
  }
}
