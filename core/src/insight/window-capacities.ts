import type { WindowCapacity, WindowCapacityBody } from '../contract/insight.ts';
import type { Database } from '../db/database.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';

/**
 * Canteen window capacities (sql/241): payments per 15 minutes a window serves, set by the card
 * centre, against which the app's canteen levels are graded. The table's SQL is here only.
 */
export class WindowCapacityRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<WindowCapacity[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT merchant_id, payments_per_15min, updated_by, updated_at_ms FROM window_capacities ORDER BY merchant_id',
    );
    return rows.map((r) => ({
      merchantId: String(r.merchant_id),
      paymentsPer15Min: Number(r.payments_per_15min),
      updatedBy: String(r.updated_by),
      updatedAtMs: Number(r.updated_at_ms),
    }));
  }

  /** Sets (or with null removes) a window's capacity; a repeat of the same value changes nothing. */
  async set(
    merchantId: string,
    paymentsPer15Min: number | null,
    updatedBy: string,
    atMs: number,
  ): Promise<void> {
    if (paymentsPer15Min === null) {
      await this.db.execute('DELETE FROM window_capacities WHERE merchant_id = ?', [merchantId]);
      return;
    }
    const changed = await this.db.execute(
      'UPDATE window_capacities SET payments_per_15min = ?, updated_by = ?, updated_at_ms = ? WHERE merchant_id = ?',
      [paymentsPer15Min, updatedBy, atMs, merchantId],
    );
    if (changed === 1) return;
    try {
      await this.db.execute(
        'INSERT INTO window_capacities (merchant_id, payments_per_15min, updated_by, updated_at_ms) VALUES (?, ?, ?, ?)',
        [merchantId, paymentsPer15Min, updatedBy, atMs],
      );
    } catch {
      // Two first settings at once: the other's row is there now; this one's value goes over it.
      await this.db.execute(
        'UPDATE window_capacities SET payments_per_15min = ?, updated_by = ?, updated_at_ms = ? WHERE merchant_id = ?',
        [paymentsPer15Min, updatedBy, atMs, merchantId],
      );
    }
  }
}

/** The capacities of canteen windows, set only on a merchant that exists. */
export class WindowCapacityService {
  constructor(
    private readonly capacities: WindowCapacityRepository,
    private readonly merchants: Pick<MerchantService, 'get'>,
  ) {}

  list(): Promise<WindowCapacity[]> {
    return this.capacities.list();
  }

  async set(merchantId: string, body: WindowCapacityBody): Promise<WindowCapacity[]> {
    await this.merchants.get(merchantId);
    await this.capacities.set(merchantId, body.paymentsPer15Min, body.updatedBy, Date.now());
    return this.capacities.list();
  }
}
