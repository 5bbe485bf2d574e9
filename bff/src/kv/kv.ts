/**
 * The BFF's shared state: short-lived keys (sessions, rate-limit counters, lockouts) and a publish /
 * subscribe bus. Redis when several instances run; in-process for the embedded default.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip, answers in the same order. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Sets a key, expiring after ttlMs when given. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets a key only if it is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes a key and answers whether it was there (so a one-time token is consumed once). */
  take(key: string): Promise<string | null>;
  del(key: string): Promise<void>;
  /** Counts up a counter (by 1, or by) that expires ttlMs after its first count; answers the new count. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /** Listens to a channel until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
