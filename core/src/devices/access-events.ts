// Access events: every identity check at a gate, door, library or school-bus reader, allowed or denied,
// decided online by the gateway or offline by the device and uploaded later. One per (device, sequence),
// so a retried check or a re-uploaded record is recorded once.

import { z } from 'zod';
import { cardNo, deviceRef } from '../contract/fields.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { newId } from '../ids.ts';

export const accessEventInput = z.strictObject({
  /** The device id, `-<keyVersion>` after a re-key (sequences restart with each key). */
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  /** Null when the code named no card that could be read (a forged or garbled code). */
  cardNo: cardNo.nullable(),
  direction: z.enum(['none', 'in', 'out']),
  decision: z.enum(['allow', 'deny']),
  /** The protocol's reason for a deny (CARD_LOST, CODE_EXPIRED …); null for allow. */
  reason: z
    .string()
    .regex(/^[A-Z_]{1,32}$/)
    .nullable(),
  source: z.enum(['online', 'offline']),
  occurredAtMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type AccessEventInput = z.infer<typeof accessEventInput>;

export interface AccessEventView extends AccessEventInput {
  id: string;
}

export class AccessEvents {
  constructor(private readonly db: Database) {}

  /** Records the event; answers false when this (device, sequence) was already recorded. */
  async record(e: AccessEventInput): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO access_events (id, device_id, sequence, card_no, person_no, direction, decision, reason, source, occurred_at_ms, created_at_ms)
         VALUES (?, ?, ?, ?, (SELECT p.person_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE c.card_no = ?), ?, ?, ?, ?, ?, ?)`,
        [
          newId(),
          e.deviceId,
          e.sequence,
          e.cardNo,
          e.cardNo,
          e.direction,
          e.decision,
          e.reason,
          e.source,
          e.occurredAtMs,
          Date.now(),
        ],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** A card's events, newest first. */
  async of(cardNo: string, limit: number, beforeAtMs?: number): Promise<AccessEventView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, device_id, sequence, card_no, direction, decision, reason, source, occurred_at_ms
         FROM access_events WHERE card_no = ? AND occurred_at_ms < ? ORDER BY occurred_at_ms DESC LIMIT ?`,
      [cardNo, beforeAtMs ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      deviceId: String(r.device_id),
      sequence: Number(r.sequence),
      cardNo: r.card_no === null ? null : String(r.card_no),
      direction: r.direction as AccessEventView['direction'],
      decision: r.decision as AccessEventView['decision'],
      reason: r.reason === null ? null : String(r.reason),
      source: r.source as AccessEventView['source'],
      occurredAtMs: Number(r.occurred_at_ms),
    }));
  }
}
