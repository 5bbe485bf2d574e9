// Access events: every identity check at a gate, door, library or school-bus reader, allowed or denied,
// decided online by the gateway or offline by the device and uploaded later. One per (device, sequence),
// so a retried check or a re-uploaded record is recorded once.

import { z } from 'zod';
import { cardNo, deviceRef } from '../contract/fields.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { newId } from '../ids.ts';
import { AccessEventRepository } from './access-event-repository.ts';

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
  private readonly repository: AccessEventRepository;

  constructor(db: Database) {
    this.repository = new AccessEventRepository(db);
  }

  /** Records the event; answers false when this (device, sequence) was already recorded. */
  async record(e: AccessEventInput): Promise<boolean> {
    try {
      await this.repository.insert(newId(), e, Date.now());
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** A card's events, newest first. */
  async of(cardNo: string, limit: number, beforeAtMs?: number): Promise<AccessEventView[]> {
    return this.repository.ofCard(cardNo, limit, beforeAtMs ?? Number.MAX_SAFE_INTEGER);
  }
}
