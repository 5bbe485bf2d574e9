import type { Database, Param } from '../db/database.ts';

export type SyncKind = 'incremental' | 'full';
export type SyncTrigger = 'schedule' | 'admin' | 'system';

export interface SyncCounts {
  created: number;
  updated: number;
  cancelled: number;
  invalid: number;
  roster: number;
}

export interface SyncRun {
  id: string;
  kind: SyncKind;
  status: 'running' | 'succeeded' | 'failed';
  trigger: SyncTrigger;
  actorId: string | null;
  phase: string | null;
  rowsRead: number;
  rowsTotal: number;
  counts: SyncCounts;
  failure: string | null;
  startedAtMs: number;
  heartbeatAtMs: number;
  finishedAtMs: number | null;
}

export interface SyncRunError {
  seq: number;
  stream: string;
  sourceRowId: string | null;
  personNo: string | null;
  code: string;
  reason: string;
}

/** The sync's run bookkeeping: sync_runs, sync_run_errors, the one-run lock and the per-stream watermarks. */
export class SyncRunRepository {
  constructor(protected readonly db: Database) {}

  // ---- Runs and the lock -----------------------------------------------------------------

  /**
   * Takes the lock for a new run in one conditional UPDATE: free, or held by a run whose heartbeat
   * is older than staleMs (its process died). Answers the abandoned run's id when it took one over.
   */
  async acquire(
    runId: string,
    nowMs: number,
    staleMs: number,
  ): Promise<{ taken: boolean; abandoned: string | null }> {
    const [lock] = await this.db.select<{ run_id: string | null; heartbeat_at_ms: number }>(
      "SELECT run_id, heartbeat_at_ms FROM sync_lock WHERE name = 'identity'",
    );
    if (!lock) throw new Error('the sync_lock row is missing; run the migrations');
    const held = lock.run_id;
    if (held !== null && Number(lock.heartbeat_at_ms) >= nowMs - staleMs)
      return { taken: false, abandoned: null };
    const taken = await this.db.execute(
      `UPDATE sync_lock SET run_id = ?, heartbeat_at_ms = ? WHERE name = 'identity' AND ${held === null ? 'run_id IS NULL' : 'run_id = ?'} AND heartbeat_at_ms = ?`,
      held === null
        ? [runId, nowMs, Number(lock.heartbeat_at_ms)]
        : [runId, nowMs, held, Number(lock.heartbeat_at_ms)],
    );
    if (taken !== 1) return { taken: false, abandoned: null };
    if (held !== null) {
      await this.db.execute(
        "UPDATE sync_runs SET status = 'failed', failure = ?, finished_at_ms = ? WHERE id = ? AND status = 'running'",
        ['abandoned: its process stopped sending heartbeats', nowMs, held],
      );
    }
    return { taken: true, abandoned: held };
  }

  async release(runId: string): Promise<void> {
    await this.db.execute("UPDATE sync_lock SET run_id = NULL WHERE name = 'identity' AND run_id = ?", [
      runId,
    ]);
  }

  async createRun(run: {
    id: string;
    kind: SyncKind;
    trigger: SyncTrigger;
    actorId: string | null;
    nowMs: number;
  }): Promise<void> {
    await this.db.execute(
      `INSERT INTO sync_runs (id, kind, status, trigger_type, actor_id, phase, started_at_ms, heartbeat_at_ms)
       VALUES (?, ?, 'running', ?, ?, 'starting', ?, ?)`,
      [run.id, run.kind, run.trigger, run.actorId, run.nowMs, run.nowMs],
    );
  }

  /** Progress after each page; also the lock's heartbeat. */
  async progress(
    runId: string,
    p: { phase: string; rowsRead: number; rowsTotal: number; counts: SyncCounts },
  ): Promise<void> {
    const now = Date.now();
    await this.db.run([
      {
        sql: `UPDATE sync_runs SET phase = ?, rows_read = ?, rows_total = ?, created_count = ?, updated_count = ?,
                     cancelled_count = ?, invalid_count = ?, roster_count = ?, heartbeat_at_ms = ? WHERE id = ?`,
        params: [
          p.phase,
          p.rowsRead,
          p.rowsTotal,
          p.counts.created,
          p.counts.updated,
          p.counts.cancelled,
          p.counts.invalid,
          p.counts.roster,
          now,
          runId,
        ],
      },
      {
        sql: "UPDATE sync_lock SET heartbeat_at_ms = ? WHERE name = 'identity' AND run_id = ?",
        params: [now, runId],
      },
    ]);
  }

