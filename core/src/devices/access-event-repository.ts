import type { AccessEventInput, AccessEventView } from '../contract/device-records.ts';
import type { Database } from '../db/database.ts';

/** Storage of access events; one row per (device, sequence), enforced by the unique index. */
export class AccessEventRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the event with the card holder's person number; a repeated (device, sequence) fails as a duplicate key. */
  async insert(id: string, e: AccessEventInput, createdAtMs: number): Promise<void> {
    await this.db.execute(
      `INSERT INTO access_events (id, device_id, sequence, card_no, person_no, direction, decision, reason, source, occurred_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, (SELECT p.person_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE c.card_no = ?), ?, ?, ?, ?, ?, ?)`,
      [
        id,
        e.deviceId,
        e.sequence,
        e.cardNo,
        e.cardNo,
        e.direction,
        e.decision,
        e.reason,
        e.source,
        e.occurredAtMs,
        createdAtMs,
      ],
    );
  }

  /** The event recorded under a device's (device, sequence), if any: the first answer of a retried check. */
  async under(
    deviceId: string,
    sequence: number,
  ): Promise<{ cardNo: string | null; decision: string; reason: string | null; source: string } | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT card_no, decision, reason, source FROM access_events WHERE device_id = ? AND sequence = ?',
      [deviceId, sequence],
    );
    const r = rows[0];
    return (
      r && {
        cardNo: r.card_no === null ? null : String(r.card_no),
        decision: String(r.decision),
        reason: r.reason === null ? null : String(r.reason),
        source: String(r.source),
      }
    );
  }

  /** A card's events before an instant, newest first. */
  async ofCard(cardNo: string, limit: number, beforeAtMs: number): Promise<AccessEventView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, device_id, sequence, card_no, direction, decision, reason, source, occurred_at_ms
         FROM access_events WHERE card_no = ? AND occurred_at_ms < ? ORDER BY occurred_at_ms DESC LIMIT ?`,
      [cardNo, beforeAtMs, limit],
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
