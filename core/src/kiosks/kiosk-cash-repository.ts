import type { KioskCashBox, KioskCashEntry, KioskCollection } from '../contract/kiosks.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const entryColumns = 'operation_id, device_ref, card_no, amount, notes, collection_id, created_at_ms';
const collectionColumns =
  'id, device_ref, expected_amount, expected_notes, counted_amount, difference, status, collector_id, note, created_at_ms, resolved_at_ms';

function toEntry(r: Record<string, unknown>): KioskCashEntry {
  return {
    operationId: String(r.operation_id),
    deviceRef: String(r.device_ref),
    cardNo: String(r.card_no),
    amount: num(r.amount),
    notes: num(r.notes),
    collectionId: strOrNull(r.collection_id),
    createdAtMs: num(r.created_at_ms),
  };
}

function toCollection(r: Record<string, unknown>): KioskCollection {
  return {
    id: String(r.id),
    deviceRef: String(r.device_ref),
    expectedAmount: num(r.expected_amount),
    expectedNotes: num(r.expected_notes),
    countedAmount: num(r.counted_amount),
    difference: num(r.difference),
    status: String(r.status) as KioskCollection['status'],
    collectorId: String(r.collector_id),
    note: strOrNull(r.note),
    createdAtMs: num(r.created_at_ms),
    resolvedAtMs: numOrNull(r.resolved_at_ms),
  };
}

/** The kiosk cash tables (sql/071). */
export class KioskCashRepository {
  constructor(private readonly db: Database) {}

  /** Records a cash top-up once per operation id; a retry changes nothing. */
  async record(entry: Omit<KioskCashEntry, 'collectionId'>): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(
      `${ignore} INTO kiosk_cash_entries (operation_id, device_ref, card_no, amount, notes, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      [entry.operationId, entry.deviceRef, entry.cardNo, entry.amount, entry.notes, entry.createdAtMs],
    );
  }

  async entry(operationId: string): Promise<KioskCashEntry | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${entryColumns} FROM kiosk_cash_entries WHERE operation_id = ?`,
      [operationId],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async boxes(): Promise<KioskCashBox[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT d.device_ref,
              COALESCE(SUM(CASE WHEN e.collection_id IS NULL THEN e.amount ELSE 0 END), 0) AS open_amount,
              COALESCE(SUM(CASE WHEN e.collection_id IS NULL THEN e.notes ELSE 0 END), 0) AS open_notes,
              COALESCE(SUM(CASE WHEN e.collection_id IS NULL THEN 1 ELSE 0 END), 0) AS open_entries,
              (SELECT MAX(c.created_at_ms) FROM kiosk_collections c WHERE c.device_ref = d.device_ref) AS last_collected
         FROM (SELECT device_ref FROM kiosk_cash_entries UNION SELECT device_ref FROM kiosk_collections) d
         LEFT JOIN kiosk_cash_entries e ON e.device_ref = d.device_ref
        GROUP BY d.device_ref ORDER BY d.device_ref`,
    );
    return rows.map((r) => ({
      deviceRef: String(r.device_ref),
      openAmount: num(r.open_amount),
      openNotes: num(r.open_notes),
      openEntries: num(r.open_entries),
      lastCollectedAtMs: numOrNull(r.last_collected),
    }));
  }

  async collectionByRequest(requestId: string): Promise<KioskCollection | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${collectionColumns} FROM kiosk_collections WHERE request_id = ?`,
      [requestId],
    );
    return rows[0] ? toCollection(rows[0]) : undefined;
  }

  /**
   * One collection in one transaction: the row is inserted, the kiosk's open entries are claimed by
   * it (a conditional UPDATE, so two collections never claim the same note), and what they add up
   * to is compared with what was counted. Undefined when the request id was already used.
   */
  async collect(c: {
    id: string;
    deviceRef: string;
    requestId: string;
    countedAmount: number;
    collectorId: string;
    note: string | null;
    nowMs: number;
  }): Promise<KioskCollection | undefined> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.db.execute(
          `INSERT INTO kiosk_collections (id, device_ref, request_id, expected_amount, expected_notes, counted_amount, difference, status, collector_id, note, created_at_ms)
           VALUES (?, ?, ?, 0, 0, ?, 0, 'balanced', ?, ?, ?)`,
          [c.id, c.deviceRef, c.requestId, c.countedAmount, c.collectorId, c.note, c.nowMs],
          tx,
        );
        await this.db.execute(
          'UPDATE kiosk_cash_entries SET collection_id = ? WHERE device_ref = ? AND collection_id IS NULL',
          [c.id, c.deviceRef],
          tx,
        );
        const [sum] = await this.db.select<Record<string, unknown>>(
          'SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(notes), 0) AS notes FROM kiosk_cash_entries WHERE collection_id = ?',
          [c.id],
          tx,
        );
        const expected = num(sum?.amount);
        const difference = c.countedAmount - expected;
        await this.db.execute(
          'UPDATE kiosk_collections SET expected_amount = ?, expected_notes = ?, difference = ?, status = ? WHERE id = ?',
          [expected, num(sum?.notes), difference, difference === 0 ? 'balanced' : 'discrepancy', c.id],
          tx,
        );
        const [row] = await this.db.select<Record<string, unknown>>(
          `SELECT ${collectionColumns} FROM kiosk_collections WHERE id = ?`,
          [c.id],
          tx,
        );
        return toCollection(row as Record<string, unknown>);
      });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  async collections(filter: {
    status?: KioskCollection['status'];
    limit: number;
  }): Promise<KioskCollection[]> {
    // The collector's name for the list (read from the admin accounts), so nobody reads an account id.
    const columns = collectionColumns
      .split(', ')
      .map((c) => `k.${c}`)
      .join(', ');
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns}, a.display_name AS collector_name FROM kiosk_collections k
         LEFT JOIN admin_accounts a ON a.id = k.collector_id
        ${filter.status ? 'WHERE k.status = ?' : ''} ORDER BY k.created_at_ms DESC LIMIT ?`,
      filter.status ? [filter.status, filter.limit] : [filter.limit],
    );
    return rows.map((r) => ({ ...toCollection(r), collectorName: strOrNull(r.collector_name) }));
  }
}
