import type { Database } from '../db/database.ts';

/** A devices row as the service reads it (the key still sealed). */
export interface DeviceRow {
  id: string;
  kind: string;
  merchantId: string | null;
  status: string;
  keyEnc: string | null;
  keyVersion: number;
  campusId: string | null;
}

/**
 * Storage of the registered devices. It stays in the measured SQL layer: the gateway reads a device
 * and its key at every sign-in, and a disable is stamped with the database clock (docs/architecture.md).
 */
export class DeviceRepository {
  constructor(private readonly db: Database) {}

  async insert(row: {
    id: string;
    kind: string;
    merchantId: string | null;
    campusId: string | null;
    keyEnc: string;
    createdAtMs: number;
  }): Promise<void> {
    await this.db.execute(
      "INSERT INTO devices (id, kind, merchant_id, campus_id, status, key_enc, key_version, created_at_ms) VALUES (?, ?, ?, ?, 'active', ?, 1, ?)",
      [row.id, row.kind, row.merchantId, row.campusId, row.keyEnc, row.createdAtMs],
    );
  }

  async find(id: string): Promise<DeviceRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT id, kind, merchant_id, status, key_enc, key_version, campus_id FROM devices WHERE id = ?',
      [id],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Every device in id order (numeric: shorter ids first), at most `limit`. */
  async list(limit: number): Promise<DeviceRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT id, kind, merchant_id, status, key_enc, key_version, campus_id FROM devices ORDER BY LENGTH(id), id LIMIT ?',
      [limit],
    );
    return rows.map(toRow);
  }

  /**
   * Sets the status and keeps the last disabled period, stamped with the database clock: the ledger
   * charges only the offline records taken before a disable (docs/ledger.md). MySQL's later assignments
   * see the earlier ones, so status is assigned last and each CASE reads the status as it was before.
   */
  async setStatus(id: string, status: 'active' | 'disabled'): Promise<void> {
    const now = this.db.nowMsSql;
    await this.db.execute(
      status === 'disabled'
        ? `UPDATE devices SET disabled_at_ms = CASE WHEN status = 'disabled' THEN disabled_at_ms ELSE ${now} END,
             reenabled_at_ms = CASE WHEN status = 'disabled' THEN reenabled_at_ms ELSE NULL END, status = 'disabled' WHERE id = ?`
        : `UPDATE devices SET reenabled_at_ms = CASE WHEN status = 'disabled' THEN ${now} ELSE reenabled_at_ms END,
             status = 'active' WHERE id = ?`,
      [id],
    );
  }

  /** Answers whether the device exists; null makes it centre-wide (docs/campuses.md). */
  async setCampus(id: string, campusId: string | null): Promise<boolean> {
    await this.db.execute('UPDATE devices SET campus_id = ? WHERE id = ?', [campusId, id]);
    return (await this.db.select('SELECT 1 AS one FROM devices WHERE id = ?', [id])).length === 1;
  }

  async replaceKey(id: string, keyEnc: string): Promise<void> {
    await this.db.execute('UPDATE devices SET key_enc = ?, key_version = key_version + 1 WHERE id = ?', [
      keyEnc,
      id,
    ]);
  }
}

function toRow(row: Record<string, unknown>): DeviceRow {
  return {
    id: String(row.id),
    kind: String(row.kind),
    merchantId: row.merchant_id === null ? null : String(row.merchant_id),
    status: String(row.status),
    keyEnc: typeof row.key_enc === 'string' ? row.key_enc : null,
    keyVersion: Number(row.key_version),
    campusId: row.campus_id === null || row.campus_id === undefined ? null : String(row.campus_id),
  };
}
