import { createHash } from 'node:crypto';
import type { AuditLog } from '../admin/audit-log.ts';
import type {
  DecideResolution,
  ProposeResolution,
  Settlement,
  SettlementException,
  SettlementFile,
  SettlementLine,
} from '../contract/federation.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import { channelAccount, systemAccounts } from '../ledger/operations.ts';
import type { Logger } from '../log.ts';
import { formatDay, parseDay, shanghaiDay } from '../time.ts';
import type { AsksRepository } from './asks-repository.ts';
import type { FederationLinks } from './federation-links.ts';
import type {
  Difference,
  FederationSettlementRepository,
  StoredResolution,
} from './settlement-repository.ts';
import type { TrustList } from './trust-list.ts';

export const settlementFilePath = (day: string) => `/federation/v1/settlement/${day}`;

/**
 * The daily inter-centre settlement (docs/federation.md § Settlement). Each centre makes its file of a
 * Shanghai day for the other — its cards' payments at the other's devices, and the other's cards at its
 * own — keyed by the device centre's operation id. Reconciling fetches the other's file over the link and
 * compares both directions line by line: every difference is an exception on this side (the other side,
 * reconciling, finds the same ones from its view). A day without exceptions can have its net recorded:
 * the payable set against the receivable, and the net paid between the centres (an outside bank
 * transfer) booked against the bank transfer account, both as idempotent ledger adjustments.
 */
export class FederationSettlement {
  private job: Job | undefined;

  constructor(
    private readonly trust: TrustList,
    private readonly repository: FederationSettlementRepository,
    private readonly asks: AsksRepository,
    private readonly ledger: LedgerService,
    private readonly links: FederationLinks,
    private readonly audit: AuditLog,
    private readonly ownCentreId: string,
  ) {}

  /**
   * Reconciles a day with every active centre; a centre that does not answer, or a day whose net is
   * already recorded, is left as it is (logged). Answers how many were reconciled.
   */
  async reconcileAll(dayText: string, log?: Logger): Promise<number> {
    let reconciled = 0;
    for (const centre of await this.trust.list()) {
      if (centre.status !== 'active') continue;
      try {
        await this.reconcile(centre.id, dayText);
        reconciled += 1;
      } catch (error) {
        log?.warn(
          { centreId: centre.id, day: dayText, code: (error as CoreError).code },
          'centre day not reconciled',
        );
      }
    }
    return reconciled;
  }

  /**
   * Yesterday (Asia/Shanghai) with every centre, every hour until its net is recorded, so a day's
   * exceptions are on both backoffices the morning after and disappear once settled. Once per tick
   * across core instances with a lock.
   */
  startDaily(log: Logger, lock?: JobLock): void {
    this.job = schedule({
      name: 'federation-settlement',
      everyMs: 3_600_000,
      log,
      lock,
      run: () => this.reconcileAll(formatDay(shanghaiDay(Date.now()) - 1), log),
    });
  }

  async stopDaily(): Promise<void> {
    await this.job?.stop();
  }

  /** Our file for the asking centre. */
  async file(callerCentreId: string, dayText: string): Promise<SettlementFile> {
    const centre = await this.trust.activeCentre(callerCentreId);
    const day = dayOf(dayText);
    const prefix = `fed:${callerCentreId}:`;
    return {
      centreId: this.ownCentreId,
      day: dayText,
      debits: (await this.repository.debits(centre.merchantId, day)).map((l) => ({
        id: l.id.startsWith(prefix) ? l.id.slice(prefix.length) : l.id,
        amount: l.amount,
      })),
      sales: await this.repository.sales(centre.receivableAccountId, day),
    };
  }

