// Kiosk sessions (protocol § 7.24): the token a kiosk names in its loads, bound to the card and to the one
// kiosk that identified it, for five minutes after its last use. With Redis every gateway instance shares
// them, so a kiosk that reconnects to another instance mid-session (or retries its identify there after
// losing the answer) goes on; without Redis they live in this instance.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How long a kiosk session lasts after the code was shown, and after each later use. */
export const kioskSessionTtlMs = 5 * 60_000;

/** How the person of a kiosk session identified: a code shown, or their ID number and the card's PIN. */
export type KioskIdentifiedBy = 'code' | 'id_number';

export interface KioskSession {
  readonly cardNo: string;
  readonly by: KioskIdentifiedBy;
}

/** The frame that opened a session: a retry of it (same device key and sequence) answers that session. */
export interface IdentifyFrame {
  readonly deviceRef: string;
  readonly sequence: number;
}

export interface KioskSessions {
  /** A new session for the card at this kiosk, remembered under the identify frame that opened it. */
  open(session: KioskSession, deviceId: number, frame: IdentifyFrame, nowMs: number): Promise<Uint8Array>;
  /** The session's card and how its person identified, for the kiosk that opened it, while it lasts (extended). */
  sessionOf(token: Uint8Array, deviceId: number, nowMs: number): Promise<KioskSession | undefined>;
  /** The token the identify frame opened, while that session lasts. */
  openedBy(frame: IdentifyFrame, deviceId: number, nowMs: number): Promise<Uint8Array | undefined>;
}

interface Stored extends KioskSession {
  readonly deviceId: number;
}

const frameKey = (frame: IdentifyFrame) => `identify:${frame.deviceRef}:${frame.sequence}`;

function isStored(value: unknown): value is Stored {
  const v = value as Partial<Stored> | null;
  return (
    typeof v?.cardNo === 'string' &&
    typeof v.deviceId === 'number' &&
    (v.by === 'code' || v.by === 'id_number')
  );
}

/**
 * Sessions in Redis under keyPrefix (the deployment's RedisNames.keys.kiosk): each a key with a TTL, extended
 * by every use; the identify frame's key beside it.
 */
export function redisKioskSessions(redis: Redis, keyPrefix: string): KioskSessions {
  const sessionKey = (token: Uint8Array) => `${keyPrefix}session:${Buffer.from(token).toString('hex')}`;
  const identifyKey = (frame: IdentifyFrame) => `${keyPrefix}${frameKey(frame)}`;
  const read = async (token: Uint8Array, deviceId: number): Promise<Stored | undefined> => {
    const text = await redis.get(sessionKey(token));
    if (text === null) return undefined;
    const stored: unknown = JSON.parse(text);
    return isStored(stored) && stored.deviceId === deviceId ? stored : undefined;
  };
  return {
    async open(session, deviceId, frame) {
      const token = randomBytes(16);
      const stored: Stored = { cardNo: session.cardNo, by: session.by, deviceId };
      await redis
        .multi()
        .set(sessionKey(token), JSON.stringify(stored), 'PX', kioskSessionTtlMs)
        .set(identifyKey(frame), Buffer.from(token).toString('hex'), 'PX', kioskSessionTtlMs)
        .exec();
      return token;
    },
    async sessionOf(token, deviceId) {
      const stored = await read(token, deviceId);
      if (!stored) return undefined;
      await redis.pexpire(sessionKey(token), kioskSessionTtlMs);
      return { cardNo: stored.cardNo, by: stored.by };
    },
    async openedBy(frame, deviceId) {
      const hex = await redis.get(identifyKey(frame));
      if (hex === null) return undefined;
      const token = Buffer.from(hex, 'hex');
      return (await read(token, deviceId)) ? token : undefined;
    },
  };
}

/** Most sessions one instance keeps without Redis; the oldest goes first beyond it. */
const sessionsMax = 10_000;

/** One instance without Redis. */
export class MemoryKioskSessions implements KioskSessions {
  private readonly byToken = new Map<string, Stored & { expiresAtMs: number }>();
  private readonly byFrame = new Map<string, string>();

  async open(session: KioskSession, deviceId: number, frame: IdentifyFrame, nowMs: number) {
    if (this.byToken.size >= sessionsMax) this.sweep(nowMs);
    if (this.byToken.size >= sessionsMax) this.byToken.delete(this.byToken.keys().next().value as string);
    const token = randomBytes(16);
    const hex = token.toString('hex');
    this.byToken.set(hex, { ...session, deviceId, expiresAtMs: nowMs + kioskSessionTtlMs });
    this.byFrame.set(frameKey(frame), hex);
    return token;
  }

  async sessionOf(token: Uint8Array, deviceId: number, nowMs: number) {
    const session = this.byToken.get(Buffer.from(token).toString('hex'));
    if (!session || session.deviceId !== deviceId || session.expiresAtMs <= nowMs) return undefined;
    session.expiresAtMs = nowMs + kioskSessionTtlMs;
    return { cardNo: session.cardNo, by: session.by };
  }

  async openedBy(frame: IdentifyFrame, deviceId: number, nowMs: number) {
    const hex = this.byFrame.get(frameKey(frame));
    const session = hex === undefined ? undefined : this.byToken.get(hex);
    if (!hex || !session || session.deviceId !== deviceId || session.expiresAtMs <= nowMs) return undefined;
    return Buffer.from(hex, 'hex');
  }

  private sweep(nowMs: number): void {
    for (const [key, s] of this.byToken) if (s.expiresAtMs <= nowMs) this.byToken.delete(key);
    for (const [key, hex] of this.byFrame) if (!this.byToken.has(hex)) this.byFrame.delete(key);
  }
}
