// Bank 圈存 (docs/funds.md § Bank): binding a bank card (bank-binding.ts), loads and payouts as
// transfers the bank books once (bank-transfers.ts), settling what a crash or a lost answer left
// and the end-of-day check (bank-reconciliation.ts). This service holds them together with the
// auto top-up, the payouts on leaving and the jobs.

import type { Logger } from 'pino';
import type { CardService } from '../cards/card-service.ts';
import type {
  AutoTopUpOutcome,
  AutoTopUpView,
  BankBindingView,
  BankMismatchView,
  BankTransferStatus,
  BankTransferView,
} from '../contract/bank.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import type { RefundService } from '../refunds/refund-service.ts';
import { formatDay, shanghaiDay } from '../time.ts';
import { BankBindings } from './bank-binding.ts';
import type { BankGateway } from './bank-gateway.ts';
import { BankReconciliation } from './bank-reconciliation.ts';
import type { BankRepository } from './bank-repository.ts';
import { BankTransfers, monthNumber } from './bank-transfers.ts';

export { loadOperationId } from './bank-transfers.ts';

export interface BankOptions {
  /** Largest single load, fen (the ledger's top-up ceiling). */
  loadAmountMax: number;
  /** Wrong SMS codes allowed per binding request. */
  smsAttemptsMax: number;
  /** A pending transfer older than this is the resolve job's (well past the bank call's timeout). */
  resolveAfterMs: number;
  /** Transfers the resolve job takes per run. */
  resolveBatchMax: number;
}

export const bankOptionsDefault: BankOptions = {
  loadAmountMax: 50_000_00,
  smsAttemptsMax: 5,
  resolveAfterMs: 60_000,
  resolveBatchMax: 200,
};

export class BankService {
  private jobs: Job[] = [];
  private readonly bindings: BankBindings;
  private readonly moves: BankTransfers;
  private readonly reconciliation: BankReconciliation;

  constructor(
    private readonly repo: BankRepository,
    private readonly cards: CardService,
    ledger: LedgerService,
    private readonly refunds: RefundService,
    notices: NoticeRepository,
    private readonly gateway: BankGateway | undefined,
    private readonly log: Logger,
    private readonly options: BankOptions = bankOptionsDefault,
  ) {
    const bank = () => this.bank();
    this.bindings = new BankBindings(repo, cards, bank, options.smsAttemptsMax);
    this.moves = new BankTransfers(repo, cards, ledger, refunds, notices, bank, log, options.loadAmountMax);
    this.reconciliation = new BankReconciliation(repo, this.moves, gateway, bank, options);
  }

  private bank(): BankGateway {
    if (!this.gateway) throw new CoreError('BANK_UNAVAILABLE', 'no bank front end is configured (BANK_URL)');
    return this.gateway;
  }

  // ---- binding ------------------------------------------------------------------------------------

  startBinding(input: {
    cardNo: string;
    bankCardNumber: string;
    idNumber: string;
    phone: string;
  }): Promise<BankBindingView> {
    return this.bindings.startBinding(input);
  }

  confirmBinding(input: { cardNo: string; bindingId: string; smsCode: string }): Promise<BankBindingView> {
    return this.bindings.confirmBinding(input);
  }

  binding(cardNo: string): Promise<BankBindingView | null> {
    return this.bindings.binding(cardNo);
  }

  unbind(cardNo: string): Promise<{ removed: number }> {
    return this.bindings.unbind(cardNo);
  }

  // ---- loads (圈存) -------------------------------------------------------------------------------

  load(
    input: { cardNo: string; amount: number; idempotencyKey: string },
    origin: 'app' | 'auto' | 'kiosk' = 'app',
  ): Promise<BankTransferView> {
    return this.moves.load(input, origin);
  }

  transfer(id: string): Promise<BankTransferView> {
    return this.moves.transfer(id);
  }

  transfers(filter: {
    cardNo?: string;
    status?: BankTransferStatus;
    limit: number;
    beforeId?: string;
  }): Promise<BankTransferView[]> {
    return this.moves.transfers(filter);
  }

  // ---- auto top-up --------------------------------------------------------------------------------

  async autoTopUp(cardNo: string): Promise<AutoTopUpView | null> {
    const s = await this.repo.autoTopUp(cardNo);
    if (!s) return null;
    const thisMonth = monthNumber(Date.now());
    return {
      cardNo: s.cardNo,
      enabled: s.enabled,
      threshold: s.threshold,
      amount: s.amount,
      monthlyCap: s.monthlyCap,
      monthUsed: s.month === thisMonth ? s.monthUsed : 0,
      lastDay: s.lastDay === null ? null : formatDay(s.lastDay),
    };
  }

  async setAutoTopUp(input: {
    cardNo: string;
    enabled: boolean;
    threshold: number;
    amount: number;
    monthlyCap: number;
  }): Promise<AutoTopUpView> {
    if (input.amount > this.options.loadAmountMax)
      throw new CoreError('AMOUNT_OUT_OF_RANGE', 'the amount is outside the allowed range', {
        max: this.options.loadAmountMax,
      });
    await this.cards.get(input.cardNo);
    if (input.enabled && !(await this.repo.activeBinding(input.cardNo)))
      throw new CoreError('BANK_NOT_BOUND', 'bind a bank card before turning auto top-up on');
    await this.repo.saveAutoTopUp({ ...input, nowMs: Date.now() });
    return (await this.autoTopUp(input.cardNo)) as AutoTopUpView;
  }

