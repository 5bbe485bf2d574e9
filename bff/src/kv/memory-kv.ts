import { EventEmitter } from 'node:events';
import { type AttemptCounter, type AttemptReservation, type Kv, lockedCount } from './kv.ts';

/** Keys kept at most, so a flood of distinct rate-limit keys cannot grow memory without bound. */
const keysMax = 1_000_000;

/** Kv for one process: the embedded default, where there is no Redis and one BFF instance. */
export class MemoryKv implements Kv {
  readonly #entries = new Map<string, { value: string; expiresAtMs: number }>();
  readonly #bus = new EventEmitter().setMaxListeners(0);
  readonly #sweeper = setInterval(() => this.#sweep(), 60_000).unref();

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.#live(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#put(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  async take(key: string): Promise<string | null> {
    const entry = this.#live(key);
    this.#entries.delete(key);
    return entry?.value ?? null;
  }

  async del(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<number> {
    const entry = this.#live(key);
    const count = entry ? Number(entry.value) + by : by;
    if (entry) entry.value = String(count);
    else this.#put(key, String(count), ttlMs);
    return count;
  }

  async reserveAttempt(counters: readonly AttemptCounter[], ttlMs: number): Promise<AttemptReservation> {
    // No await between the reads and the writes: one step of the event loop, atomic in this process.
    const current = counters.map(({ key }) => Number(this.#live(key)?.value ?? 0));
    const blocked = current.findIndex((count, i) => count >= (counters[i] as AttemptCounter).max);
    if (blocked !== -1) return { allowed: false, blocked };
    const counts = counters.map(({ key }, i) => {
      const count = (current[i] as number) + 1;
      const entry = this.#live(key);
      if (entry) entry.value = String(count);
      else this.#put(key, String(count), ttlMs);
      return count;
    });
    return { allowed: true, counts };
  }

  async failAttempt(counters: readonly AttemptCounter[]): Promise<{ locked: boolean; counts: number[] }> {
    let locked = false;
    const counts = counters.map(({ key, max }) => {
      const entry = this.#live(key);
      const count = Number(entry?.value ?? 0);
      if (entry && count >= max) {
        locked = true;
        if (count < lockedCount) entry.value = String(lockedCount);
      }
      return count;
    });
    return { locked, counts };
  }

  async releaseAttempt(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.#live(key);
      const count = Number(entry?.value ?? 0);
      if (entry && count > 0) entry.value = String(count - 1);
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered on a later tick, as Redis would, so a publisher never runs its listeners inline.
    setImmediate(() => this.#bus.emit(channel, message));
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    this.#bus.on(channel, listener);
    return async () => {
      this.#bus.off(channel, listener);
    };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#bus.removeAllListeners();
  }

  #live(key: string) {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAtMs <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #put(key: string, value: string, ttlMs?: number): void {
    if (this.#entries.size >= keysMax) this.#sweep();
    if (this.#entries.size >= keysMax) throw new Error(`more than ${keysMax} keys in the in-process kv`);
    this.#entries.set(key, {
      value,
      expiresAtMs: ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttlMs,
    });
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAtMs <= now) this.#entries.delete(key);
  }
}
