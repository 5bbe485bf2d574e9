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
  /**
   * Reserves one attempt against every counter at once, atomically (one Lua script on Redis, one
   * synchronous step in process): when each counter is below its max, counts each up (expiring ttlMs
   * after its first count) and answers allowed with the counts after; when any is at its max, counts
   * nothing and answers refused. Reserving before the guarded check is what stops a burst of
   * attempts in flight at once from all passing a read-then-increment.
   */
  reserveAttempt(counters: readonly AttemptCounter[], ttlMs: number): Promise<AttemptReservation>;
  /**
   * Settles a reserved attempt as a failure: it stays counted, and every counter now at or above its
   * max is locked until it expires (raised to lockedCount, which no release brings back under the
   * max). Answers whether any counter is locked and the counts as the failure found them.
   */
  failAttempt(counters: readonly AttemptCounter[]): Promise<{ locked: boolean; counts: number[] }>;
  /**
   * Gives back one attempt on each counter (the attempt proved right, or never reached its check).
   * It undoes only its own reservation, never resets: failures are never given back, and a locked
   * counter stays locked, so a success cannot lift a lock that the failures of its burst set.
   */
  releaseAttempt(keys: readonly string[]): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Listens to a channel until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A counter an attempt is reserved against, and how many attempts it allows in its window. */
export interface AttemptCounter {
  key: string;
  max: number;
}

export type AttemptReservation =
  | { allowed: true; counts: number[] }
  /** blocked: the index of the first counter found at its max. */
  | { allowed: false; blocked: number };

/** A locked counter's value: far above any max, so releases in flight cannot bring it back under. */
export const lockedCount = 1_000_000_000;
