import type { Database } from '../db/database.ts';
import { isDuplicateKey } from '../db/database.ts';

/** A foreign card's payment as asked of its centre online (sql/210), kept from before the asking. */
export interface Ask {
  id: string;
  centreId: string;
  cardNo: string;
  merchantId: string;
  deviceId: string | null;
  amount: number;
  askedAtMs: number;
}

export type AskStatus = 'open' | 'booked' | 'reasked' | 'absent';

/** The asks journal of the device's centre (docs/federation.md § Settling an exception). */
export class AsksRepository {
  constructor(private readonly db: Database) {}

  /** Kept once per id: a retry of the same payment keeps the first ask. */
  async record(ask: Ask): Promise<void> {
    try {
      await this.db.execute(
        `INSERT INTO federation_asks (id, centre_id, card_no, merchant_id, device_id, amount, asked_at_ms, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`,
        [ask.id, ask.centreId, ask.cardNo, ask.merchantId, ask.deviceId, ask.amount, ask.askedAtMs],
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * Open asks before the time whose answer is in the ledger already (the device's own attempt or retry
   * recorded it) or that were taken under the card centre's offline policy (forwarded): booked. One
   * statement for all of them, so the ask costs the payment one insert only.
   */
  async closeAnswered(beforeMs: number, nowMs: number): Promise<number> {
    return this.db.execute(
      `UPDATE federation_asks SET status = 'booked', checked_at_ms = ?
        WHERE status = 'open' AND asked_at_ms < ?
          AND (EXISTS (SELECT 1 FROM operations o WHERE o.id = federation_asks.id)
               OR EXISTS (SELECT 1 FROM federation_forwards f WHERE f.id = federation_asks.id))`,
      [nowMs, beforeMs],
    );
  }

  /** Open asks before the time, oldest first: the answers lost and never retried. */
  async lost(beforeMs: number, limit: number): Promise<Ask[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM federation_asks WHERE status = 'open' AND asked_at_ms < ? ORDER BY asked_at_ms, id LIMIT ${Math.trunc(limit)}`,
      [beforeMs],
    );
    return rows.map((r) => ({
      id: String(r.id),
      centreId: String(r.centre_id),
      cardNo: String(r.card_no),
      merchantId: String(r.merchant_id),
      deviceId: r.device_id === null ? null : String(r.device_id),
      amount: Number(r.amount),
      askedAtMs: Number(r.asked_at_ms),
    }));
  }

  async close(id: string, status: Exclude<AskStatus, 'open'>, nowMs: number): Promise<void> {
    await this.db.execute(
      "UPDATE federation_asks SET status = ?, checked_at_ms = ? WHERE id = ? AND status = 'open'",
      [status, nowMs, id],
    );
  }

  /** The ids among these whose answer the job asked again and booked. */
  async reasked(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.select<{ id: string }>(
      `SELECT id FROM federation_asks WHERE status = 'reasked' AND id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    return new Set(rows.map((r) => String(r.id)));
  }
}
