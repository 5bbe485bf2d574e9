import { createHash } from 'node:crypto';
import { type Database, isDuplicateKey, type Param } from '../db/database.ts';
import { newId } from '../ids.ts';

/** The prev_hash of the first row. */
export const genesisHash = '0'.repeat(64);

export interface AuditEntryInput {
  actorType: 'admin' | 'system';
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** What changed; never secrets or personal data beyond the ids above. */
  detail: Record<string, unknown> | null;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
  createdAtMs: number;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  fromMs?: number;
  toMs?: number;
  beforeSeq?: number;
  limit: number;
}

export interface AuditVerifyReport {
  ok: boolean;
  rows: number;
  /** The first row that does not follow from the one before, if any. */
  breakAt?: { seq: number; id: string; reason: string };
}

interface Row {
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

/** The hash of a row: every stored field and the previous hash, in a fixed order. */
export function entryHash(e: Omit<AuditEntry, 'hash' | 'detail'> & { detail: string | null }): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        e.prevHash,
        e.seq,
        e.id,
        e.actorType,
        e.actorId,
        e.action,
        e.targetType,
        e.targetId,
        e.detail,
        e.createdAtMs,
      ]),
    )
    .digest('hex');
}

const appendAttemptsMax = 20;
const verifyPageRows = 1000;

/**
 * The one place rows enter audit_log. Appends in this process are queued one after another; an
 * append racing another process loses on the unique seq / prev_hash index and retries on the new
 * head, so the chain never forks and no row is dropped.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database) {}

  append(input: AuditEntryInput): Promise<AuditEntry> {
    const next = this.tail.then(() => this.appendNow(input));
    this.tail = next.catch(() => {});
    return next;
  }

  private async appendNow(input: AuditEntryInput): Promise<AuditEntry> {
    const detail = input.detail === null ? null : JSON.stringify(input.detail);
    for (let attempt = 1; ; attempt++) {
      const head = (
        await this.db.select<{ seq: number | string; hash: string }>(
          'SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
        )
      )[0];
      const createdAtMs = Date.now();
      const base = {
        ...input,
        id: newId(createdAtMs),
        seq: head ? Number(head.seq) + 1 : 1,
        prevHash: head ? String(head.hash) : genesisHash,
        createdAtMs,
      };
      const hash = entryHash({ ...base, detail });
      try {
        await this.db.execute(
          `INSERT INTO audit_log (id, seq, actor_type, actor_id, action, target_type, target_id, detail, prev_hash, hash, created_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            base.id,
            base.seq,
            base.actorType,
            base.actorId,
            base.action,
            base.targetType,
            base.targetId,
            detail,
            base.prevHash,
            hash,
            createdAtMs,
          ],
        );
        return { ...base, hash };
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= appendAttemptsMax) throw error;
      }
    }
  }

  /** Newest first, filtered by who (actorId), what (action), whom (target) and when. */
  async search(q: AuditQuery): Promise<AuditEntry[]> {
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
    const rows = await this.db.select<Row>(
      `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Walks the whole chain in seq order: each row must hash to its hash and point at the one before. */
  async verify(): Promise<AuditVerifyReport> {
    let prevHash = genesisHash;
    let expectedSeq = 1;
    let rows = 0;
    for (;;) {
      const page = await this.db.select<Row>('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?', [
        expectedSeq,
        verifyPageRows,
      ]);
      for (const row of page) {
        const e = toEntry(row);
        const broken = (reason: string): AuditVerifyReport => ({
          ok: false,
          rows,
          breakAt: { seq: e.seq, id: e.id, reason },
        });
        if (e.seq !== expectedSeq) return broken(`row ${expectedSeq} is missing`);
        if (e.prevHash !== prevHash) return broken('prev_hash does not name the row before');
        if (entryHash({ ...e, detail: row.detail }) !== e.hash)
          return broken('the row does not hash to its hash');
        prevHash = e.hash;
        expectedSeq += 1;
        rows += 1;
      }
      if (page.length < verifyPageRows) break;
    }
    const unordered = await this.db.select<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL',
    );
    if (Number(unordered[0]?.n ?? 0) > 0)
      return { ok: false, rows, breakAt: { seq: expectedSeq, id: '', reason: 'rows outside the chain' } };
    return { ok: true, rows };
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    id: String(row.id),
    seq: Number(row.seq),
    actorType: row.actor_type as AuditEntry['actorType'],
    actorId: row.actor_id === null ? null : String(row.actor_id),
    action: String(row.action),
    targetType: row.target_type === null ? null : String(row.target_type),
    targetId: row.target_id === null ? null : String(row.target_id),
    detail: row.detail === null ? null : (JSON.parse(String(row.detail)) as Record<string, unknown>),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
    createdAtMs: Number(row.created_at_ms),
  };
}
