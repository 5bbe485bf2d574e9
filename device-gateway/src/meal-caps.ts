// A meal window's per-card cap (protocol § 7.8 `mealWindows[].perCardMaxFen`: the most one card may spend
// at this merchant within the window; 0 for no cap). Payments of one card at one merchant's tills may be in
// flight at once, at several tills and gateway instances, so each payment reserves its amount against the
// (merchant, card, local day, window) total atomically before the ledger is asked — a Lua script on Redis,
// one synchronous step in process — and is refused LIMIT_EXCEEDED when the total would pass the cap. A
// reservation is kept under the counter and the payment's operation id: a retry of the same request
// reserves nothing more, and a definite refusal by the ledger gives exactly that reservation back.

import type { Redis } from 'ioredis';

export interface MealCapReservation {
  /** The counter: merchant, card, local day and window. */
  readonly key: string;
  /** The payment's operation id (device and sequence): reserved at most once. */
  readonly operationId: string;
  readonly amountFen: number;
  readonly capFen: number;
  /** How long the counter and the reservation live: past the end of the window. */
  readonly ttlMs: number;
}

export interface MealCaps {
  /** Reserves the amount; false (nothing reserved) when the window's total would pass the cap. */
  reserve(reservation: MealCapReservation): Promise<boolean>;
  /** Gives back what this operation reserved (a definite refusal); nothing if it reserved nothing. */
  release(key: string, operationId: string): Promise<void>;
}

// KEYS[1] counter, KEYS[2] the operation's reservation; ARGV amount, cap, ttl.
const reserveScript = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total > tonumber(ARGV[2]) then
  redis.call('DECRBY', KEYS[1], ARGV[1])
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
return 1`;

const releaseScript = `
local amount = redis.call('GET', KEYS[2])
if not amount then return 0 end
redis.call('DEL', KEYS[2])
redis.call('DECRBY', KEYS[1], amount)
return 1`;

/** Shared by every instance, under prefix (the deployment's RedisNames.keys.mealCap). */
export function redisMealCaps(redis: Redis, prefix: string): MealCaps {
  return {
    async reserve(r) {
      const answer = await redis.eval(
        reserveScript,
        2,
        `${prefix}${r.key}`,
        `${prefix}${r.key}:op:${r.operationId}`,
        r.amountFen,
        r.capFen,
        r.ttlMs,
      );
      return Number(answer) === 1;
    },
    async release(key, operationId) {
      await redis.eval(releaseScript, 2, `${prefix}${key}`, `${prefix}${key}:op:${operationId}`);
    },
  };
}

/** One instance without Redis. */
export class MemoryMealCaps implements MealCaps {
  private readonly totals = new Map<string, { fen: number; expiresAtMs: number }>();
  private readonly reserved = new Map<string, { fen: number; expiresAtMs: number }>();
  private sweptAtMs = 0;

  async reserve(r: MealCapReservation): Promise<boolean> {
    const nowMs = Date.now();
    this.sweep(nowMs);
    if (this.reserved.has(`${r.key}:${r.operationId}`)) return true;
    const total = this.totals.get(r.key)?.fen ?? 0;
    if (total + r.amountFen > r.capFen) return false;
    this.totals.set(r.key, { fen: total + r.amountFen, expiresAtMs: nowMs + r.ttlMs });
    this.reserved.set(`${r.key}:${r.operationId}`, { fen: r.amountFen, expiresAtMs: nowMs + r.ttlMs });
    return true;
  }

  async release(key: string, operationId: string): Promise<void> {
    const mine = this.reserved.get(`${key}:${operationId}`);
    if (mine === undefined) return;
    this.reserved.delete(`${key}:${operationId}`);
    const total = this.totals.get(key);
    if (total !== undefined) total.fen -= mine.fen;
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.sweptAtMs < 60_000) return;
    this.sweptAtMs = nowMs;
    for (const map of [this.totals, this.reserved])
      for (const [key, entry] of map) if (entry.expiresAtMs <= nowMs) map.delete(key);
  }
}
