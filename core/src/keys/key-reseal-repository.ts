import { createHash } from 'node:crypto';
import type { ResealKind } from '../contract/keys.ts';
import type { Database, Param } from '../db/database.ts';

/** A table with sealed columns, read in the order of its one-column primary key. */
export interface SealedTable {
  table: string;
  key: string;
  columns: readonly string[];
}

/**
 * Every column sealed under PII_KEY (core/src/pii.ts) or PHOTO_KEY (photo-keys.ts). A new sealed column
 * is added here, or the re-seal job leaves it under the old key and the old key can never go.
 */
export const sealedTables: Record<ResealKind, readonly SealedTable[]> = {
  pii: [
    { table: 'persons', key: 'id', columns: ['id_number_enc', 'phone_enc'] },
    { table: 'guardian_contacts', key: 'person_id', columns: ['name_enc', 'phone_enc'] },
    { table: 'visits', key: 'id', columns: ['visitor_phone_enc', 'id_tail_enc'] },
    { table: 'devices', key: 'id', columns: ['key_enc'] },
    { table: 'pay_codes', key: 'code_id', columns: ['secret_enc'] },
    { table: 'admin_accounts', key: 'id', columns: ['totp_secret_enc', 'totp_pending_enc'] },
    {
      table: 'federation_centres',
      key: 'id',
      columns: ['link_secret_enc', 'link_secret_next_enc'],
    },
  ],
  photos: [{ table: 'person_photos', key: 'id', columns: ['sealed'] }],
};

export interface ResealRun {
  kind: ResealKind;
  keyCheck: string;
  table: string;
  afterKey: string;
  rowsTotal: number;
  rowsScanned: number;
  valuesResealed: number;
  valuesUnreadable: number;
  startedAtMs: number;
  finishedAtMs: number | null;
}

/** A step's move: from where the run stood to where it stands after the step, with what it did. */
export interface ResealAdvance {
  table: string;
  afterKey: string;
  rowsScanned: number;
  valuesResealed: number;
  valuesUnreadable: number;
  finished: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The key_reseal_runs table (sql/215) and the sealed columns themselves. The one writer of other domains'
 * tables outside their repositories, and only of this: a sealed value replaced by the same plain value
 * sealed under the current key, by a conditional UPDATE that loses to any concurrent write (which seals
 * under the current key anyway).
 */
export class KeyResealRepository {
  constructor(private readonly db: Database) {}

  async run(kind: ResealKind): Promise<ResealRun | undefined> {
    const rows = await this.db.select<Record<string, string | number | null>>(
      'SELECT * FROM key_reseal_runs WHERE kind = ?',
      [kind],
    );
    const r = rows[0];
    return (
      r && {
        kind,
        keyCheck: String(r.key_check),
        table: String(r.table_name),
        afterKey: String(r.after_key),
        rowsTotal: Number(r.rows_total),
        rowsScanned: Number(r.rows_scanned),
        valuesResealed: Number(r.values_resealed),
        valuesUnreadable: Number(r.values_unreadable),
        startedAtMs: Number(r.started_at_ms),
        finishedAtMs: r.finished_at_ms === null ? null : Number(r.finished_at_ms),
      }
    );
  }

  async rowCount(t: SealedTable): Promise<number> {
    const [row] = await this.db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t.table}`);
    return Number(row?.n ?? 0);
  }

  /** Starts (or starts again) the run of this kind for the key named by keyCheck. */
  async start(kind: ResealKind, keyCheck: string, firstTable: string, rowsTotal: number, nowMs: number) {
    await this.db.transaction(async (tx) => {
      await this.db.execute('DELETE FROM key_reseal_runs WHERE kind = ?', [kind], tx);
      await this.db.execute(
        `INSERT INTO key_reseal_runs (kind, key_check, table_name, after_key, rows_total, rows_scanned,
           values_resealed, values_unreadable, started_at_ms, updated_at_ms, finished_at_ms)
         VALUES (?, ?, ?, '', ?, 0, 0, 0, ?, ?, NULL)`,
        [kind, keyCheck, firstTable, rowsTotal, nowMs, nowMs],
        tx,
      );
    });
  }

  /** Moves the run on, only from where this step found it: false when another step moved it first. */
  async advance(run: ResealRun, to: ResealAdvance, nowMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE key_reseal_runs SET table_name = ?, after_key = ?, rows_scanned = rows_scanned + ?,
         values_resealed = values_resealed + ?, values_unreadable = values_unreadable + ?,
         updated_at_ms = ?, finished_at_ms = ?
       WHERE kind = ? AND key_check = ? AND table_name = ? AND after_key = ? AND finished_at_ms IS NULL`,
      [
        to.table,
        to.afterKey,
        to.rowsScanned,
        to.valuesResealed,
        to.valuesUnreadable,
        nowMs,
        to.finished ? nowMs : null,
        run.kind,
        run.keyCheck,
        run.table,
        run.afterKey,
      ],
    );
    return changed === 1;
  }

  /** The next rows after a key, with their sealed columns (null where a row has no value). */
  async page(
    t: SealedTable,
    afterKey: string,
    limit: number,
  ): Promise<{ key: string; values: (string | null)[] }[]> {
    const rows = await this.db.select<Record<string, string | null>>(
      `SELECT ${t.key} AS k, ${t.columns.join(', ')} FROM ${t.table} WHERE ${t.key} > ? ORDER BY ${t.key} LIMIT ${Number(limit)}`,
      [afterKey],
    );
    return rows.map((r) => ({
      key: String(r.k),
      values: t.columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))),
    }));
  }

  /**
   * Replaces one sealed value if it is still the one read. A person's sealed ID number is also what the
   * kiosk ID index (sql/063) and the binding secrets (sql/003) record they were made from: moved along in
   * the same transaction, so neither takes the re-sealed number for a new one (their digests do not
   * depend on the sealing key).
   */
  async replace(t: SealedTable, key: string, column: string, was: string, now: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        `UPDATE ${t.table} SET ${column} = ? WHERE ${t.key} = ? AND ${column} = ?`,
        [now, key, was] satisfies Param[],
        tx,
      );
      if (changed === 1 && t.table === 'persons' && column === 'id_number_enc') {
        await this.db.execute(
          'UPDATE kiosk_id_index SET source_enc = ? WHERE person_id = ? AND source_enc = ?',
          [now, key, was],
          tx,
        );
        await this.db.execute(
          'UPDATE person_secrets SET sealed_digest = ? WHERE person_id = ? AND sealed_digest = ?',
          [sha256(now), key, sha256(was)],
          tx,
        );
      }
      return changed === 1;
    });
  }
}
