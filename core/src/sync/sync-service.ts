import { createHmac } from 'node:crypto';
import { newCardNo } from '../cards/card-service.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import type { Pii } from '../pii.ts';
import {
  endsCard,
  type InvalidRow,
  isInvalid,
  judgeRow,
  type PersonStatus,
  type ValidPerson,
} from './person-rows.ts';
import { type Cursor, type PersonStream, type SourceReader, sourceOf } from './source-reader.ts';
import type {
  NewSyncedPerson,
  PersonState,
  SyncCounts,
  SyncKind,
  SyncRepository,
  SyncRun,
  SyncRunError,
  SyncTrigger,
} from './sync-repository.ts';
import { RosterSync } from './sync-rosters.ts';

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

/** Sign-in windows around a session's start: students sign in a little before, and a little late. */
/** Hard deletes a full reconcile applies at once: this share of the managed people, or this many. */
const vanishedShareMax = 0.05;
const vanishedCountFree = 10;
const actorId = 'identity-sync';

export type PageListener = (run: SyncRun) => Promise<void> | void;

interface RunState {
  run: SyncRun;
  counts: SyncCounts;
  rowsRead: number;
  rowsTotal: number;
  errorsStored: number;
}

/**
 * Identity sync (docs/sync.md): people from the academic-affairs and HR databases become persons
 * with cards and wallets; graduates and leavers have their cards closed out with the balance put
 * on the refund list; changed departments move people between admin scopes; invalid rows are
 * reported with a reason and not applied; class and exam rosters fill the attendance tables.
 */
