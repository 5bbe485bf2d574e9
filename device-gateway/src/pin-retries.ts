// A code a till used for a PAY answered PIN_REQUIRED (or PIN_INVALID) stays good for one PAY_WITH_PIN from
// the same till (protocol § 7.11): the card holder types the PIN, the till sends the same code again, and
// the replay guard, which already counted the code, is not asked a second time. Kept per (device, code) for
// as long as a code could still verify, taken once (GETDEL), in Redis when there is one.

//
// The same store keeps the code of a payment the ledger refused for capacity (OVERLOADED, answered BUSY,
// protocol § 7.9) for that request's own retry — same till, same sequence — under busyRetryKey.

import type { CardCredential } from '@campus-card/core/credential';
import type { Redis } from 'ioredis';

/** A code lives 60 s plus 30 s of clock skew (docs/credential.md); the PIN retry must come within it. */
export const pinRetryMs = 90_000;

export interface PinRetries {
  keep(deviceRef: string, codeHash: string, card: CardCredential): Promise<void>;
  /** The card of a kept code, once; undefined if none is kept (or it was taken already). */
  take(deviceRef: string, codeHash: string): Promise<CardCredential | undefined>;
}

/** The key a BUSY payment's code is kept under: only the retry under the same sequence takes it. */
export function busyRetryKey(codeHash: string, sequence: number): string {
  return `${codeHash}:busy:${sequence}`;
}

/** Shared by every instance, under keyPrefix (the deployment's RedisNames.keys.pinRetry). */
export function redisPinRetries(redis: Redis, keyPrefix: string): PinRetries {
  return {
    async keep(deviceRef, codeHash, card) {
      await redis.set(`${keyPrefix}${deviceRef}:${codeHash}`, JSON.stringify(card), 'PX', pinRetryMs);
    },
    async take(deviceRef, codeHash) {
      const text = await redis.getdel(`${keyPrefix}${deviceRef}:${codeHash}`);
      return text === null ? undefined : (JSON.parse(text) as CardCredential);
    },
  };
}

/** One instance without Redis. */
export class MemoryPinRetries implements PinRetries {
  private readonly kept = new Map<string, { card: CardCredential; expiresAtMs: number }>();

  async keep(deviceRef: string, codeHash: string, card: CardCredential): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of this.kept) if (entry.expiresAtMs <= now) this.kept.delete(key);
    this.kept.set(`${deviceRef}:${codeHash}`, { card, expiresAtMs: now + pinRetryMs });
  }

  async take(deviceRef: string, codeHash: string): Promise<CardCredential | undefined> {
    const key = `${deviceRef}:${codeHash}`;
    const entry = this.kept.get(key);
    this.kept.delete(key);
    return entry !== undefined && entry.expiresAtMs > Date.now() ? entry.card : undefined;
  }
}
