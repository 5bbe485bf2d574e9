import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { shanghaiDay } from '../time.ts';
import type { DayKindTotal, InsightStore, Source } from './insight-store.ts';
import type { Cursor, LedgerSource } from './ledger-source.ts';

/**
 * Feeds the analytical store from the ledger's database, one source at a time, each with its own
 * watermark (the newest source time copied). A run re-reads overlapMs behind the watermark, so a
 * transaction that committed after the last run with an earlier timestamp is still picked up, and
 * stores rows by their key, so what is read twice is stored once: a run may repeat, stop half way or
 * come after a long downtime, and the store ends up with each row once.
 */

export interface ExtractOptions {
  /** How far behind its watermark a run re-reads, for ledger transactions that commit late. */
  overlapMs: number;
  /** Rows read from the ledger per query. */
  pageRows: number;
  /** Pages per source per run: a run after a long downtime catches up over several runs. */
  pagesMax: number;
}

export interface SourceRun {
  source: Source;
  rows: number;
  afterMs: number | undefined;
  /** More rows wait than one run's pagesMax took. */
  behind: boolean;
}

/** One day and kind where the extract and the ledger disagree. */
export interface ReconcileDifference {
  day: number;
  kind: string;
  ledgerCount: number;
  extractCount: number;
  ledgerAmount: number;
  extractAmount: number;
}

const defaults: ExtractOptions = { overlapMs: 300_000, pageRows: 5_000, pagesMax: 200 };

export class ExtractService {
  private readonly options: ExtractOptions;
  private job: Job | undefined;

