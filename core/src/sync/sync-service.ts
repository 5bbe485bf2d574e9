import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import type { Pii } from '../pii.ts';
import type { InvalidRow } from './person-rows.ts';
import type { Cursor, PersonStream, SourceReader } from './source-reader.ts';
import { CloseOuts } from './sync-close-outs.ts';
import { PeopleSync } from './sync-people.ts';
import type { SyncKind, SyncRepository, SyncRun, SyncRunError, SyncTrigger } from './sync-repository.ts';
import { RosterSync } from './sync-rosters.ts';
import type { RunHooks, RunState } from './sync-run-state.ts';

export interface SyncOptions {
  /** Source rows read and applied per page (one progress update each). */
  pageRowsMax: number;
  /** People opened per database transaction. */
  openChunkMax: number;
  /**
   * How far before the stored watermark an incremental run starts reading: a source transaction
   * that committed late with an earlier updated_at is still seen. Re-reading is harmless because
   * applying an unchanged row does nothing.
   */
  overlapMs: number;
  /** A lock whose heartbeat is older than this belongs to a dead process and may be taken over. */
  lockStaleMs: number;
  /** Row errors stored per run; beyond it they are only counted. */
  errorsPerRunMax: number;
  dailyLimit: number;
  pinFreeLimit: number;
  piiKeyHex: string;
}

export const defaultSyncOptions = {
  pageRowsMax: 2_000,
  openChunkMax: 500,
  lockStaleMs: 120_000,
  errorsPerRunMax: 10_000,
} as const;

export type PageListener = (run: SyncRun) => Promise<void> | void;

/**
 * Identity sync (docs/sync.md): people from the academic-affairs and HR databases become persons
 * with cards and wallets; graduates and leavers have their cards closed out with the balance put
 * on the refund list; changed departments move people between admin scopes; invalid rows are
 * reported with a reason and not applied; class and exam rosters fill the attendance tables.
 */
export class SyncService {
  private readonly listeners: PageListener[] = [];
  private current: Promise<void> | undefined;
  private job: Job | undefined;

  constructor(
    private readonly repo: SyncRepository,
    private readonly reader: SourceReader | undefined,
    private readonly ledger: LedgerService,
    private readonly pii: Pii,
    private readonly log: Logger,
    private readonly options: SyncOptions,
  ) {}

  get enabled(): boolean {
    return this.reader !== undefined;
  }

  /** Called after every page with the run as stored; the run waits for the listener (tests watch progress here). */
  onPage(listener: PageListener): void {
    this.listeners.push(listener);
  }

  /** Starts a run in the background and answers it as first stored. One run at a time, across processes. */
  async start(kind: SyncKind, trigger: SyncTrigger, actor: string | null): Promise<SyncRun> {
    const reader = this.reader;
    if (!reader)
      throw new CoreError(
        'SYNC_NOT_CONFIGURED',
        'no source database is configured (ACADEMIC_DATABASE_URL, HR_DATABASE_URL)',
      );
    const nowMs = Date.now();
    const id = newId(nowMs);
    const lock = await this.repo.acquire(id, nowMs, this.options.lockStaleMs);
    if (!lock.taken)
      throw new CoreError('SYNC_RUNNING', 'a sync run is already running; wait for it to finish');
    if (lock.abandoned)
      this.log.warn({ runId: lock.abandoned }, 'sync run abandoned by a stopped process was taken over');
    try {
      await this.repo.createRun({ id, kind, trigger, actorId: actor, nowMs });
    } catch (error) {
      await this.repo.release(id);
      throw error;
    }
    const run = (await this.repo.run(id)) as SyncRun;
    this.current = this.execute(run).finally(() => {
      this.current = undefined;
    });
    return run;
  }

  /** Resolves when the run this process started has finished. */
  async idle(): Promise<void> {
    await this.current;
  }

  /**
   * Puts a person the card system already holds into a class (and, when given, a grade: the year they
   * enrolled), as a sync run from the academic-affairs database would (what news targeting and rosters
   * read). For a campus without that database, and the demo seed; where the sync is configured, its
   * next full reconcile puts back the source's class and year.
   */
  async recordClass(personNo: string, classCode: string, enrolYear?: number): Promise<void> {
    if (!/^[0-9A-Za-z-]{1,16}$/.test(classCode))
      throw new CoreError('VALIDATION_FAILED', 'a class code is 1 to 16 letters, digits or dashes');
    if (enrolYear !== undefined && !(Number.isInteger(enrolYear) && enrolYear >= 1900 && enrolYear <= 2999))
      throw new CoreError('VALIDATION_FAILED', 'an enrolment year is a whole year from 1900 to 2999');
    if (!(await this.repo.recordClass(personNo, classCode, Date.now(), enrolYear)))
      throw new CoreError('NOT_FOUND', 'no person with this number');
  }

  async run(id: string): Promise<SyncRun> {
    const run = await this.repo.run(id);
    if (!run) throw new CoreError('SYNC_RUN_NOT_FOUND', 'no such sync run');
    return run;
  }

