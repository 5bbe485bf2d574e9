import type { AuditLog } from '../admin/audit-log.ts';
import type {
  Settlement,
  SettlementException,
  SettlementFile,
  SettlementLine,
} from '../contract/federation.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import { channelAccount } from '../ledger/operations.ts';
import type { Logger } from '../log.ts';
import { formatDay, parseDay, shanghaiDay } from '../time.ts';
import type { FederationLinks } from './federation-links.ts';
import type { FederationSettlementRepository } from './settlement-repository.ts';
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
    const stored = {
      centreId,
      receivableAmount,
      payableAmount,
      netAmount: receivableAmount - payableAmount,
      // Its file's own totals: its debits are what we receive, its sales what we pay.
      theirReceivableAmount: sum(theirs.debits),
      theirPayableAmount: sum(theirs.sales),
      netRecordedAtMs: null,
    };
    if (!(await this.repository.replace(stored, dayOf(dayText), exceptions, Date.now())))
      throw new CoreError('INVALID_TRANSITION', 'the net of that day is already recorded');
    return this.get(centreId, dayText);
  }

  async get(centreId: string, dayText: string): Promise<Settlement> {
    const day = dayOf(dayText);
    const stored = await this.repository.settlement(centreId, day);
    if (!stored) throw new CoreError('NOT_FOUND', 'that day is not reconciled with that centre');
    return { ...stored, day: dayText, exceptions: await this.repository.exceptions(centreId, day) };
  }

  /**
   * The net of a reconciled day without exceptions, paid between the centres, into the ledger. The day is
   * marked first, so two calls book once; the ledger ids make a call after a crash finish the booking.
   */
  async recordNet(centreId: string, dayText: string, adminId: string): Promise<Settlement> {
    const day = dayOf(dayText);
    const marked = await this.repository.markNetRecorded(centreId, day, Date.now());
    const settlement = await this.get(centreId, dayText);
    if (settlement.exceptions.length > 0)
      throw new CoreError('INVALID_TRANSITION', 'the day has exceptions to clear first');
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

/** Lines only ours has, only theirs has, or with different amounts. */
function differences(
  direction: SettlementException['direction'],
  ours: readonly SettlementLine[],
  theirs: readonly SettlementLine[],
): SettlementException[] {
  const theirsById = new Map(theirs.map((l) => [l.id, l.amount]));
  const oursById = new Map(ours.map((l) => [l.id, l.amount]));
  const found: SettlementException[] = [];
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
