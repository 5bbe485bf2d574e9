import type {
  SubsidySource as BatchSource,
  SubsidyInputRow as InputRow,
  SubsidyPreview as Preview,
} from '../contract/subsidies.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import { findTextProblem } from '../text.ts';
import { formatDay, shanghaiDay } from '../time.ts';
import { yuanToFen } from './amount.ts';
import { parseCsv } from './csv.ts';
import type {
  BatchStatus,
  Payee,
  RowError,
  SubsidyBatch,
  SubsidyClearing,
  SubsidyRepository,
  SubsidyRow,
} from './subsidy-repository.ts';
import { readXlsx } from './xlsx.ts';

export interface SubsidyOptions {
  /** A batch whose total is above this (fen) must be approved by a second admin before posting. */
  approvalThreshold: number;
  /** Rows sent to the ledger at once while posting; also how often progress is recorded. */
  pageRowsMax: number;
  rowsPerBatchMax: number;
  /**
   * Waits before each new attempt of a posting or clearing run that failed (a lost database connection,
   * a deadlock at COMMIT, a Galera failover). Safe because every row's ledger operation has a fixed id:
   * a page run again gets the stored answers back. After the last one the run stays resumable (post
   * again, or the next start of a core).
   */
  retryDelaysMs: readonly number[];
}

export const defaultSubsidyOptions: Omit<SubsidyOptions, 'approvalThreshold'> = {
  pageRowsMax: 200,
  rowsPerBatchMax: 20_000,
  retryDelaysMs: [500, 2_000, 5_000, 15_000, 30_000, 60_000],
};

export type {
  SubsidyInputRow as InputRow,
  SubsidyPreview as Preview,
  SubsidySource as BatchSource,
} from '../contract/subsidies.ts';

const personNoPattern = /^[A-Za-z0-9_-]{1,32}$/;
/** A first CSV line naming its columns (学号/工号/personNo …) is a header, not a payee. */
const headerCell = /^(学号|工号|编号|人员编号|person.?no)/i;

/**
 * Subsidy batches: import, preview, maker–checker, and posting through the ledger's subsidy
 * operation in pages with deterministic ids; plus term-end clearing of the subsidy wallets.
 */
