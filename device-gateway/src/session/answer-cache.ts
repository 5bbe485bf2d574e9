// The answer to each (device, sequence), kept gateway-wide so a device that retries a frame — on the same
// connection or after reconnecting — gets the original answer and its request runs once. A retry that
// arrives while the first is still running waits for the same answer instead of running again.

import { hash as oneShotHash } from 'node:crypto';
import type { Message } from '../protocol/index.ts';

interface Entry {
  /** Type and SHA-256 of the payload: a retry must be the same request, else SEQUENCE_CONFLICT. */
  readonly requestHash: string;
  readonly answer: Promise<Message>;
}

export type Lookup =
  | { readonly kind: 'new' }
  | { readonly kind: 'retry'; readonly answer: Promise<Message> }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'stale' };

/** The type, then the SHA-256 of the payload (one-shot: no hash object per frame). */
export function requestHash(type: number, payload: Uint8Array): string {
  return `${type}:${oneShotHash('sha256', payload, 'base64')}`;
}

export class AnswerCache {
  /** Insertion order is age order, so the oldest entry is dropped first. */
  private readonly entries = new Map<string, Entry>();
  private readonly highestSequence = new Map<string, number>();
  /** Sequences whose answer was forgotten (not executed): their retry runs again, not STALE_SEQUENCE. */
  private readonly forgotten = new Set<string>();

  constructor(private readonly entriesMax: number) {}

  lookup(deviceId: string, sequence: number, hash: string): Lookup {
    const entry = this.entries.get(`${deviceId}:${sequence}`);
    if (entry !== undefined) {
      return entry.requestHash === hash ? { kind: 'retry', answer: entry.answer } : { kind: 'conflict' };
    }
    if (this.forgotten.has(`${deviceId}:${sequence}`)) return { kind: 'new' };
    return sequence <= (this.highestSequence.get(deviceId) ?? 0) ? { kind: 'stale' } : { kind: 'new' };
  }

  remember(deviceId: string, sequence: number, hash: string, answer: Promise<Message>): void {
    const key = `${deviceId}:${sequence}`;
    this.forgotten.delete(key);
    this.entries.set(key, { requestHash: hash, answer });
    if (sequence > (this.highestSequence.get(deviceId) ?? 0)) this.highestSequence.set(deviceId, sequence);
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** An answer that must not be kept (the core was unreachable): the device's retry runs again. */
  forget(deviceId: string, sequence: number): void {
    const key = `${deviceId}:${sequence}`;
    this.entries.delete(key);
    this.forgotten.add(key);
    // Bounded like the answers: the oldest forgotten sequence goes first.
    if (this.forgotten.size > this.entriesMax) {
      const oldest = this.forgotten.values().next().value;
      if (oldest !== undefined) this.forgotten.delete(oldest);
    }
  }
}