  /**
   * One check of one card: below its threshold, today's one load and its share of the month's cap
   * are reserved in one conditional UPDATE before the bank is asked, so any number of triggers at
   * once (payments, the job, several cores) load at most once a day.
   */
  async triggerAutoTopUp(cardNo: string): Promise<AutoTopUpOutcome> {
    const settings = await this.repo.autoTopUp(cardNo);
    if (!settings?.enabled) return { outcome: 'off' };
    const card = await this.cards.get(cardNo);
    if (card.status !== 'active' || card.balance.main >= settings.threshold) return { outcome: 'not_needed' };
    const nowMs = Date.now();
    const day = shanghaiDay(nowMs);
    const month = monthNumber(nowMs);
    if (!(await this.repo.reserveAutoLoad(cardNo, day, month, nowMs))) {
      const again = await this.repo.autoTopUp(cardNo);
      if (!again?.enabled) return { outcome: 'off' };
      return { outcome: again.lastDay === day ? 'already_today' : 'cap_reached' };
    }
    let transfer: BankTransferView;
    try {
      transfer = await this.load({ cardNo, amount: settings.amount, idempotencyKey: `auto-${day}` }, 'auto');
    } catch (error) {
      // Refused before any transfer existed (no binding, card not active): the reservation goes back.
      await this.repo.releaseAutoLoad(cardNo, month, settings.amount);
      throw error;
    }
    return {
      outcome:
        transfer.status === 'credited'
          ? 'loaded'
          : transfer.status === 'failed' || transfer.status === 'reversed'
            ? 'failed'
            : 'uncertain',
      transfer,
    };
  }

  /** Checks every card with auto top-up on (the job; also after payments where a caller asks). */
  async runAutoTopUps(): Promise<number> {
    let after = '';
    let loaded = 0;
    for (;;) {
      const cards = await this.repo.enabledAutoTopUps(after, 200);
      for (const cardNo of cards) {
        try {
          const r = await this.triggerAutoTopUp(cardNo);
          if (r.outcome === 'loaded') loaded++;
        } catch (error) {
          this.log.warn(
            { err: error instanceof CoreError ? error.code : 'error' },
            'auto top-up check failed',
          );
        }
      }
      if (cards.length < 200) return loaded;
      after = cards.at(-1) as string;
    }
  }

  // ---- payouts on leaving -------------------------------------------------------------------------

  /**
   * Pays refund-list entries whose card has a bank card bound to that bank card: a credit transfer
   * (id derived from the close-out), then, once the bank booked it, the refund list's own payout
   * through the bank channel (SYS-REFUND-PAYABLE -> SYS-BANK-TRANSFER). Entries without a binding
   * stay on the list for the counter.
   */
  async payRefundsToBank(limit = 100): Promise<number> {
    if (!this.gateway) return 0;
    let paid = 0;
    for (const entry of await this.refunds.list('due', limit)) {
      // The transfer's key names the close-out; a close-out id too long for it stays for the counter.
      if (entry.mainAmount <= 0 || entry.operationId.length > 57) continue;
      const binding = await this.repo.activeBinding(entry.cardNo);
      if (!binding?.token) continue;
      const key = `refund-${entry.operationId}`;
      let transfer = await this.repo.transferByKey(entry.cardNo, key);
      if (!transfer) {
        const nowMs = Date.now();
        transfer = await this.repo.insertTransfer({
          id: `bk${newId(nowMs)}`,
          cardNo: entry.cardNo,
          bindingId: binding.id,
          direction: 'payout',
          origin: 'refund',
          idempotencyKey: key,
          amount: entry.mainAmount,
          day: shanghaiDay(nowMs),
          nowMs,
        });
        if (!transfer) continue;
        const answer = await this.gateway.transfer({
          transferId: transfer.id,
          token: binding.token,
          amount: transfer.amount,
          kind: 'credit',
        });
        const after = await this.moves.apply(transfer, answer, 'asked');
        if (after.status === 'credited') paid++;
      } else if (transfer.status === 'confirmed') {
        if ((await this.moves.credit(transfer)).status === 'credited') paid++;
      }
    }
    return paid;
  }

  // ---- resolution and reconciliation ------------------------------------------------------------

  resolve(): Promise<{ settled: number; left: number }> {
    return this.reconciliation.resolve();
  }

  reconcile(date: string): Promise<{ checked: number; mismatches: number; confirmed: number }> {
    return this.reconciliation.reconcile(date);
  }

  mismatches(limit: number): Promise<BankMismatchView[]> {
    return this.reconciliation.mismatches(limit);
  }

  /** The resolve job (also auto top-ups and payouts) every intervalMs, and the day-file check at 02:00 Shanghai. */
  startJobs(intervalMs: number, lock?: JobLock): void {
    if (!this.gateway) return;
    this.jobs.push(
      schedule({
        name: 'bank-resolve',
        everyMs: intervalMs,
        log: this.log,
        lock,
        runAtStart: true,
        run: async () => {
          await this.resolve();
          await this.runAutoTopUps();
          await this.payRefundsToBank();
        },
      }),
      schedule({
        name: 'bank-reconcile',
        cron: '0 0 2 * * *',
        log: this.log,
        lock,
        run: () => this.reconcile(formatDay(shanghaiDay(Date.now()) - 1)),
      }),
    );
  }

  async stopJobs(): Promise<void> {
    await Promise.all(this.jobs.map((j) => j.stop()));
    this.jobs = [];
  }
}
