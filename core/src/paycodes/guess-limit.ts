// Failed guesses per numeric code id. A 6-digit password over five time steps is right by chance once in
// about 200,000 tries, so the core bounds the tries: each check of a code id takes a slot before its
// password is compared and gives it back when the password was right. Taking the slot first means
// guesses racing in parallel cannot get past the limit between a read and a write.

import type { Redis } from 'ioredis';
import type { ReplayGuard } from '../credential/index.ts';

export interface GuessLimit {
  /** Takes a slot for one check of `codeId`; false when the id has used up its failures for now. */
  take(codeId: number): Promise<boolean>;
  /** Gives a slot back: the password was right, so it was no guess. */
  release(codeId: number): Promise<void>;
}

export interface GuessLimitOptions {
  /** Wrong passwords per code id before its codes are refused for the rest of the window. */
  readonly failuresMax: number;
  /** The window starts with the first failure and lasts this long. */
  readonly windowMs: number;
}

export const guessLimitDefaults = {
  failuresMax: 5,
  windowMs: 15 * 60_000,
  /** Code ids the in-process limit keeps at once; past it, checks are refused (fail closed). */
  entriesMax: 100_000,
} as const;

/** One process's limit (the embedded default and tests); every core instance sharing Redis uses redisGuessLimit. */
export function createMemoryGuessLimit(
  options: GuessLimitOptions & { readonly entriesMax?: number; readonly now?: () => number },
): GuessLimit {
  const now = options.now ?? Date.now;
  const entriesMax = options.entriesMax ?? guessLimitDefaults.entriesMax;
  const slots = new Map<number, { taken: number; untilMs: number }>();
  return {
    async take(codeId) {
      const nowMs = now();
      let slot = slots.get(codeId);
      if (slot !== undefined && slot.untilMs <= nowMs) {
        slots.delete(codeId);
        slot = undefined;
      }
      if (slot === undefined) {
        if (slots.size >= entriesMax) {
          for (const [id, s] of slots) if (s.untilMs <= nowMs) slots.delete(id);
          if (slots.size >= entriesMax) return false;
        }
        slot = { taken: 0, untilMs: nowMs + options.windowMs };
        slots.set(codeId, slot);
      }
      slot.taken += 1;
      return slot.taken <= options.failuresMax;
    },
    async release(codeId) {
      const slot = slots.get(codeId);
      if (slot !== undefined && slot.taken > 0) slot.taken -= 1;
    },
  };
}

// INCR and the window's expiry in one step: a key that exists always expires.
const takeScript =
  "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
// DECR only a live key: DECR on a missing one would make a key with no expiry.
const releaseScript = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end return 0";

/** Guess counts under keyPrefix (the deployment's RedisNames.keys.payCodeGuesses). */
export function redisGuessLimit(redis: Redis, options: GuessLimitOptions, keyPrefix: string): GuessLimit {
  return {
    async take(codeId) {
      const taken = Number(await redis.eval(takeScript, 1, `${keyPrefix}${codeId}`, options.windowMs));
      return taken <= options.failuresMax;
    },
    async release(codeId) {
      await redis.eval(releaseScript, 1, `${keyPrefix}${codeId}`);
    },
  };
}

/**
 * The numeric codes' replay guard shared by every core instance: `SET key 1 NX PX ttl` is the claim, under
 * keyPrefix (the deployment's RedisNames.keys.codeReplay, which the gateways' guard shares).
 */
export function redisReplayGuard(redis: Redis, keyPrefix: string): ReplayGuard {
  return {
    async claim(key, ttlMs) {
      return (await redis.set(`${keyPrefix}${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}