  async reconcile(centreId: string, dayText: string): Promise<Settlement> {
    const ours = await this.file(centreId, dayText);
    const centre = await this.trust.activeCentre(centreId);
    let theirs: SettlementFile;
    try {
      theirs = await this.links.call<SettlementFile>(centre, 'GET', settlementFilePath(dayText));
    } catch {
      throw new CoreError('FEDERATION_UNAVAILABLE', `centre ${centreId} did not send its file`);
    }
    // Its cards at our devices: our sales against its debits; our cards at its devices: the other way.
    const exceptions = [
      ...differences('receivable', ours.sales, theirs.debits),
      ...differences('payable', ours.debits, theirs.sales),
    ];
    const receivableAmount = sum(ours.sales);
    const payableAmount = sum(ours.debits);
    const fromFiles = {
      centreId,
      receivableAmount,
      payableAmount,
      netAmount: receivableAmount - payableAmount,
      // Its file's own totals: its debits are what we receive, its sales what we pay.
      theirReceivableAmount: sum(theirs.debits),
      theirPayableAmount: sum(theirs.sales),
      netRecordedAtMs: null,
    };
    // An exception resolved before (the same line, the same figures) stays resolved: the day's figures
    // are the files' moved by its resolution, and it no longer blocks the net.
    const replaced = await this.repository.replace(centreId, dayOf(dayText), Date.now(), (resolutions) => {
      let receivable = receivableAmount;
      let payable = payableAmount;
      let openCount = 0;
      for (const e of exceptions) {
        const r = resolutionOf(e, resolutions);
        if (r?.status !== 'resolved') {
          openCount += 1;
          continue;
        }
        if (e.direction === 'receivable') receivable += r.settledAmount - (e.ourAmount ?? 0);
        else payable += r.settledAmount - (e.ourAmount ?? 0);
      }
      return {
        settlement: {
          ...fromFiles,
          receivableAmount: receivable,
          payableAmount: payable,
          netAmount: receivable - payable,
        },
        exceptions,
        openCount,
      };
    });
    if (!replaced) throw new CoreError('INVALID_TRANSITION', 'the net of that day is already recorded');
    return this.get(centreId, dayText);
  }

  async get(centreId: string, dayText: string): Promise<Settlement> {
    const day = dayOf(dayText);
    const stored = await this.repository.settlement(centreId, day);
    if (!stored) throw new CoreError('NOT_FOUND', 'that day is not reconciled with that centre');
    return { ...stored, day: dayText, exceptions: await this.exceptions(centreId, day) };
  }

  /** The day's exceptions with their state: open, asked again (reasked), proposed or resolved. */
  private async exceptions(centreId: string, day: number): Promise<SettlementException[]> {
    const differences = await this.repository.exceptions(centreId, day);
    const resolutions = await this.repository.resolutions(centreId, day);
    const reasked = await this.asks.reasked(
      differences.filter((e) => e.direction === 'receivable').map((e) => e.operationId),
    );
    return differences.map((e) => {
      const r = resolutionOf(e, resolutions);
      const resolution =
        r === undefined
          ? null
          : {
              action: r.action,
              settledAmount: r.settledAmount,
              reason: r.reason,
              makerId: r.makerId,
              checkerId: r.checkerId,
              proposedAtMs: r.proposedAtMs,
              resolvedAtMs: r.resolvedAtMs,
            };
      const state =
        r !== undefined
          ? r.status
          : e.direction === 'receivable' && reasked.has(e.operationId)
            ? 'reasked'
            : 'open';
      return { ...e, state, resolution };
    });
  }

