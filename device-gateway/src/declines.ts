// Payments the gateway declined without reaching the ledger (a code that did not verify, a configuration
// limit, a device without a merchant), kept per (device, sequence). Protocol § 12.3: an offline record
// under the sequence of a declined request is an exception with the decline's reason, never a charge; the
// core learns of the decline from the upload, since the ledger never saw the request. Kept in Redis when
// there is one (any instance may take the upload), else in this process.

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Refusal, ScannedCode } from './protocol/index.ts';
import { answerRetentionMs } from './protocol/index.ts';

export interface Decline {
  readonly reason: Refusal;
  /** SHA-256 hex of the code's kind and text: an offline record of another code is another request. */
  readonly codeHash: string;
  readonly amountFen: number;
}

export interface DeclineLog {
  record(deviceRef: string, sequence: number, decline: Decline): Promise<void>;
  find(deviceRef: string, sequence: number): Promise<Decline | undefined>;
}

export function codeHashOf(code: ScannedCode): string {
  return createHash('sha256').update(`${code.kind}:${code.text}`).digest('hex');
}

/**
 * Shared by every instance, under keyPrefix (the deployment's RedisNames.keys.declined); each entry lives as
 * long as the answers (protocol § 10.3, 30 days).
 */
export function redisDeclineLog(
  redis: Redis,
  keyPrefix: string,
  retentionMs = answerRetentionMs,
): DeclineLog {
  return {
    async record(deviceRef, sequence, decline) {
      await redis.set(`${keyPrefix}${deviceRef}:${sequence}`, JSON.stringify(decline), 'PX', retentionMs);
    },
    async find(deviceRef, sequence) {
      const text = await redis.get(`${keyPrefix}${deviceRef}:${sequence}`);
      return text === null ? undefined : (JSON.parse(text) as Decline);
    },
  };
}

/** One instance without Redis: the newest `entriesMax` declines, oldest dropped first. */
export class MemoryDeclineLog implements DeclineLog {
  private readonly entries = new Map<string, Decline>();

  constructor(private readonly entriesMax = 100_000) {}

  async record(deviceRef: string, sequence: number, decline: Decline): Promise<void> {
    const key = `${deviceRef}:${sequence}`;
    this.entries.delete(key);
    this.entries.set(key, decline);
    if (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  async find(deviceRef: string, sequence: number): Promise<Decline | undefined> {
    return this.entries.get(`${deviceRef}:${sequence}`);
  }
}
