import { openingStatements } from '../cards/card-opening.ts';
import { personWrites } from '../cards/person-writes.ts';
import type { Database, Param, Statement, Tx } from '../db/database.ts';
import { attendanceWrites } from '../devices/attendance-writes.ts';
import { type NewRefundEntry, RefundRepository } from '../refunds/refund-repository.ts';
import type { PersonStatus, ValidPerson } from './person-rows.ts';

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

/** What the core holds for one person number. */
export interface PersonState {
  personNo: string;
  personId: string;
  personStatus: PersonStatus;
  cardNo: string | null;
  cardStatus: string | null;
  /** Null when the person was opened by hand and the sync has not adopted them yet. */
  source: 'academic' | 'hr' | null;
  digest: string | null;
}

/** A new person with sealed PII, ready for the bulk insert. */
export interface NewSyncedPerson {
  person: ValidPerson;
  idNumberEnc: string | null;
  phoneEnc: string | null;
  cardNo: string;
}

/** The core-side tables of the sync: runs, lock, watermarks, managed people, rosters. */
export class SyncRepository {
  private readonly refunds: RefundRepository;

  constructor(private readonly db: Database) {
    this.refunds = new RefundRepository(db);
  }

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

  // ---- People ----------------------------------------------------------------------------

  async people(personNos: readonly string[]): Promise<Map<string, PersonState>> {
    const out = new Map<string, PersonState>();
    if (personNos.length === 0) return out;
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT p.person_no, p.id, p.status, c.card_no, c.status AS card_status, sp.source, sp.digest
         FROM persons p
         LEFT JOIN cards c ON c.person_id = p.id
         LEFT JOIN sync_people sp ON sp.person_no = p.person_no
        WHERE p.person_no IN (${personNos.map(() => '?').join(', ')})`,
      personNos,
    );
    for (const r of rows) {
      out.set(String(r.person_no), {
        personNo: String(r.person_no),
        personId: String(r.id),
        personStatus: String(r.status) as PersonStatus,
        cardNo: r.card_no == null ? null : String(r.card_no),
        cardStatus: r.card_status == null ? null : String(r.card_status),
        source: r.source == null ? null : (String(r.source) as 'academic' | 'hr'),
        digest: r.digest == null ? null : String(r.digest),
      });
    }
    return out;
  }

  /**
   * Opens people in bulk: the cards domain's writes (persons, both wallets, cards, their 'opened'
   * events: cards/card-opening.ts) and the sync's own rows, as multi-row INSERTs in one transaction
   * (one round trip on MySQL). All or none.
   */
  async openPeople(
    items: readonly NewSyncedPerson[],
    limits: { dailyLimit: number; pinFreeLimit: number },
    actorId: string,
  ): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const { statements, opened } = openingStatements(
      items.map((item) => ({
        personNo: item.person.personNo,
        name: item.person.name,
        type: item.person.type,
        department: item.person.department,
        status: item.person.status,
        idNumberEnc: item.idNumberEnc,
        phoneEnc: item.phoneEnc,
        cardNo: item.cardNo,
      })),
      limits,
      { type: 'system', id: actorId, reason: 'identity sync' },
      now,
    );
    const synced: Param[] = [];
    items.forEach((item, i) => {
      synced.push(...syncPeopleRow(item.person, (opened[i] as { personId: string }).personId, now));
    });
    await this.db.transaction((tx) =>
      this.db.run([...statements, this.upsertSyncPeople(synced, items.length)], tx, { commit: true }),
    );
  }

  /**
   * Applies changed fields of people who keep their card (name, department, type, PII, status such
   * as suspended) and adopts people opened by hand, in one transaction per page.
   */
  async updatePeople(
    items: readonly {
      state: PersonState;
      person: ValidPerson;
      idNumberEnc: string | null;
      phoneEnc: string | null;
      personStatus: PersonStatus;
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const synced: Param[] = [];
    for (const item of items) synced.push(...syncPeopleRow(item.person, item.state.personId, now));
    const statements: Statement[] = [
      personWrites.update(
        this.db,
        items.map((i) => ({
          personId: i.state.personId,
          name: i.person.name,
          type: i.person.type,
          department: i.person.department,
          status: i.personStatus,
          idNumberEnc: i.idNumberEnc,
          phoneEnc: i.phoneEnc,
        })),
        now,
      ),
      this.upsertSyncPeople(synced, items.length),
    ];
    await this.db.transaction((tx) => this.db.run(statements, tx, { commit: true }));
  }

  /**
   * Records a cancellation the ledger has committed: the person's new status, the sync's row, and
   * the refund list entry (once per close-out operation, however often this is retried).
   */
  async recordCancelled(item: {
    state: PersonState;
    person: ValidPerson | null;
    status: PersonStatus;
    refund: NewRefundEntry | null;
  }): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (tx: Tx) => {
      await this.db.run([personWrites.setStatus(item.state.personId, item.status, now)], tx);
      if (item.person) {
        await this.db.run(
          [this.upsertSyncPeople(syncPeopleRow(item.person, item.state.personId, now), 1)],
          tx,
        );
      } else {
        await this.db.execute(
          'UPDATE sync_people SET source_status = ?, synced_at_ms = ? WHERE person_no = ?',
          [item.status, now, item.state.personNo],
          tx,
        );
      }
      // The refund list entry, keyed by the close-out's operation id: written once.
      if (item.refund) await this.refunds.record(item.refund, now, tx);
    });
  }

  /**
   * The accepted close-out the sync made of a card in an earlier run, if any: a run that crashed
   * between the ledger's commit and recording it finds its refund here.
   */
  async syncCloseOut(
    cardNo: string,
  ): Promise<{ operationId: string; mainAmount: number; subsidyAmount: number } | undefined> {
    const rows = await this.db.select<{ id: string; amount: number; subsidy_amount: number }>(
      "SELECT id, amount, subsidy_amount FROM operations WHERE card_no = ? AND kind = 'close_out' AND outcome = 'ok' AND id LIKE 'sync:%'",
      [cardNo],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      operationId: String(r.id),
      mainAmount: Number(r.amount) - Number(r.subsidy_amount),
      subsidyAmount: Number(r.subsidy_amount),
    };
  }

  /** Numbers the sync manages from one source whose cards it has not ended: the set a full reconcile checks. */
  async managedNumbers(source: 'academic' | 'hr'): Promise<string[]> {
    const rows = await this.db.select<{ person_no: string }>(
      "SELECT sp.person_no FROM sync_people sp JOIN persons p ON p.id = sp.person_id WHERE sp.source = ? AND p.status IN ('active', 'suspended')",
      [source],
    );
    return rows.map((r) => String(r.person_no));
  }

  // ---- Rosters (attendance_sessions, attendance_roster of sql/004_gateway.sql) -------------

  async syncedSessions(course: { term: string; courseCode: string }): Promise<string[]> {
    const rows = await this.db.select<{ session_id: string }>(
      'SELECT session_id FROM sync_sessions WHERE term = ? AND course_code = ?',
      [course.term, course.courseCode],
    );
    return rows.map((r) => String(r.session_id));
  }

  async allSyncedCourses(): Promise<{ term: string; courseCode: string }[]> {
    const rows = await this.db.select<{ term: string; course_code: string }>(
      'SELECT DISTINCT term, course_code FROM sync_sessions',
    );
    return rows.map((r) => ({ term: String(r.term), courseCode: String(r.course_code) }));
  }

  async roster(sessionIds: readonly string[]): Promise<{ sessionId: string; personNo: string }[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db.select<{ session_id: string; person_no: string }>(
      `SELECT session_id, person_no FROM attendance_roster WHERE session_id IN (${sessionIds.map(() => '?').join(', ')})`,
      sessionIds,
    );
    return rows.map((r) => ({ sessionId: String(r.session_id), personNo: String(r.person_no) }));
  }

  async sessionRows(sessionIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    if (sessionIds.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, kind, title, location, starts_at_ms, ends_at_ms, sign_in_from_ms, sign_in_until_ms FROM attendance_sessions WHERE id IN (${sessionIds.map(() => '?').join(', ')})`,
      sessionIds,
    );
    return new Map(rows.map((r) => [String(r.id), r]));
  }

  /** Writes one course's sessions and roster changes in one transaction. */
  async applyCourse(change: {
    term: string;
    courseCode: string;
    upsertSessions: readonly {
      id: string;
      kind: 'class' | 'exam';
      title: string;
      location: string;
      startsAtMs: number;
      endsAtMs: number;
      signInFromMs: number;
      signInUntilMs: number;
      sourceUpdatedAtMs: number;
      exists: boolean;
    }[];
    deleteSessions: readonly string[];
    addRoster: readonly { sessionId: string; personNo: string }[];
    removeRoster: readonly { sessionId: string; personNo: string }[];
  }): Promise<void> {
    const now = Date.now();
    // The attendance tables are the attendance domain's (devices/attendance-writes.ts); sync_sessions is ours.
    const statements: Statement[] = [...attendanceWrites.deleteSessions(change.deleteSessions)];
    if (change.deleteSessions.length > 0) {
      statements.push({
        sql: `DELETE FROM sync_sessions WHERE session_id IN (${change.deleteSessions.map(() => '?').join(', ')})`,
        params: change.deleteSessions,
      });
    }
    for (const s of change.upsertSessions) {
      if (s.exists) {
        statements.push(attendanceWrites.updateSession(s), {
          sql: 'UPDATE sync_sessions SET source_updated_at_ms = ? WHERE session_id = ?',
          params: [s.sourceUpdatedAtMs, s.id],
        });
      } else {
        statements.push(attendanceWrites.insertSession(s, now), {
          sql: 'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
          params: [s.id, change.term, change.courseCode, s.sourceUpdatedAtMs],
        });
      }
    }
    statements.push(
      ...attendanceWrites.removeFromRosters(change.removeRoster),
      ...attendanceWrites.addToRosters(change.addRoster),
    );
    if (statements.length === 0) return;
    await this.db.transaction((tx) => this.db.run(statements, tx, { commit: true }));
  }

  private upsertSyncPeople(params: Param[], count: number): Statement {
    const columns = [
      'person_no',
      'person_id',
      'source',
      'source_row_id',
      'dept_code',
      'class_code',
      'source_status',
      'digest',
      'source_updated_at_ms',
      'synced_at_ms',
    ];
    const values = Array.from({ length: count }, () => `(${columns.map(() => '?').join(', ')})`).join(', ');
    const updated = columns.slice(1);
    const onConflict =
      this.db.dialect === 'mysql'
        ? `ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c} = VALUES(${c})`).join(', ')}`
        : `ON CONFLICT (person_no) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    return { sql: `INSERT INTO sync_people (${columns.join(', ')}) VALUES ${values} ${onConflict}`, params };
  }
}

function syncPeopleRow(p: ValidPerson, personId: string, now: number): Param[] {
  return [
    p.personNo,
    personId,
    p.stream === 'hr.staff' ? 'hr' : 'academic',
    p.rowId,
    p.deptCode,
    p.classCode,
    p.status,
    p.digest,
    p.updatedAtMs,
    now,
  ];
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