  /**
   * The maker's resolution of one exception (docs/federation.md § Settling an exception): accept_theirs
   * settles the line at the other centre's figure (the difference booked here), write_off closes it at our
   * own (the other centre's differing line written off, nothing booked). The two centres agree when one
   * accepts the other's line and the other writes it off. A second admin approves it (decide). Audited.
   */
  async propose(centreId: string, dayText: string, input: ProposeResolution): Promise<Settlement> {
    const day = dayOf(dayText);
    const settlement = await this.get(centreId, dayText);
    if (settlement.netRecordedAtMs !== null)
      throw new CoreError('INVALID_TRANSITION', 'the net of that day is already recorded');
    const e = settlement.exceptions.find(
      (x) => x.direction === input.direction && x.operationId === input.operationId,
    );
    if (e === undefined) throw new CoreError('NOT_FOUND', 'no such exception on that day');
    if (e.state === 'resolved') throw new CoreError('INVALID_TRANSITION', 'that exception is resolved');
    if (e.state === 'proposed') {
      if (e.resolution?.makerId === input.adminId && e.resolution.action === input.action) return settlement;
      throw new CoreError('INVALID_TRANSITION', 'a resolution of that exception awaits a second admin');
    }
    const our = e.ourAmount ?? 0;
    const their = e.theirAmount ?? 0;
    const proposedAtMs = Date.now();
    const stale = (await this.repository.resolutions(centreId, day)).some(
      (r) => r.direction === e.direction && r.operationId === e.operationId,
    );
    const proposed = await this.repository.propose(
      centreId,
      day,
      {
        direction: e.direction,
        operationId: e.operationId,
        kind: e.kind,
        ourAmount: e.ourAmount,
        theirAmount: e.theirAmount,
        action: input.action,
        settledAmount: input.action === 'accept_theirs' ? their : our,
        reason: input.reason,
        status: 'proposed',
        makerId: input.adminId,
        checkerId: null,
        proposedAtMs,
        resolvedAtMs: null,
      },
      stale,
    );
    if (!proposed) throw new CoreError('INVALID_TRANSITION', 'a resolution of that exception stands already');
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.exception_propose',
      targetType: 'centre',
      targetId: centreId,
      detail: {
        day: dayText,
        direction: e.direction,
        operationId: e.operationId,
        action: input.action,
        reason: input.reason,
      },
    });
    return this.get(centreId, dayText);
  }

  /**
   * A second admin's decision on a proposed resolution: approved, the line settles at its figure (the
   * difference booked against SYS-ADJUSTMENT, the day's figures moved, the net no longer blocked by it);
   * rejected, the exception is open again. The maker cannot decide (MAKER_CANNOT_CHECK). Audited.
   */
  async decide(centreId: string, dayText: string, input: DecideResolution): Promise<Settlement> {
    const day = dayOf(dayText);
    const settlement = await this.get(centreId, dayText);
    const e = settlement.exceptions.find(
      (x) => x.direction === input.direction && x.operationId === input.operationId,
    );
    if (e === undefined) throw new CoreError('NOT_FOUND', 'no such exception on that day');
    if (e.state === 'resolved' && input.decision === 'approve' && e.resolution?.checkerId === input.adminId) {
      await this.bookResolution(centreId, dayText, e);
      return settlement;
    }
    if (e.state !== 'proposed' || e.resolution === null)
      throw new CoreError('INVALID_TRANSITION', 'no resolution of that exception awaits a decision');
    if (e.resolution.makerId === input.adminId)
      throw new CoreError('MAKER_CANNOT_CHECK', 'a second admin must decide what you proposed');
    const key = { direction: e.direction, operationId: e.operationId };
    if (input.decision === 'reject') {
      if (!(await this.repository.reject(centreId, day, key)))
        throw new CoreError('INVALID_TRANSITION', 'no resolution of that exception awaits a decision');
    } else {
      const delta = e.resolution.settledAmount - (e.ourAmount ?? 0);
      const approved = await this.repository.approve(centreId, day, key, input.adminId, Date.now(), {
        receivable: e.direction === 'receivable' ? delta : 0,
        payable: e.direction === 'payable' ? delta : 0,
      });
      if (!approved)
        throw new CoreError('INVALID_TRANSITION', 'no resolution of that exception awaits a decision');
      await this.bookResolution(centreId, dayText, { ...e, resolution: e.resolution });
    }
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: input.decision === 'approve' ? 'federation.exception_resolve' : 'federation.exception_reject',
      targetType: 'centre',
      targetId: centreId,
      detail: {
        day: dayText,
        direction: e.direction,
        operationId: e.operationId,
        action: e.resolution.action,
        settledAmount: e.resolution.settledAmount,
        makerId: e.resolution.makerId,
      },
    });
    return this.get(centreId, dayText);
  }

  /**
   * A resolved exception's difference into the ledger, under an id of its own (posted once): what the
   * centre owes us (its receivable) or we owe it (its merchant account) moved to the resolved figure,
   * against SYS-ADJUSTMENT, so both accounts come back to nothing when the net is booked.
   */
  private async bookResolution(centreId: string, dayText: string, e: SettlementException): Promise<void> {
    if (e.resolution === null) return;
    const delta = e.resolution.settledAmount - (e.ourAmount ?? 0);
    if (delta === 0) return;
    const centre = await this.trust.activeCentre(centreId);
    const id = `fedres:${createHash('sha256').update(`${centreId}:${dayText}:${e.direction}:${e.operationId}`).digest('hex').slice(0, 40)}`;
    const reason = `联盟中心 ${centreId} ${dayText} 差异核销 ${e.operationId}`.slice(0, 200);
    await this.book(
      e.direction === 'receivable'
        ? {
            id,
            accountId: systemAccounts.adjustment,
            counterAccountId: centre.receivableAccountId,
            amount: delta,
            reason,
          }
        : {
            id,
            accountId: await this.trust.merchantAccountOf(centre.merchantId),
            counterAccountId: systemAccounts.adjustment,
            amount: delta,
            reason,
          },
    );
  }

  /**
   * The net of a reconciled day without exceptions, paid between the centres, into the ledger. The day is
   * marked first, so two calls book once; the ledger ids make a call after a crash finish the booking.
   */
  async recordNet(centreId: string, dayText: string, adminId: string): Promise<Settlement> {
    const day = dayOf(dayText);
    const marked = await this.repository.markNetRecorded(centreId, day, Date.now());
    const settlement = await this.get(centreId, dayText);
    if (settlement.exceptions.some((e) => e.state !== 'resolved'))
      throw new CoreError('INVALID_TRANSITION', 'the day has exceptions to clear first');
    // Booked at approval; again here (posted once) in case a crash came between the two.
    for (const e of settlement.exceptions) await this.bookResolution(centreId, dayText, e);
    const centre = await this.trust.activeCentre(centreId);
    const merchantAccount = await this.trust.merchantAccountOf(centre.merchantId);
    const reason = `联盟中心 ${centreId} ${dayText} 清算`;
    const idOf = (step: string) => `fednet:${centreId}:${dayText}:${step}`;
    // What we owe it is set against what it owes us; the rest is the bank transfer between the centres.
    if (settlement.payableAmount > 0)
      await this.book({
        id: idOf('offset'),
        accountId: merchantAccount,
        counterAccountId: centre.receivableAccountId,
        amount: -settlement.payableAmount,
        reason,
      });
    if (settlement.netAmount !== 0)
      await this.book({
        id: idOf('paid'),
        accountId: centre.receivableAccountId,
        counterAccountId: channelAccount.bank,
        amount: settlement.netAmount,
        reason,
      });
    if (marked)
      await this.audit.append({
        actorType: 'admin',
        actorId: adminId,
        action: 'federation.net_record',
        targetType: 'centre',
        targetId: centreId,
        detail: { day: dayText, netAmount: settlement.netAmount },
      });
    return this.get(centreId, dayText);
  }

  private async book(request: Parameters<LedgerService['adjust']>[0]): Promise<void> {
    const answer = await this.ledger.adjust(request);
    if (answer.status !== 'ok') throw new CoreError(answer.code, answer.message);
  }
}