  runs(limit: number, beforeId?: string): Promise<SyncRun[]> {
    return this.repo.runs(limit, beforeId);
  }

  async errors(id: string, limit: number, afterSeq: number): Promise<SyncRunError[]> {
    return this.repo.errors(id, limit, afterSeq);
  }

  /**
   * Runs incremental syncs every intervalMs, and a full reconcile instead whenever the last
   * successful one is older than fullIntervalMs. 0 switches either off.
   */
  startSchedule(intervalMs: number, fullIntervalMs: number, lock?: JobLock): void {
    if (!this.enabled || intervalMs <= 0) return;
    this.job = schedule({
      name: 'identity-sync',
      everyMs: intervalMs,
      log: this.log,
      lock,
      run: async () => {
        if (this.current) return;
        try {
          await this.scheduled(fullIntervalMs);
        } catch (error) {
          // Another process's run holds the database lock: this tick has nothing to do.
          if (error instanceof CoreError && error.code === 'SYNC_RUNNING') return;
          throw error;
        }
        // The job lasts as long as its run, so the next tick and the job lock wait for it.
        await this.idle();
      },
    });
  }

  async close(): Promise<void> {
    await this.job?.stop();
    await this.current;
  }

  private async scheduled(fullIntervalMs: number): Promise<void> {
    const lastFull = fullIntervalMs > 0 ? await this.repo.lastFinished('full') : null;
    const full = fullIntervalMs > 0 && (lastFull === null || Date.now() - lastFull >= fullIntervalMs);
    await this.start(full ? 'full' : 'incremental', 'schedule', null);
  }

  private async execute(run: SyncRun): Promise<void> {
    const reader = this.reader as SourceReader;
    const state: RunState = {
      run,
      counts: { created: 0, updated: 0, cancelled: 0, invalid: 0, roster: 0 },
      rowsRead: 0,
      rowsTotal: 0,
      errorsStored: 0,
    };
    const started = performance.now();
    try {
      const streams = reader.streams();
      const since = new Map<PersonStream, Cursor>();
      for (const stream of streams) {
        const from =
          run.kind === 'full'
            ? { afterMs: 0, afterId: 0 }
            : this.startAfter(await this.repo.watermark(stream));
        since.set(stream, from);
        state.rowsTotal += await reader.countPeople(stream, from);
      }
      const hooks: RunHooks = {
        report: (rows) => this.report(state, rows),
        progress: (phase) => this.progress(state, phase),
      };
      await this.progress(state, 'counting');
      const people = new PeopleSync(
        this.repo,
        reader,
        new CloseOuts(this.repo, this.ledger, this.options.pageRowsMax),
        this.pii,
        this.options,
      );
      for (const stream of streams)
        await people.sync(state, stream, since.get(stream) ?? { afterMs: 0, afterId: 0 }, hooks);
      if (reader.has('academic'))
        await new RosterSync(this.repo, reader, this.options.overlapMs).sync(run.kind, state.counts, hooks);
      await this.progress(state, 'finishing');
      await this.repo.finishRun(run.id, 'succeeded', null);
      this.log.info(
        {
          runId: run.id,
          kind: run.kind,
          ...state.counts,
          rows: state.rowsRead,
          ms: Math.round(performance.now() - started),
        },
        'sync run finished',
      );
    } catch (error) {
      // The message only: drivers attach the SQL with its values to their errors.
      const message = (error as Error).message ?? String(error);
      this.log.error({ runId: run.id, message }, 'sync run failed');
      await this.repo.finishRun(run.id, 'failed', message).catch(() => undefined);
    } finally {
      await this.repo.release(run.id).catch(() => undefined);
    }
  }

  private async progress(state: RunState, phase: string): Promise<void> {
    await this.repo.progress(state.run.id, {
      phase,
      rowsRead: state.rowsRead,
      rowsTotal: Math.max(state.rowsTotal, state.rowsRead),
      counts: state.counts,
    });
    if (this.listeners.length > 0) {
      const stored = (await this.repo.run(state.run.id)) as SyncRun;
      for (const listener of this.listeners) await listener(stored);
    }
  }

  /**
   * Where an incremental run starts: right after the last row applied, or overlapMs before it, so
   * a source transaction that committed late with an earlier updated_at is still seen. Re-reading
   * is harmless because applying an unchanged row does nothing.
   */
  private startAfter(mark: Cursor): Cursor {
    if (this.options.overlapMs === 0) return mark;
    return { afterMs: Math.max(0, mark.afterMs - this.options.overlapMs), afterId: 0 };
  }

  private async report(state: RunState, rows: readonly InvalidRow[]): Promise<void> {
    if (rows.length === 0) return;
    state.counts.invalid += rows.length;
    const room = Math.max(0, this.options.errorsPerRunMax - state.errorsStored);
    const stored = rows.slice(0, room);
    await this.repo.addErrors(
      state.run.id,
      state.errorsStored + 1,
      stored.map((r) => ({
        stream: r.stream,
        sourceRowId: r.rowId || null,
        personNo: r.personNo,
        code: r.code,
        reason: r.reason,
      })),
    );
    state.errorsStored += stored.length;
  }
}