export class SubsidyService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly wakeOnClose = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly repo: SubsidyRepository,
    private readonly ledger: LedgerService,
    private readonly log: Logger,
    private readonly options: SubsidyOptions,
  ) {}

  /** Validates rows against the people and cards, moving nothing and storing nothing. */
  async preview(source: BatchSource): Promise<Preview> {
    const rows = await this.validate(await this.inputRows(source));
    return summarise(rows);
  }

  async create(input: {
    title: string;
    createdBy: string;
    source: BatchSource;
  }): Promise<SubsidyBatch & { rows: SubsidyRow[] }> {
    const rows = await this.validate(await this.inputRows(input.source));
    const summary = summarise(rows);
    if (summary.rowCount === 0) throw new CoreError('VALIDATION_FAILED', 'the batch has no rows');
    const nowMs = Date.now();
    const id = newId(nowMs);
    const batch: SubsidyBatch = {
      id,
      title: input.title,
      source: 'department' in input.source || 'classCode' in input.source ? 'group' : 'list',
      status: 'draft',
      rowCount: summary.rowCount,
      validCount: summary.validCount,
      errorCount: summary.errorCount,
      totalAmount: summary.totalAmount,
      postedCount: 0,
      postedAmount: 0,
      failedCount: 0,
      approvalRequired: false,
      progress: { done: 0, total: summary.validCount },
      createdBy: input.createdBy,
      approvedBy: null,
      rejectedBy: null,
      rejectReason: null,
      postedBy: null,
      createdAtMs: nowMs,
      decidedAtMs: null,
      postingStartedAtMs: null,
      postedAtMs: null,
    };
    await this.repo.insertBatch(batch, rows);
    return { ...(await this.get(id)), rows };
  }

  async get(id: string): Promise<SubsidyBatch> {
    const batch = await this.repo.batch(id);
    if (!batch) throw new CoreError('SUBSIDY_BATCH_NOT_FOUND', 'no such subsidy batch');
    return this.withRule(batch);
  }

  async list(q: { status?: BatchStatus; limit: number; beforeId?: string }): Promise<SubsidyBatch[]> {
    const batches = await this.repo.batches(q);
    const day = formatDay(shanghaiDay(Date.now()));
    const usedBy = new Map<string, number>();
    for (const b of batches)
      if (b.status === 'draft' && !usedBy.has(b.createdBy))
        usedBy.set(b.createdBy, await this.repo.makerDayTotal(b.createdBy, 'subsidy_batch', day));
    return batches.map((b) => this.ruled(b, usedBy.get(b.createdBy) ?? 0));
  }

  /**
   * Whether a checker must approve the batch before it is posted, as post() decides it now: above
   * the threshold, or a draft that would take its maker's unchecked total for today (Asia/Shanghai)
   * past the threshold (#12.9). So the batch shows as waiting for approval, is listed in the
   * approval queue, and offers no 入账 exactly when posting it would be refused (#19.2).
   */
  private async withRule(batch: SubsidyBatch): Promise<SubsidyBatch> {
    const used =
      batch.status === 'draft'
        ? await this.repo.makerDayTotal(batch.createdBy, 'subsidy_batch', formatDay(shanghaiDay(Date.now())))
        : 0;
    return this.ruled(batch, used);
  }

  private ruled(batch: SubsidyBatch, makerDayUsed: number): SubsidyBatch {
    const threshold = this.options.approvalThreshold;
    const approvalRequired =
      batch.totalAmount > threshold ||
      (batch.status === 'draft' && makerDayUsed + batch.totalAmount > threshold);
    return { ...batch, approvalRequired };
  }

  async rows(
    id: string,
    q: { errorsOnly?: boolean; afterRowNo?: number; limit: number },
  ): Promise<SubsidyRow[]> {
    await this.get(id);
    return this.repo.rows(id, q);
  }

  /** The checker's approval: never the maker (the database refuses it too). */
  async approve(id: string, actorId: string): Promise<SubsidyBatch> {
    const batch = await this.get(id);
    if (batch.createdBy === actorId)
      throw new CoreError('MAKER_CANNOT_CHECK', 'the admin who made the batch cannot approve it');
    const done = await this.repo.transition(id, ['draft'], 'approved', {
      approved_by: actorId,
      decided_at_ms: Date.now(),
    });
    if (!done) throw transitionError(await this.get(id), 'approve');
    return this.get(id);
  }

  async reject(id: string, actorId: string, reason: string): Promise<SubsidyBatch> {
    await this.get(id);
    const done = await this.repo.transition(id, ['draft', 'approved'], 'rejected', {
      rejected_by: actorId,
      reject_reason: reason,
      decided_at_ms: Date.now(),
    });
    if (!done) throw transitionError(await this.get(id), 'reject');
    return this.get(id);
  }

  /**
   * Starts posting (approved, or a draft at or under the threshold), or resumes a batch left posting
   * by a stopped process; answers at once with the progress, which GET keeps reporting.
   */
  async post(id: string, actorId: string): Promise<SubsidyBatch> {
    const batch = await this.get(id);
    if (batch.status === 'draft' && batch.totalAmount > this.options.approvalThreshold)
      throw new CoreError(
        'APPROVAL_REQUIRED',
        `a batch above ${this.options.approvalThreshold} fen needs a second admin's approval first`,
        { threshold: this.options.approvalThreshold, totalAmount: batch.totalAmount },
      );
    // A draft posted without a checker counts toward its maker's total for the Asia/Shanghai day,
    // reserved before it starts: two batches of 6,000 under a 10,000 threshold cannot both go
    // without approval, however they are split or raced (#12.9).
    const day = formatDay(shanghaiDay(Date.now()));
    const unchecked = batch.status === 'draft';
    if (unchecked) {
      const reserved = await this.repo.reserveMakerDay(
        batch.createdBy,
        'subsidy_batch',
        day,
        batch.totalAmount,
        this.options.approvalThreshold,
      );
      if (!reserved)
        throw new CoreError(
          'APPROVAL_REQUIRED',
          `its maker's batches posted without approval today would pass ${this.options.approvalThreshold} fen; a second admin must approve it first`,
          { threshold: this.options.approvalThreshold, totalAmount: batch.totalAmount, day },
        );
    }
    if (batch.status !== 'posting' && batch.status !== 'posted') {
      const started = await this.repo.transition(
        id,
        ['draft', 'approved'],
        'posting',
        { posted_by: actorId, posting_started_at_ms: Date.now() },
        " AND (status = 'approved' OR total_amount <= ?)",
        [this.options.approvalThreshold],
      );
      if (!started) {
        if (unchecked)
          await this.repo.releaseMakerDay(batch.createdBy, 'subsidy_batch', day, batch.totalAmount);
        const now = await this.get(id);
        if (now.status !== 'posting' && now.status !== 'posted') throw transitionError(now, 'post');
      }
    }
    if ((await this.get(id)).status === 'posting') this.run(id);
    return this.get(id);
  }

  /** Resumes every batch and clearing a stopped process left running. */
  async resume(): Promise<void> {
    for (const id of await this.repo.postingBatchIds()) this.run(id);
    const clearing = await this.repo.runningClearing();
    if (clearing) this.runClearing(clearing.id);
  }

  /** Waits for a batch's or clearing's run in this process (tests, shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakeOnClose) wake();
    await Promise.allSettled([...this.running.values()]);
  }

  // Term-end clearing.

  async startClearing(input: { reason: string; createdBy: string }): Promise<SubsidyClearing> {
    const nowMs = Date.now();
    const id = newId(nowMs);
    if (!(await this.repo.insertClearing({ id, ...input, createdAtMs: nowMs }))) {
      const running = await this.repo.runningClearing();
      throw new CoreError('CLEARING_RUNNING', 'a subsidy clearing is already running', {
        id: running?.id ?? null,
      });
    }
    this.runClearing(id);
    return this.clearing(id);
  }

  /** What a clearing started now would move, for the confirmation before it starts (#19.1). */
  clearingPreview(): Promise<{ cardCount: number; totalAmount: number }> {
    return this.repo.clearingPreview();
  }

  async clearing(id: string): Promise<SubsidyClearing> {
    const clearing = await this.repo.clearing(id);
    if (!clearing) throw new CoreError('SUBSIDY_CLEARING_NOT_FOUND', 'no such subsidy clearing');
    return clearing;
  }

  clearings(limit: number): Promise<SubsidyClearing[]> {
    return this.repo.clearings(limit);
  }

  private run(id: string): void {
    this.track(id, () => this.postPages(id));
  }

  private runClearing(id: string): void {
    this.track(id, () => this.clearPages(id));
  }

  /**
   * One run per id in this process. A failed run is tried again after each of retryDelaysMs (it resumes
   * where the stored progress is); after the last, it is logged and the state stays resumable.
   */
  private track(id: string, work: () => Promise<void>): void {
    if (this.running.has(id) || this.closed) return;
    const attempt = async (): Promise<void> => {
      for (let failures = 0; ; failures++) {
        try {
          return await work();
        } catch (error) {
          const delayMs = this.options.retryDelaysMs[failures];
          if (delayMs === undefined || this.closed) {
            this.log.error({ err: error, id }, 'subsidy run stopped; post again to resume');
            return;
          }
          this.log.warn({ err: error, id, retryInMs: delayMs }, 'subsidy run failed; trying again');
          await this.pause(delayMs);
          if (this.closed) return;
        }
      }
    };
    const run = attempt().finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  /** Waits delayMs, or less when the service is closed meanwhile (shutdown does not wait a minute). */
  private pause(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeOnClose.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      this.wakeOnClose.add(wake);
    });
  }

  private async postPages(batchId: string): Promise<void> {
    while (!this.closed) {
      const page = await this.repo.pendingRows(batchId, this.options.pageRowsMax);
      if (page.length === 0) break;
      // The id makes each row's payment happen once: a page run again after a crash gets the
      // stored answers back as replays.
      const answers = await Promise.all(
        page.map((row) =>
          this.ledger.subsidize({
            id: `sub:${batchId}:${row.rowNo}`,
            cardNo: row.cardNo,
            amount: row.amount,
          }),
        ),
      );
      await this.repo.recordAnswers(
        batchId,
        answers.map((a, i) => ({
          rowNo: (page[i] as { rowNo: number }).rowNo,
          code: a.status === 'ok' ? null : a.code,
        })),
      );
    }
    if (!this.closed)
      await this.repo.transition(batchId, ['posting'], 'posted', { posted_at_ms: Date.now() });
  }

  private async clearPages(clearingId: string): Promise<void> {
    const reason = (await this.clearing(clearingId)).reason;
    let cursor = await this.repo.clearingCursor(clearingId);
    while (!this.closed) {
      const cards = await this.repo.cardsToClear(cursor, this.options.pageRowsMax);
      if (cards.length === 0) break;
      const answers = await Promise.all(
        cards.map((cardNo) =>
          this.ledger.clearSubsidy({ id: `clr:${clearingId}:${cardNo}`, cardNo, reason }),
        ),
      );
      let count = 0;
      let amount = 0;
      for (const a of answers) {
        if (a.status === 'ok' && a.amount > 0) {
          count += 1;
          amount += a.amount;
        }
      }
      cursor = cards[cards.length - 1] as string;
      await this.repo.advanceClearing(clearingId, { lastCardNo: cursor, count, amount });
    }
    if (!this.closed) await this.repo.finishClearing(clearingId, Date.now());
  }

  private async inputRows(source: BatchSource): Promise<InputRow[]> {
    let rows: InputRow[];
    if ('rows' in source) rows = source.rows;
    else if ('csv' in source) rows = sheetRows(parseCsv(source.csv));
    else if ('xlsxBase64' in source)
      rows = sheetRows(
        await readXlsx(Buffer.from(source.xlsxBase64, 'base64'), this.options.rowsPerBatchMax + 1),
      );
    else {
      const group = await this.repo.group(
        'department' in source ? { department: source.department } : { classCode: source.classCode },
        this.options.rowsPerBatchMax + 1,
      );
      rows = group.map((p) => ({ personNo: p.personNo, amount: source.amount, note: source.note }));
    }
    if (rows.length > this.options.rowsPerBatchMax)
      throw new CoreError('VALIDATION_FAILED', `a batch has at most ${this.options.rowsPerBatchMax} rows`);
    // A sheet is text from outside like a request body: an xlsx cell can carry any control character
    // (OOXML's _x0000_ escape), which the HTTP edge never saw inside the base64.
    for (const [i, row] of rows.entries()) {
      const problem = findTextProblem(row, { lineBreaks: true });
      if (problem)
        throw new CoreError('VALIDATION_FAILED', `row ${i + 1}, ${problem.path}: ${problem.message}`);
    }
    return rows;
  }

  private async validate(input: readonly InputRow[]): Promise<SubsidyRow[]> {
    const payees = await this.repo.payees([
      ...new Set(input.map((r) => r.personNo).filter((p) => personNoPattern.test(p))),
    ]);
    const seen = new Set<string>();
    return input.map((r, i): SubsidyRow => {
      const found: Payee | undefined = payees.get(r.personNo);
      const amount = yuanToFen(r.amount);
      let error: RowError | null = null;
      if (!personNoPattern.test(r.personNo) || (r.note !== undefined && r.note.length > 200))
        error = 'BAD_ROW';
      else if (seen.has(r.personNo)) error = 'DUPLICATE_ROW';
      else if (!found) error = 'UNKNOWN_PERSON';
      else if (found.cardStatus !== 'active') error = 'NO_ACTIVE_CARD';
      else if (amount === undefined) error = 'BAD_AMOUNT';
      seen.add(r.personNo);
      return {
        rowNo: i + 1,
        personNo: r.personNo.slice(0, 32),
        name: found?.name ?? null,
        cardNo: found?.cardNo ?? null,
        amount: error === null ? (amount as number) : null,
        amountText: r.amount.slice(0, 32),
        note: r.note?.slice(0, 200) ?? null,
        error,
        status: error === null ? 'pending' : 'invalid',
        resultCode: null,
      };
    });
  }
}

/** Sheet cells (person number, amount in yuan, note) to rows; a first line naming its columns is skipped. */
function sheetRows(cells: string[][]): InputRow[] {
  if (cells[0] && headerCell.test((cells[0][0] ?? '').trim())) cells.shift();
  return cells.map((c) => ({
    personNo: (c[0] ?? '').trim(),
    amount: (c[1] ?? '').trim(),
    note: c[2]?.trim() || undefined,
  }));
}

function summarise(rows: SubsidyRow[]): Preview {
  const valid = rows.filter((r) => r.error === null);
  return {
    rowCount: rows.length,
    validCount: valid.length,
    errorCount: rows.length - valid.length,
    totalAmount: valid.reduce((sum, r) => sum + (r.amount ?? 0), 0),
    rows,
  };
}

function transitionError(batch: SubsidyBatch, action: string): CoreError {
  return new CoreError('INVALID_TRANSITION', `cannot ${action} a batch that is ${batch.status}`, {
    status: batch.status,
  });
}
