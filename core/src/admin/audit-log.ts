import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry, AuditEntryInput, AuditQuery, AuditVerifyReport } from '../contract/audit.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { newId } from '../ids.ts';
import { AuditRepository, type AuditRow, type AuditSearchRow } from './audit-repository.ts';

/** The prev_hash of the first row. */
export const genesisHash = '0'.repeat(64);

export type { AuditEntry, AuditEntryInput, AuditQuery, AuditVerifyReport };

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

const appendAttemptsMax = 50;
const verifyPageRows = 1000;

/**
 * The one place rows enter audit_log. Appends in this process are queued one after another; an
 * append racing another process loses on the unique seq / prev_hash index and retries on the new
 * head, so the chain never forks and no row is dropped. A loser waits a random few ms before it tries
 * again (as the ledger's batches do): without it, a process whose appends come back to back kept winning
 * every race, and the other's append failed after its last attempt (seen in CI with two writers).
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  private readonly repository: AuditRepository;

  constructor(db: Database) {
    this.repository = new AuditRepository(db);
  }

  append(input: AuditEntryInput): Promise<AuditEntry> {
    const next = this.tail.then(() => this.appendNow(input));
    this.tail = next.catch(() => {});
    return next;
  }

  private async appendNow(input: AuditEntryInput): Promise<AuditEntry> {
    const detail = input.detail === null ? null : JSON.stringify(input.detail);
    for (let attempt = 1; ; attempt++) {
      const head = await this.repository.head();
      const createdAtMs = Date.now();
      const base = {
        ...input,
        id: newId(createdAtMs),
        seq: head ? head.seq + 1 : 1,
        prevHash: head ? head.hash : genesisHash,
        createdAtMs,
      };
      const hash = entryHash({ ...base, detail });
      try {
        await this.repository.insert({
          id: base.id,
          seq: base.seq,
          actor_type: base.actorType,
          actor_id: base.actorId,
          action: base.action,
          target_type: base.targetType,
          target_id: base.targetId,
          detail,
          prev_hash: base.prevHash,
          hash,
          created_at_ms: createdAtMs,
        });
        return { ...base, hash };
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= appendAttemptsMax) throw error;
        await sleep(Math.random() * 2 * attempt);
      }
    }
  }

  /** Newest first, filtered by who (actorId), what (action), whom (target) and when. */
  async search(q: AuditQuery): Promise<AuditEntry[]> {
    const rows = await this.repository.search(q);
    return rows.map((row) => {
      const target = targetOf(row);
      return target === undefined ? toEntry(row) : { ...toEntry(row), target };
    });
  }

  /** Walks the whole chain in seq order: each row must hash to its hash and point at the one before. */
  async verify(): Promise<AuditVerifyReport> {
    let prevHash = genesisHash;
    let expectedSeq = 1;
    let rows = 0;
    for (;;) {
      const page = await this.repository.page(expectedSeq, verifyPageRows);
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
    if ((await this.repository.unchainedCount()) > 0)
      return { ok: false, rows, breakAt: { seq: expectedSeq, id: '', reason: 'rows outside the chain' } };
    return { ok: true, rows };
  }
}

/**
 * A person's name as the audit log shows it: the first character, the last of three or more, and a
 * star for each one between or after (张*, 张*丰, 欧**娜). The log is read by auditors who need to
 * tell cards apart, not to learn who holds them.
 */
export function maskedName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

/** What a searched row's target is, from the columns its search joined in. */
function targetOf(row: AuditSearchRow): AuditEntry['target'] {
  const text = (v: string | null) => (v === null ? null : String(v));
  switch (row.target_type) {
    case 'card':
      return row.card_holder === null ? undefined : { name: maskedName(String(row.card_holder)) };
    case 'device':
      return row.device_kind === null
        ? undefined
        : { name: text(row.device_merchant), deviceKind: String(row.device_kind) };
    default: {
      const name =
        row.merchant_name ??
        row.batch_title ??
        row.admin_name ??
        row.news_title ??
        row.course_title ??
        row.place_name ??
        row.campus_name;
      return name === null ? undefined : { name: String(name) };
    }
  }
}

function toEntry(row: AuditRow): AuditEntry {
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
