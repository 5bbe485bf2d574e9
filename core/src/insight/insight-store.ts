import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { HiddenNeedThresholds } from '../contract/insight.ts';
import { shanghaiDay } from '../time.ts';
import {
  type AbnormalThresholds,
  abnormalDefaults,
  type CardProfile,
  type PaymentPoint,
  type PinEvent,
} from './abnormal-spending.ts';
import type { AbsenceSpan } from './absence-spending.ts';
import type { SlotCount } from './canteen-load.ts';
import type { HiddenNeedInput } from './hidden-need.ts';
import {
  absenceColumns,
  accessColumns,
  attendanceColumns,
  type Column,
  cardEventColumns,
  codeUseColumns,
  commitStage,
  holderColumns,
  merchantColumns,
  operationColumns,
  placeColumns,
  replaceOperations,
  rosterColumns,
  sessionColumns,
  stage,
} from './insight-load.ts';
import * as queries from './insight-queries.ts';
import { prune } from './insight-retention.ts';
import type {
  AbsenceRow,
  AccessRow,
  AttendanceRow,
  CardEventRow,
  CodeUseRow,
  DayKindTotal,
  HolderRow,
  MerchantRow,
  MonthFigures,
  OperationRow,
  PlaceRow,
  RosterFact,
  SessionRow,
  Source,
  Watermark,
} from './insight-rows.ts';
import {
  operationsKeyed,
  quoteLiteral,
  schema,
  snapshotTables,
  summaryTables,
  tsOf,
  unkeyOperations,
} from './insight-schema.ts';
import { anyDirty, ensureProfiles, markAllDirty, markDirty, refreshSummaries } from './insight-summaries.ts';

export type * from './insight-rows.ts';

/**
 * The analytical store: an embedded DuckDB file apart from the ledger's database, so a heavy
 * analysis never holds a lock or a connection the payments need. It is a copy of the ledger, never
 * its source of truth: it is fed by the extract (extract-service.ts) and reconciled to the ledger's
 * daily totals. The DuckDB SQL lives in the insight-*.ts files beside this one, one job each: the
 * tables (insight-schema.ts), loading rows (insight-load.ts), the summaries the pages read
 * (insight-summaries.ts), the detectors' queries (insight-queries.ts) and retention
 * (insight-retention.ts).
 *
 * Times are stored as epoch ms UTC (`*_ms`) and as TIMESTAMPTZ (`ts`); the session's time zone is
 * Asia/Shanghai, so `ts::DATE`, `hour(ts)` and `strftime(ts, '%Y-%m')` cut days and months there.
 * Money is BIGINT fen. No names, ID numbers or phones are copied: a card is its number, a person
 * their person number, department and type.
 *
 * One process owns a DuckDB file (it locks it): exactly one core instance may set INSIGHT_DB_PATH.
 */

export interface InsightStoreOptions {
  /** A file path, or ':memory:' (tests and the evaluation). */
  path: string;
  /** DuckDB's buffer limit; the process uses some hundreds of MB more (docs/analytics.md). */
  memoryLimit?: string;
  threads?: number;
}