  constructor(
    private readonly ledger: LedgerSource,
    private readonly store: InsightStore,
    options: Partial<ExtractOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  /** Copies what is new in every source, then the merchants' categories and the cards' holders. */
  async run(nowMs: number = Date.now()): Promise<SourceRun[]> {
    const runs: SourceRun[] = [];
    runs.push(
      await this.copy(
        'operations',
        (from) => this.ledger.operations(from, this.options.pageRows),
        (rows) => this.store.putOperations(rows),
        (r) => ({ atMs: r.createdAtMs, id: r.id }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'card_events',
        (from) => this.ledger.cardEvents(from, this.options.pageRows),
        (rows) => this.store.putCardEvents(rows),
        (r) => ({ atMs: r.createdAtMs, id: r.id }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'attendance',
        (from) => this.ledger.attendance(from, this.options.pageRows),
        (rows) => this.store.putAttendance(rows),
        (r) => ({ atMs: r.recordedAtMs, id: `${r.sessionId}\u0000${r.personNo}` }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'access',
        (from) => this.ledger.access(from, this.options.pageRows),
        (rows) => this.store.putAccess(rows),
        (r) => ({ atMs: r.createdAtMs, id: r.id }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'sessions',
        (from) => this.ledger.sessions(from, this.options.pageRows),
        (rows) => this.store.putSessions(rows),
        (r) => ({ atMs: r.createdAtMs, id: r.id }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'codes',
        (from) => this.ledger.codeUses(from, this.options.pageRows),
        (rows) => this.store.putCodeUses(rows.map(({ codeId: _, ...row }) => row)),
        (r) => ({ atMs: r.usedAtMs, id: r.codeId }),
        nowMs,
      ),
    );
    runs.push(
      await this.copy(
        'absences',
        (from) => this.ledger.absences(from, this.options.pageRows),
        (rows) => this.store.putAbsences(rows),
        (r) => ({ atMs: r.decidedAtMs, id: r.id }),
        nowMs,
      ),
    );
    await this.store.replaceMerchants(await this.ledger.merchants());
    await this.store.replacePlaces(await this.ledger.places());
    await this.store.replaceHolders(await this.ledger.holders());
    // The pages' summaries (card months, canteen slots) follow the rows just copied.
    await this.store.refresh();
    return runs;
  }

  /**
   * Compares the extract's accepted operations per day and kind with the ledger's over
   * [fromDay, toDay]; answers the differences (none when they agree).
   */
  async reconcile(fromDay: number, toDay: number): Promise<ReconcileDifference[]> {
    const [ledger, extract] = await Promise.all([
      this.ledger.totalsByDayKind(fromDay, toDay),
      this.store.totalsByDayKind(fromDay, toDay),
    ]);
    const key = (t: DayKindTotal) => `${t.day}:${t.kind}`;
    const extracted = new Map(extract.map((t) => [key(t), t]));
    const differences: ReconcileDifference[] = [];
    for (const l of ledger) {
      const e = extracted.get(key(l));
      extracted.delete(key(l));
      if (e && e.count === l.count && e.amount === l.amount) continue;
      differences.push({
        day: l.day,
        kind: l.kind,
        ledgerCount: l.count,
        extractCount: e?.count ?? 0,
        ledgerAmount: l.amount,
        extractAmount: e?.amount ?? 0,
      });
    }
    for (const e of extracted.values()) {
      differences.push({
        day: e.day,
        kind: e.kind,
        ledgerCount: 0,
        extractCount: e.count,
        ledgerAmount: 0,
        extractAmount: e.amount,
      });
    }
    return differences.sort((a, b) => a.day - b.day || a.kind.localeCompare(b.kind));
  }

  /**
   * Schedules the extract every everyMs; each run also reconciles yesterday and the day before
   * (days the overlap window has long passed) and logs any difference by day and kind only, then
   * runs afterRun (the detectors that act on fresh rows: abnormal-spending alerts).
   */
  startSchedule(everyMs: number, log: Logger, lock?: JobLock, afterRun?: () => Promise<void>): void {
    this.job = schedule({
      name: 'insight-extract',
      everyMs,
      log,
      lock,
      runAtStart: true,
      run: async () => {
        const runs = await this.run();
        const today = shanghaiDay(Date.now());
        const differences = await this.reconcile(today - 2, today - 1);
        log.info(
          {
            job: 'insight-extract',
            rows: runs.reduce((n, r) => n + r.rows, 0),
            behind: runs.some((r) => r.behind),
          },
          'insight extract ran',
        );
        if (differences.length > 0)
          log.warn(
            { job: 'insight-extract', differences: differences.map((d) => `${d.day}:${d.kind}`) },
            'insight extract differs from the ledger',
          );
        await afterRun?.();
      },
    });
  }

  async stop(): Promise<void> {
    await this.job?.stop();
    this.job = undefined;
  }

  private async copy<T>(
    source: Source,
    read: (from: Cursor) => Promise<T[]>,
    put: (rows: T[]) => Promise<void>,
    cursorOf: (row: T) => Cursor,
    nowMs: number,
  ): Promise<SourceRun> {
    const mark = await this.store.watermark(source);
    // After a run that finished, re-read the overlap window; after one that stopped at its page
    // limit, go on right after its last row, or a backlog larger than the window would never shrink.
    let from: Cursor =
      mark === undefined
        ? { atMs: 0, id: '' }
        : mark.behind
          ? { atMs: mark.afterMs, id: mark.afterId }
          : { atMs: Math.max(0, mark.afterMs - this.options.overlapMs), id: '' };
    let newest: Cursor = mark === undefined ? { atMs: 0, id: '' } : { atMs: mark.afterMs, id: mark.afterId };
    let rows = 0;
    let behind = false;
    for (let page = 0; ; page++) {
      if (page === this.options.pagesMax) {
        behind = true;
        break;
      }
      const batch = await read(from);
      if (batch.length === 0) break;
      await put(batch);
      rows += batch.length;
      from = cursorOf(batch[batch.length - 1] as T);
      if (from.atMs > newest.atMs || (from.atMs === newest.atMs && from.id > newest.id)) newest = from;
      if (batch.length < this.options.pageRows) break;
      // Stored after each full page, so a run that stops half way resumes near where it stopped.
      await this.store.setWatermark(source, { afterMs: from.atMs, afterId: from.id, behind: true }, 0, nowMs);
    }
    await this.store.setWatermark(
      source,
      behind
        ? { afterMs: from.atMs, afterId: from.id, behind }
        : { afterMs: newest.atMs, afterId: newest.id, behind },
      rows,
      nowMs,
    );
    return { source, rows, afterMs: newest.atMs, behind };
  }
}
