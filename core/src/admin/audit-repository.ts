import type { Database, Param } from '../db/database.ts';

/** An audit_log row as stored. */
export interface AuditRow {
  id: string;
  seq: number | string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  created_at_ms: number | string;
}

/** A searched row with what its target is, looked up in the same query (null where none or gone). */
export interface AuditSearchRow extends AuditRow {
  card_holder: string | null;
  merchant_name: string | null;
  device_kind: string | null;
  device_merchant: string | null;
  batch_title: string | null;
  admin_name: string | null;
  news_title: string | null;
  course_title: string | null;
  place_name: string | null;
  campus_name: string | null;
}

/** The filters of a search, as columns. */
export interface AuditFilter {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  fromMs?: number;
  toMs?: number;
  beforeSeq?: number;
  limit: number;
}

/** Storage of the audit chain (audit_log); the chain's rules live in audit-log.ts. */
export class AuditRepository {
  constructor(private readonly db: Database) {}

  /** The last row of the chain, if any. */
  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const row = (
      await this.db.select<{ seq: number | string; hash: string }>(
        'SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
      )
    )[0];
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : undefined;
  }

  /** Inserts one row; a row racing another on the same seq fails on the unique index (a duplicate key). */
  async insert(row: AuditRow): Promise<void> {
    await this.db.execute(
      `INSERT INTO audit_log (id, seq, actor_type, actor_id, action, target_type, target_id, detail, prev_hash, hash, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.seq,
        row.actor_type,
        row.actor_id,
        row.action,
        row.target_type,
        row.target_id,
        row.detail,
        row.prev_hash,
        row.hash,
        row.created_at_ms,
      ],
    );
  }

  /**
   * Newest first, each row with what its target is (a card's holder, a merchant's, a batch's, a
   * device's kind and merchant …) joined in, so a page of the audit log is one query, not one per row.
   */
  async search(q: AuditFilter): Promise<AuditSearchRow[]> {
    const where: string[] = ['a.seq IS NOT NULL'];
    const params: Param[] = [];
    const add = (clause: string, value: Param | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('a.actor_id = ?', q.actorId);
    add('a.action = ?', q.action);
    add('a.target_type = ?', q.targetType);
    add('a.target_id = ?', q.targetId);
    add('a.created_at_ms >= ?', q.fromMs);
    add('a.created_at_ms < ?', q.toMs);
    add('a.seq < ?', q.beforeSeq);
    params.push(q.limit);
    return this.db.select<AuditSearchRow>(
      `SELECT a.*, p.name AS card_holder, m.name AS merchant_name, d.kind AS device_kind,
              dm.name AS device_merchant, b.title AS batch_title, ad.display_name AS admin_name,
              n.title AS news_title, co.title AS course_title, pp.name AS place_name, ca.name AS campus_name
         FROM audit_log a
         LEFT JOIN cards c ON a.target_type = 'card' AND c.card_no = a.target_id
         LEFT JOIN persons p ON p.id = c.person_id
         LEFT JOIN merchants m ON a.target_type = 'merchant' AND m.id = a.target_id
         LEFT JOIN devices d ON a.target_type = 'device' AND d.id = a.target_id
         LEFT JOIN merchants dm ON dm.id = d.merchant_id
         LEFT JOIN subsidy_batches b ON a.target_type = 'subsidy_batch' AND b.id = a.target_id
         LEFT JOIN admin_accounts ad ON a.target_type = 'admin' AND ad.id = a.target_id
         LEFT JOIN news n ON a.target_type = 'news' AND n.id = a.target_id
         LEFT JOIN courses co ON a.target_type = 'course' AND co.id = a.target_id
         LEFT JOIN passage_places pp ON a.target_type = 'passage_place' AND pp.id = a.target_id
         LEFT JOIN campuses ca ON a.target_type = 'campus' AND ca.id = a.target_id
        WHERE ${where.join(' AND ')} ORDER BY a.seq DESC LIMIT ?`,
      params,
    );
  }

  /** Up to `rows` rows of the chain from seq on, in seq order. */
  async page(fromSeq: number, rows: number): Promise<AuditRow[]> {
    return this.db.select<AuditRow>('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?', [
      fromSeq,
      rows,
    ]);
  }

  /** Rows written without a place in the chain (none should exist). */
  async unchainedCount(): Promise<number> {
    const rows = await this.db.select<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL',
    );
    return Number(rows[0]?.n ?? 0);
  }
}