async function tableNames(con: DuckDBConnection): Promise<Set<string>> {
  const rows = (await con.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRowObjectsJS();
  return new Set(rows.map((r) => String(r.table_name)));
}

/** @duckdb/node-api, once the first store has opened (InsightStore.open). */
let duckdb: typeof import('@duckdb/node-api') | undefined;

/** A DuckDB list of ids, for `unnest($1::VARCHAR[])`; only called on an open store, so DuckDB is loaded. */
function idList(ids: readonly string[]) {
  if (!duckdb) throw new Error('DuckDB is not loaded: open the insight store first');
  return duckdb.listValue([...ids]);
}

export class InsightStore {
  /** The writes on `con`, one after another: two transactions must never interleave on one connection. */
  #writing: Promise<unknown> = Promise.resolve();

  /**
   * Two connections: loads and refreshes write through `con` (with transactions of their own); the
   * pages' queries read through `reader`, so a query never lands inside a load's transaction.
   */
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  static async open(options: InsightStoreOptions): Promise<InsightStore> {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    // Loaded when a store opens: DuckDB's bindings are ~180 modules a core without insight never needs.
    duckdb ??= await import('@duckdb/node-api');
    const instance = await duckdb.DuckDBInstance.create(options.path, {
      memory_limit: options.memoryLimit ?? '1GB',
      threads: String(options.threads ?? 2),
    });
    const con = await instance.connect();
    const reader = await instance.connect();
    for (const c of [con, reader]) await c.run("SET TimeZone = 'Asia/Shanghai'");
    const existing = await tableNames(con);
    for (const statement of schema) await con.run(statement);
    const keyed = (await con.runAndReadAll(operationsKeyed)).getRowObjectsJS()[0];
    if (Number(keyed?.n ?? 0) > 0) await commitStage(con, unkeyOperations);
    // A summary new to an existing file is filled from the rows already copied.
    if (existing.has('operations') && summaryTables.some((t) => !existing.has(t)))
      await con.run(markAllDirty);
    return new InsightStore(instance, con, reader);
  }

  close(): void {
    this.reader.closeSync();
    this.con.closeSync();
    this.instance.closeSync();
  }

  /**
   * Where a source's copy stands: the last row copied (its time and key), and whether the run that
   * copied it stopped at its page limit with more to read.
   */
  async watermark(source: Source): Promise<Watermark | undefined> {
    const rows = await this.select(
      'SELECT after_ms::DOUBLE AS after_ms, after_id, behind FROM watermarks WHERE source = $1',
      [source],
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { afterMs: Number(r.after_ms), afterId: String(r.after_id), behind: r.behind === true };
  }

  async setWatermark(source: Source, mark: Watermark, rows: number, runAtMs: number): Promise<void> {
    await this.write(() =>
      this.con.run(
        `INSERT INTO watermarks VALUES ($1, $2::BIGINT, $3, $4, $5::BIGINT, $6::BIGINT)
         ON CONFLICT (source) DO UPDATE SET after_ms = excluded.after_ms, after_id = excluded.after_id,
           behind = excluded.behind, rows_total = watermarks.rows_total + excluded.rows_total, run_at_ms = excluded.run_at_ms`,
        [source, mark.afterMs, mark.afterId, mark.behind, rows, runAtMs],
      ),
    );
  }

  /** Each source's copy: up to when, rows so far, the last run, and whether it stopped with more to read. */
  async watermarks(): Promise<
    { source: string; afterMs: number; rowsTotal: number; runAtMs: number; behind: boolean }[]
  > {
    const rows = await this.select(
      'SELECT source, after_ms::DOUBLE a, rows_total::DOUBLE n, run_at_ms::DOUBLE r, behind FROM watermarks ORDER BY source',
    );
    return rows.map((r) => ({
      source: String(r.source),
      afterMs: Number(r.a),
      rowsTotal: Number(r.n),
      runAtMs: Number(r.r),
      behind: r.behind === true,
    }));
  }

  /** Inserts or replaces operations by id: a row read twice (the overlap window) is stored once. */
  async putOperations(rows: readonly OperationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.write(async () => {
      await stage(this.con, operationColumns, rows);
      await commitStage(this.con, [
        ...replaceOperations(rows, `SELECT *, ${tsOf('created_at_ms')} FROM stage`),
        markDirty.operations as string,
      ]);
    });
  }

  async putCardEvents(rows: readonly CardEventRow[]): Promise<void> {
    await this.upsert('card_events', cardEventColumns, rows, `SELECT *, ${tsOf('created_at_ms')} FROM stage`);
  }

  async putAttendance(rows: readonly AttendanceRow[]): Promise<void> {
    await this.upsert(
      'attendance',
      attendanceColumns,
      rows,
      `SELECT *, ${tsOf('recorded_at_ms')} FROM stage`,
    );
  }

  async putAccess(rows: readonly AccessRow[]): Promise<void> {
    await this.upsert('access', accessColumns, rows, `SELECT *, ${tsOf('occurred_at_ms')} FROM stage`);
  }

  /** Approved absences (请假) by id; an absence read again is stored once. */
  async putAbsences(rows: readonly AbsenceRow[]): Promise<void> {
    await this.upsert('absences', absenceColumns, rows, 'SELECT * FROM stage');
  }

  /** The approved absences that overlap [fromMs, toMs). */
  async absences(fromMs: number, toMs: number): Promise<AbsenceRow[]> {
    return queries.absences(this.selector, fromMs, toMs);
  }

  /**
   * The approved off-campus absences overlapping [fromMs, toMs), one span per card of the holder
   * (the absence's own card and any other card of the person): spending during an absence.
   */
  async absenceSpans(fromMs: number, toMs: number): Promise<AbsenceSpan[]> {
    return queries.absenceSpans(this.selector, fromMs, toMs);
  }

  /** The accepted payments of these cards in [fromMs, toMs), in time order. */
  async cardPayments(cardNos: readonly string[], fromMs: number, toMs: number): Promise<PaymentPoint[]> {
    if (cardNos.length === 0) return [];
    return queries.cardPayments(this.selector, cardNos, fromMs, toMs);
  }

  /** The pay codes the payments consumed, by the payment's id. */
  async putCodeUses(rows: readonly CodeUseRow[]): Promise<void> {
    await this.upsert('code_uses', codeUseColumns, rows, 'SELECT * FROM stage');
  }

  /** Sessions by id with their rosters; a session read again has its roster replaced whole. */
  async putSessions(rows: readonly SessionRow[]): Promise<void> {
    await this.upsert('sessions', sessionColumns, rows, 'SELECT * FROM stage');
    if (rows.length === 0) return;
    const roster = rows.flatMap((r) => r.roster.map((personNo) => ({ sessionId: r.id, personNo })));
    await this.write(async () => {
      await stage(this.con, rosterColumns, roster);
      await commitStage(this.con, [
        {
          sql: 'DELETE FROM roster WHERE session_id IN (SELECT unnest($1::VARCHAR[]))',
          params: [idList(rows.map((r) => r.id))],
        },
        'INSERT OR REPLACE INTO roster SELECT * FROM stage',
      ]);
    });
  }

  /** The merchants' categories, replaced whole (a few hundred rows); a changed category refreshes every day. */
  async replaceMerchants(rows: readonly MerchantRow[]): Promise<void> {
    await this.write(async () => {
      await stage(this.con, merchantColumns, rows);
      const [changed] = (
        await this.con.runAndReadAll(
          `SELECT count(*)::DOUBLE n FROM ((SELECT id, category FROM merchants EXCEPT SELECT id, category FROM stage)
             UNION ALL (SELECT id, category FROM stage EXCEPT SELECT id, category FROM merchants))`,
        )
      ).getRowObjectsJS();
      await commitStage(this.con, [
        'DELETE FROM merchants',
        'INSERT INTO merchants SELECT * FROM stage',
        ...(Number(changed?.n ?? 0) > 0 ? [markAllDirty] : []),
      ]);
    });
  }

  /** The merchants' positions, replaced whole (set by the card centre, a few hundred rows). */
  async replacePlaces(rows: readonly PlaceRow[]): Promise<void> {
    await this.replaceAll('places', placeColumns, rows);
  }

  /** The cards' holders (type, department), replaced whole: people change department, cards change status. */
  async replaceHolders(rows: readonly HolderRow[]): Promise<void> {
    await this.replaceAll('holders', holderColumns, rows);
  }

  /**
   * Brings the summaries up to date with the rows loaded since the last refresh (the extract calls it
   * after each run; the summary reads call it too). Answers the days recomputed.
   */
  async refresh(): Promise<number> {
    return this.write(() => refreshSummaries(this.con));
  }

  async rosterFacts(fromMs: number, toMs: number): Promise<RosterFact[]> {
    return queries.rosterFacts(this.selector, fromMs, toMs);
  }

  async lastSeen(
    fromMs: number,
    toMs: number,
  ): Promise<{ personNo: string; cardNo: string; department: string | null; lastMs: number | null }[]> {
    return queries.lastSeen(this.selector, fromMs, toMs);
  }

  async slotCounts(fromMs: number, toMs: number): Promise<SlotCount[]> {
    await this.fresh();
    return queries.slotCounts(this.selector, fromMs, toMs);
  }

  async paymentPoints(fromMs: number, toMs: number): Promise<PaymentPoint[]> {
    return queries.paymentPoints(this.selector, fromMs, toMs);
  }

  /** The PIN step-up's events over [fromMs, toMs) (the abnormal-spending detector's pin evidence). */
  async pinEvidence(fromMs: number, toMs: number): Promise<PinEvent[]> {
    return queries.pinEvidence(this.selector, fromMs, toMs);
  }

  /**
   * The abnormal-spending detector's input over [fromMs, toMs) for these thresholds: only the cards
   * that could be flagged under them, with their profiles, and which of them have a PIN (the step-up
   * guards them; insight-queries.ts). Give the detector (detectAbnormalFromProfiles) the same thresholds.
   */
  async abnormalInput(
    fromMs: number,
    toMs: number,
    thresholds: Partial<AbnormalThresholds> = {},
  ): Promise<{ profiles: Map<string, CardProfile>; payments: PaymentPoint[]; guarded: Set<string> }> {
    const t = { ...abnormalDefaults, ...thresholds };
    await this.fresh();
    await this.write(() => ensureProfiles(this.con, shanghaiDay(fromMs), t.profileDays));
    return queries.abnormalInput(this.selector, fromMs, toMs, t);
  }

  async holder(cardNo: string): Promise<HolderRow | undefined> {
    return queries.holder(this.selector, cardNo);
  }

  async totalsByDayKind(fromDay: number, toDay: number): Promise<DayKindTotal[]> {
    return queries.totalsByDayKind(this.selector, fromDay, toDay);
  }

  async monthFigures(fromMonth: string, toMonth: string, cardNo?: string): Promise<MonthFigures[]> {
    await this.fresh();
    return queries.monthFigures(this.selector, fromMonth, toMonth, cardNo);
  }

  /**
   * Hidden need's input for one month under these thresholds: only the cards under both ratios, each
   * with its cohort's medians and its earlier months from fromMonth summed (insight-queries.ts). Give
   * the detector (detectHiddenNeedFromInput) the same thresholds.
   */
  async hiddenNeedInput(
    month: string,
    fromMonth: string,
    t: HiddenNeedThresholds,
  ): Promise<HiddenNeedInput[]> {
    await this.fresh();
    return queries.hiddenNeedInput(this.selector, month, fromMonth, t);
  }

  /**
   * Runs one of the card centre's report queries (insight-report-queries.ts) on fresh summaries: the
   * reports read the copied rows and card_days, so a load's dirty days are refreshed first.
   */
  async report<T>(query: (select: queries.Select) => Promise<T>): Promise<T> {
    await this.fresh();
    return query(this.selector);
  }

  async count(table: 'operations' | 'card_events' | 'attendance' | 'access' | 'code_uses'): Promise<number> {
    const rows = await this.select(`SELECT count(*)::DOUBLE n FROM ${table}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes every copied row older than beforeMs (insight-retention.ts); answers the rows deleted. */
  async prune(beforeMs: number): Promise<number> {
    return this.write(() => prune(this.con, beforeMs));
  }

  /** Removes one extracted operation (the reconciliation test's way of losing a row). */
  async deleteOperation(id: string): Promise<void> {
    await this.write(async () => {
      await this.con.run(
        'INSERT OR IGNORE INTO dirty_days SELECT created_day FROM operations WHERE id = $1',
        [id],
      );
      await this.con.run('DELETE FROM operations WHERE id = $1', [id]);
    });
  }

  /**
   * Writes a Parquet snapshot of each extracted table into dir (`<table>.parquet`, zstd), for other
   * processes (the DuckDB file itself is locked by this one) and for archives.
   */
  async exportParquet(dir: string): Promise<string[]> {
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const table of snapshotTables) {
      const file = `${dir}/${table}.parquet`;
      await this.con.run(`COPY ${table} TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`);
      files.push(file);
    }
    return files;
  }

  /** Rows of a query over a Parquet file (tests read a snapshot back with it). */
  async readParquetCount(file: string): Promise<number> {
    const rows = await this.select(`SELECT count(*)::DOUBLE n FROM read_parquet(${quoteLiteral(file)})`);
    return Number(rows[0]?.n ?? 0);
  }

  private readonly selector: queries.Select = (sql, params = []) => this.select(sql, params);

  /**
   * A query's rows as DuckDB's own values (strings, numbers, bigints, DuckDBListValue): converting a
   * day's payments to plain JavaScript values cost more than running the query (bench:insight).
   */
  private async select(sql: string, params: (string | number)[] = []): Promise<Record<string, unknown>[]> {
    const result = await this.reader.runAndReadAll(sql, params);
    return result.getRowObjects() as Record<string, unknown>[];
  }

  /** Refreshes the summaries first when a load left days dirty (a page never reads stale figures). */
  private async fresh(): Promise<void> {
    if (await anyDirty(this.reader)) await this.refresh();
  }

  /** Runs a write after the writes before it, whether they failed or not. */
  private write<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#writing.then(run, run);
    this.#writing = next.catch(() => undefined);
    return next;
  }

  /**
   * Loads rows into a temporary stage with the appender, then INSERT OR REPLACE from it in one
   * transaction, marking the days they fall on for the summaries' refresh.
   */
  private async upsert<T>(
    table: string,
    columns: readonly Column<T>[],
    rows: readonly T[],
    select: string,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.write(async () => {
      await stage(this.con, columns, rows);
      const dirty = markDirty[table];
      await commitStage(this.con, [`INSERT OR REPLACE INTO ${table} ${select}`, ...(dirty ? [dirty] : [])]);
    });
  }

  private async replaceAll<T>(
    table: string,
    columns: readonly Column<T>[],
    rows: readonly T[],
  ): Promise<void> {
    await this.write(async () => {
      await stage(this.con, columns, rows);
      await commitStage(this.con, [`DELETE FROM ${table}`, `INSERT INTO ${table} SELECT * FROM stage`]);
    });
  }
}
