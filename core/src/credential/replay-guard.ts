// Replay protection: each code may be accepted once. The guard is injected so one device can keep it in
// memory while gateway instances share Redis (`SET key 1 NX PX ttlMs` answers exactly `claim`).

export interface ReplayGuard {
  /**
   * Marks `key` as used for `ttlMs`. Resolves true if this call was first, false if the key was already
   * claimed and has not expired. Must be atomic across everyone sharing the guard.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryReplayGuardOptions {
  /** Most keys held at once; past it, claims are refused until old keys expire (fail closed). */
  readonly entriesMax?: number;
  readonly now?: () => number;
}

export const memoryReplayGuardDefaults = { entriesMax: 100_000, now: Date.now } as const;

export interface MemoryReplayGuard extends ReplayGuard {
  readonly size: number;
  /** Claims refused because the guard was full: a sign it is undersized for the traffic. */
  readonly refusedFullCount: number;
}

/**
 * One process's replay memory. Keys sit in a Map in insertion order; since every TTL the verifier asks
 * for is short and similar, the oldest entries expire first and are swept from the front on each claim.
 * When full of live keys it refuses (a payment retried in a minute) rather than forgetting a live key
 * (a replay accepted).
 */
export function createMemoryReplayGuard(options: MemoryReplayGuardOptions = {}): MemoryReplayGuard {
  const entriesMax = options.entriesMax ?? memoryReplayGuardDefaults.entriesMax;
  const now = options.now ?? memoryReplayGuardDefaults.now;
  if (!Number.isInteger(entriesMax) || entriesMax < 1)
    throw new Error('entriesMax must be a positive integer');
  const expiresAtByKey = new Map<string, number>();
  let refusedFullCount = 0;
  // A full sweep walks every key, so under a flood it runs at most once a second.
  let fullSweepAtMs = Number.NEGATIVE_INFINITY;

  function sweep(nowMs: number): void {
    for (const [key, expiresAtMs] of expiresAtByKey) {
      if (expiresAtMs > nowMs) break;
      expiresAtByKey.delete(key);
    }
  }

  function sweepAll(nowMs: number): void {
    for (const [key, expiresAtMs] of expiresAtByKey) {
      if (expiresAtMs <= nowMs) expiresAtByKey.delete(key);
    }
  }

  return {
    async claim(key, ttlMs) {
      if (!(ttlMs > 0)) throw new Error(`replay ttl must be positive, got ${ttlMs}`);
      const nowMs = now();
      sweep(nowMs);
      const expiresAtMs = expiresAtByKey.get(key);
      if (expiresAtMs !== undefined && expiresAtMs > nowMs) return false;
      if (expiresAtMs !== undefined) expiresAtByKey.delete(key);
      if (expiresAtByKey.size >= entriesMax && nowMs - fullSweepAtMs >= 1000) {
        fullSweepAtMs = nowMs;
        sweepAll(nowMs);
      }
      if (expiresAtByKey.size >= entriesMax) {
        refusedFullCount++;
        return false;
      }
      expiresAtByKey.set(key, nowMs + ttlMs);
      return true;
    },
    get size() {
      return expiresAtByKey.size;
    },
    get refusedFullCount() {
      return refusedFullCount;
    },
  };
}
