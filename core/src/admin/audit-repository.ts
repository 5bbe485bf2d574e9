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

  /** Newest first. */
  async search(q: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = ['seq IS NOT NULL'];
    const params: Param[] = [];
    const add = (clause: string, value: Param | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('actor_id = ?', q.actorId);
    add('action = ?', q.action);
    add('target_type = ?', q.targetType);
    add('target_id = ?', q.targetId);
    add('created_at_ms >= ?', q.fromMs);
    add('created_at_ms < ?', q.toMs);
    add('seq < ?', q.beforeSeq);
    params.push(q.limit);
    return this.db.select<AuditRow>(
      `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
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