  async finishRun(runId: string, status: 'succeeded' | 'failed', failure: string | null): Promise<void> {
    await this.db.execute(
      "UPDATE sync_runs SET status = ?, phase = 'done', failure = ?, finished_at_ms = ? WHERE id = ? AND status = 'running'",
      [status, failure?.slice(0, 255) ?? null, Date.now(), runId],
    );
  }

  async addErrors(
    runId: string,
    firstSeq: number,
    errors: readonly Omit<SyncRunError, 'seq'>[],
  ): Promise<void> {
    if (errors.length === 0) return;
    const params: Param[] = [];
    for (const [i, e] of errors.entries()) {
      params.push(runId, firstSeq + i, e.stream, e.sourceRowId, e.personNo, e.code, e.reason.slice(0, 255));
    }
    await this.db.execute(
      `INSERT INTO sync_run_errors (run_id, seq, stream, source_row_id, person_no, code, reason) VALUES ${errors.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
  }

  async run(id: string): Promise<SyncRun | undefined> {
    const rows = await this.db.select<Record<string, unknown>>('SELECT * FROM sync_runs WHERE id = ?', [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** Newest first; `beforeId` pages back (run ids sort by start time). */
  async runs(limit: number, beforeId?: string): Promise<SyncRun[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT * FROM sync_runs ${beforeId ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`,
      beforeId ? [beforeId, limit] : [limit],
    );
    return rows.map(toRun);
  }

  async lastFinished(kind: SyncKind): Promise<number | null> {
    const rows = await this.db.select<{ at: number | null }>(
      "SELECT MAX(finished_at_ms) AS at FROM sync_runs WHERE kind = ? AND status = 'succeeded'",
      [kind],
    );
    return rows[0]?.at == null ? null : Number(rows[0].at);
  }

  async errors(runId: string, limit: number, afterSeq: number): Promise<SyncRunError[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT seq, stream, source_row_id, person_no, code, reason FROM sync_run_errors WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [runId, afterSeq, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      stream: String(r.stream),
      sourceRowId: r.source_row_id == null ? null : String(r.source_row_id),
      personNo: r.person_no == null ? null : String(r.person_no),
      code: String(r.code),
      reason: String(r.reason),
    }));
  }

  // ---- Watermarks ------------------------------------------------------------------------

  /** The last (updated_at, id) applied of a source table; (0, 0) before the first run. */
  async watermark(stream: string): Promise<{ afterMs: number; afterId: number }> {
    const rows = await this.db.select<{ watermark_ms: number; watermark_row_id: number }>(
      'SELECT watermark_ms, watermark_row_id FROM sync_watermarks WHERE stream = ?',
      [stream],
    );
    const row = rows[0];
    return row
      ? { afterMs: Number(row.watermark_ms), afterId: Number(row.watermark_row_id) }
      : { afterMs: 0, afterId: 0 };
  }

  /** Moves a watermark forward only: a slower run can never move it back. */
  async advanceWatermark(stream: string, mark: { afterMs: number; afterId: number }): Promise<void> {
    const now = Date.now();
    const changed = await this.db.execute(
      `UPDATE sync_watermarks SET watermark_ms = ?, watermark_row_id = ?, updated_at_ms = ?
        WHERE stream = ? AND (watermark_ms < ? OR (watermark_ms = ? AND watermark_row_id < ?))`,
      [mark.afterMs, mark.afterId, now, stream, mark.afterMs, mark.afterMs, mark.afterId],
    );
    if (changed === 0) {
      await this.db.execute(
        `INSERT INTO sync_watermarks (stream, watermark_ms, watermark_row_id, updated_at_ms) SELECT ?, ?, ?, ? ${this.db.dialect === 'mysql' ? 'FROM DUAL' : ''}
          WHERE NOT EXISTS (SELECT 1 FROM sync_watermarks WHERE stream = ?)`,
        [stream, mark.afterMs, mark.afterId, now, stream],
      );
    }
  }
}

function toRun(r: Record<string, unknown>): SyncRun {
  return {
    id: String(r.id),
    kind: r.kind as SyncKind,
    status: r.status as SyncRun['status'],
    trigger: r.trigger_type as SyncTrigger,
    actorId: r.actor_id == null ? null : String(r.actor_id),
    phase: r.phase == null ? null : String(r.phase),
    rowsRead: Number(r.rows_read),
    rowsTotal: Number(r.rows_total),
    counts: {
      created: Number(r.created_count),
      updated: Number(r.updated_count),
      cancelled: Number(r.cancelled_count),
      invalid: Number(r.invalid_count),
      roster: Number(r.roster_count),
    },
    failure: r.failure == null ? null : String(r.failure),
    startedAtMs: Number(r.started_at_ms),
    heartbeatAtMs: Number(r.heartbeat_at_ms),
    finishedAtMs: r.finished_at_ms == null ? null : Number(r.finished_at_ms),
  };
}
