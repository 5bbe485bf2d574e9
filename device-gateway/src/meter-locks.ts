// One open hold per meter (protocol § 7.15, DEVICE_BUSY), across every gateway instance: a key per device
// names what holds the meter — a start under way, or the open hold. Taking it is one atomic SET NX, so two
// starts racing (on one instance or two) cannot both pass; the core's hold status says when a named hold
// has closed on its own (expiry), and the key is then taken over.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A start that never finished (a crashed instance) frees the meter after this. */
export const meterStartingMsMax = 60_000;

export type Reservation =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly holder: string; readonly holdId: string | undefined };

export interface MeterLocks {
  /** Takes the device's meter for a start; refused while another start runs or a hold is open. */
  reserve(deviceRef: string): Promise<Reservation>;
  /** The start made its hold: the meter is now held by it, for at most `ttlMs`. */
  opened(deviceRef: string, token: string, holdId: string, ttlMs: number): Promise<void>;
  /** Frees the meter if `holder` (a start's token, or `hold:<id>`) still holds it. */
  release(deviceRef: string, holder: string): Promise<void>;
}

export const holderOfHold = (holdId: string): string => `hold:${holdId}`;

function reservationOf(holder: string | null): Reservation {
  const value = holder ?? '';
  return {
    ok: false,
    holder: value,
    holdId: value.startsWith('hold:') ? value.slice('hold:'.length) : undefined,
  };
}

const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const replaceScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return nil`;

/** Shared by every instance, under keyPrefix (the deployment's RedisNames.keys.meter). */
export function redisMeterLocks(redis: Redis, keyPrefix: string): MeterLocks {
  return {
    async reserve(deviceRef) {
      const token = `start:${randomUUID()}`;
      const key = `${keyPrefix}${deviceRef}`;
      if ((await redis.set(key, token, 'PX', meterStartingMsMax, 'NX')) === 'OK') return { ok: true, token };
      return reservationOf(await redis.get(key));
    },
    async opened(deviceRef, token, holdId, ttlMs) {
      await redis.eval(replaceScript, 1, `${keyPrefix}${deviceRef}`, token, holderOfHold(holdId), ttlMs);
    },
    async release(deviceRef, holder) {
      await redis.eval(releaseScript, 1, `${keyPrefix}${deviceRef}`, holder);
    },
  };
}

/** One instance without Redis. */
export class MemoryMeterLocks implements MeterLocks {
  private readonly holders = new Map<string, { holder: string; expiresAtMs: number }>();

  async reserve(deviceRef: string): Promise<Reservation> {
    const current = this.holders.get(deviceRef);
    if (current !== undefined && current.expiresAtMs > Date.now()) return reservationOf(current.holder);
    const token = `start:${randomUUID()}`;
    this.holders.set(deviceRef, { holder: token, expiresAtMs: Date.now() + meterStartingMsMax });
    return { ok: true, token };
  }

  async opened(deviceRef: string, token: string, holdId: string, ttlMs: number): Promise<void> {
    if (this.holders.get(deviceRef)?.holder !== token) return;
    this.holders.set(deviceRef, { holder: holderOfHold(holdId), expiresAtMs: Date.now() + ttlMs });
  }

  async release(deviceRef: string, holder: string): Promise<void> {
    if (this.holders.get(deviceRef)?.holder === holder) this.holders.delete(deviceRef);
  }
}