function dayOf(text: string): number {
  const day = parseDay(text);
  if (day === undefined) throw new CoreError('VALIDATION_FAILED', 'a day is YYYY-MM-DD');
  return day;
}

function sum(lines: readonly SettlementLine[]): number {
  return lines.reduce((total, l) => total + l.amount, 0);
}

/** The resolution kept for an exception, if it was made for the exception as it is (kind and figures). */
function resolutionOf(e: Difference, resolutions: readonly StoredResolution[]): StoredResolution | undefined {
  return resolutions.find(
    (r) =>
      r.direction === e.direction &&
      r.operationId === e.operationId &&
      r.kind === e.kind &&
      r.ourAmount === e.ourAmount &&
      r.theirAmount === e.theirAmount,
  );
}

/** Lines only ours has, only theirs has, or with different amounts. */
function differences(
  direction: SettlementException['direction'],
  ours: readonly SettlementLine[],
  theirs: readonly SettlementLine[],
): Difference[] {
  const theirsById = new Map(theirs.map((l) => [l.id, l.amount]));
  const oursById = new Map(ours.map((l) => [l.id, l.amount]));
  const found: Difference[] = [];
  for (const [operationId, ourAmount] of oursById) {
    const theirAmount = theirsById.get(operationId);
    if (theirAmount === undefined)
      found.push({ direction, operationId, kind: 'missing_there', ourAmount, theirAmount: null });
    else if (theirAmount !== ourAmount)
      found.push({ direction, operationId, kind: 'amount_differs', ourAmount, theirAmount });
  }
  for (const [operationId, theirAmount] of theirsById)
    if (!oursById.has(operationId))
      found.push({ direction, operationId, kind: 'missing_here', ourAmount: null, theirAmount });
  return found;
}
