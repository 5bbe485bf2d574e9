// Access events: every identity check at a gate, door, library or school-bus reader, allowed or denied,
// decided online by the gateway or offline by the device and uploaded later. One per (device, sequence),
// so a retried check or a re-uploaded record is recorded once.

import type { AccessEventInput, AccessEventView } from '../contract/device-records.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { newId } from '../ids.ts';
import { AccessEventRepository } from './access-event-repository.ts';

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

  /** The event recorded under (device, sequence), if any. */
  under(deviceId: string, sequence: number) {
    return this.repository.under(deviceId, sequence);
  }

  /** A card's events, newest first. */
  async of(cardNo: string, limit: number, beforeAtMs?: number): Promise<AccessEventView[]> {
    return this.repository.ofCard(cardNo, limit, beforeAtMs ?? Number.MAX_SAFE_INTEGER);
  }
}