export class SyncService {
  private readonly digestKey: Buffer;
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
  ) {
    this.digestKey = createHmac('sha256', Buffer.from(options.piiKeyHex, 'hex'))
      .update('identity-sync digest')
      .digest();
  }

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
    await this.reader?.close();
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
      await this.progress(state, 'counting');
      for (const stream of streams)
        await this.syncPeople(state, stream, since.get(stream) ?? { afterMs: 0, afterId: 0 });
      if (reader.has('academic')) await this.syncRosters(state);
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

  private async syncPeople(state: RunState, stream: PersonStream, since: Cursor): Promise<void> {
    const reader = this.reader as SourceReader;
    const seen = state.run.kind === 'full' ? new Set<string>() : undefined;
    let cursor = since;
    let advanced = false;
    for (;;) {
      const page = await reader.pagePeople(stream, cursor, this.options.pageRowsMax);
      if (page.length === 0) break;
      for (const row of page) if (row.personNo) seen?.add(row.personNo);
      await this.applyPage(
        state,
        stream,
        page.map((row) => judgeRow(row, this.digestKey)),
      );
      state.rowsRead += page.length;
      const last = page[page.length - 1] as (typeof page)[number];
      cursor = { afterMs: last.updatedAtMs, afterId: Number(last.rowId) };
      advanced = true;
      await this.progress(state, stream);
      if (page.length < this.options.pageRowsMax) break;
    }
    if (seen) await this.cancelVanished(state, stream, seen);
    // Only after the whole stream is applied: a run that fails part-way re-reads from the old mark.
    if (advanced) await this.repo.advanceWatermark(stream, cursor);
  }

  private async applyPage(
    state: RunState,
    stream: PersonStream,
    judged: (ValidPerson | InvalidRow)[],
  ): Promise<void> {
    const reader = this.reader as SourceReader;
    const invalid: InvalidRow[] = judged.filter(isInvalid);
    let valid = judged.filter((j): j is ValidPerson => !isInvalid(j));
    // A number on two source rows is ambiguous: neither row is applied until the source is fixed.
    const duplicates = await reader.duplicateNumbers(stream, [...new Set(valid.map((p) => p.personNo))]);
    const bad = (p: ValidPerson, code: InvalidRow['code'], reason: string) =>
      invalid.push({ stream, rowId: p.rowId, personNo: p.personNo, code, reason });
    valid = valid.filter((p) => {
      if (!duplicates.has(p.personNo)) return true;
      bad(p, 'DUPLICATE_NUMBER', 'the number is on more than one source row');
      return false;
    });
    const people = await this.repo.people(valid.map((p) => p.personNo));
    const toOpen: ValidPerson[] = [];
    const toUpdate: { state: PersonState; person: ValidPerson }[] = [];
    const toCancel: { state: PersonState; person: ValidPerson }[] = [];
    for (const p of valid) {
      const s = people.get(p.personNo);
      if (!s) {
        // Someone who already graduated or left before the card system knew them gets no card.
        if (!endsCard(p.status)) toOpen.push(p);
        continue;
      }
      if (s.source !== null && s.source !== sourceOf(stream)) {
        bad(p, 'NUMBER_IN_OTHER_SOURCE', `the number belongs to a person from the ${s.source} database`);
        continue;
      }
      if (s.digest === p.digest) continue;
      if (endsCard(p.status)) {
        // A card already cancelled still goes through cancel(): it finds the refund a crashed run left.
        if (endsCard(s.personStatus)) toUpdate.push({ state: s, person: p });
        else toCancel.push({ state: s, person: p });
      } else if (endsCard(s.personStatus) || s.cardStatus === 'cancelled') {
        bad(
          p,
          'CARD_ENDED',
          'the source shows this person active again but their card was cancelled; the card centre opens a new one',
        );
      } else {
        toUpdate.push({ state: s, person: p });
      }
    }
    await this.open(state, toOpen);
    if (toUpdate.length > 0) {
      await this.repo.updatePeople(
        toUpdate.map(({ state: s, person }) => ({
          state: s,
          person,
          idNumberEnc: person.idNumber ? this.pii.encrypt(person.idNumber) : null,
          phoneEnc: person.phone ? this.pii.encrypt(person.phone) : null,
          // A person whose card had already ended keeps their ended status.
          personStatus: endsCard(s.personStatus) && !endsCard(person.status) ? s.personStatus : person.status,
        })),
      );
      state.counts.updated += toUpdate.length;
    }
    await this.cancel(
      state,
      stream,
      toCancel.map(({ state: s, person }) => ({ state: s, person, status: person.status })),
    );
    await this.report(state, invalid);
  }

  private async open(state: RunState, people: readonly ValidPerson[]): Promise<void> {
    for (let i = 0; i < people.length; i += this.options.openChunkMax) {
      const chunk = people.slice(i, i + this.options.openChunkMax);
      const sealed = chunk.map((person) => ({
        person,
        idNumberEnc: person.idNumber ? this.pii.encrypt(person.idNumber) : null,
        phoneEnc: person.phone ? this.pii.encrypt(person.phone) : null,
      }));
      // Card numbers are random: a collision with an existing card rolls the chunk back, and it is
      // retried whole with new numbers.
      for (let attempt = 1; ; attempt++) {
        const items: NewSyncedPerson[] = sealed.map((s) => ({ ...s, cardNo: newCardNo() }));
        try {
          await this.repo.openPeople(
            items,
            { dailyLimit: this.options.dailyLimit, pinFreeLimit: this.options.pinFreeLimit },
            actorId,
          );
          break;
        } catch (error) {
          if (!isDuplicateKey(error) || attempt >= 3) throw error;
        }
      }
      state.counts.created += chunk.length;
    }
  }

  /**
   * Cancels cards through the ledger's close_out (the card and its balance refund in one
   * transaction); the operations of a page share the ledger's batches. The operation id is
   * sync:<run>:<card>: a refusal (a shower still running) is stored by the ledger under that id, so
   * the next run must ask afresh under its own; a card a crashed run already closed out is found
   * cancelled, and its refund is read back from that run's accepted operation.
   */
  private async cancel(
    state: RunState,
    stream: PersonStream,
    items: readonly { state: PersonState; person: ValidPerson | null; status: PersonStatus }[],
  ): Promise<void> {
    const failures: InvalidRow[] = [];
    await Promise.all(
      items.map(async (item) => {
        const cardNo = item.state.cardNo;
        if (!cardNo || item.state.cardStatus === 'cancelled') {
          const earlier = cardNo ? await this.repo.syncCloseOut(cardNo) : undefined;
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: earlier && cardNo ? { ...earlier, cardNo, reason: refundReason(item.status) } : null,
          });
          state.counts.updated += 1;
          return;
        }
        const operationId = `sync:${state.run.id}:${cardNo}`;
        const answer = await this.ledger.closeOut({
          id: operationId,
          cardNo,
          reason: `identity sync: ${item.status}`,
          actor: { type: 'system', id: actorId },
        });
        if (answer.status === 'ok') {
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: {
              operationId,
              cardNo,
              mainAmount: answer.mainAmount,
              subsidyAmount: answer.subsidyAmount,
              reason: refundReason(item.status),
            },
          });
          state.counts.cancelled += 1;
        } else if (answer.code === 'CARD_CANCELLED') {
          // Cancelled by the card centre between our read and the close-out: their refund, not ours.
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: null,
          });
          state.counts.updated += 1;
        } else {
          // Not applied at all; the person stays as they were and the next full reconcile retries.
          failures.push({
            stream,
            rowId: item.person?.rowId ?? '',
            personNo: item.state.personNo,
            code: answer.code,
            reason: `the card could not be closed out: ${answer.message}`,
          });
        }
      }),
    );
    await this.report(state, failures);
  }

  /** Full reconcile: people the sync manages whose source row is gone (hard-deleted) leave. */
  private async cancelVanished(
    state: RunState,
    stream: PersonStream,
    seen: ReadonlySet<string>,
  ): Promise<void> {
    const managed = await this.repo.managedNumbers(sourceOf(stream));
    const gone = managed.filter((n) => !seen.has(n));
    // An emptied or half-restored source table must not cancel a campus's cards: past the limit the
    // run stops before cancelling anyone, and the source is fixed (or rows marked left) instead.
    const allowed = Math.max(vanishedCountFree, Math.floor(managed.length * vanishedShareMax));
    if (gone.length > allowed) {
      throw new Error(
        `refused to cancel ${gone.length} of ${managed.length} ${stream} people missing from the source (at most ${allowed} at once); check the source, or mark leavers with a status instead of deleting them`,
      );
    }
    for (let i = 0; i < gone.length; i += this.options.pageRowsMax) {
      const people = await this.repo.people(gone.slice(i, i + this.options.pageRowsMax));
      await this.cancel(
        state,
        stream,
        [...people.values()].map((s) => ({ state: s, person: null, status: 'left' as const })),
      );
    }
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

  // ---- Rosters -------------------------------------------------------------------------

  private async syncRosters(state: RunState): Promise<void> {
    await new RosterSync(this.repo, this.reader as SourceReader, this.options.overlapMs).sync(
      state.run.kind,
      state.counts,
      {
        report: (rows) => this.report(state, rows),
        progress: (phase) => this.progress(state, phase),
      },
    );
  }
}

/** The refund list's reason for a person the sync closed out: graduated, or left (withdrawn, retired, gone). */
function refundReason(status: PersonStatus): 'graduated' | 'left' {
  return status === 'graduated' ? 'graduated' : 'left';
}
