// Bank 圈存 (docs/funds.md § Bank). A load moves money from the student's bank account to the card:
// the transfer row is written (pending) before the bank is asked, the bank debits once per transfer
// id, and only a transfer the bank has booked is credited to the card, by a ledger top_up with the
// deterministic id bk:<transfer id> drawn from SYS-BANK-TRANSFER. A transfer whose answer was lost is
// never guessed at: the asker sends a reversal (冲正); one a crash left pending is settled by the
// resolve job from the bank's own record, and the end-of-day file is checked against ours.

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
import { formatDay, monthOf, shanghaiDay } from '../time.ts';
import { type BankGateway, type BankTransferAnswer, BankUnanswered } from './bank-gateway.ts';
import type { BankBinding, BankRepository, BankTransfer } from './bank-repository.ts';

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

/** The ledger operation of a load: one per transfer, so a retry or a second resolver never credits twice. */
export const loadOperationId = (transferId: string): string => `bk:${transferId}`;

const monthNumber = (atMs: number): number => {
  const { year, month } = monthOf(atMs);
  return year * 100 + month;
};

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export class BankService {
  private jobs: Job[] = [];

  constructor(
    private readonly repo: BankRepository,
    private readonly cards: CardService,
    private readonly ledger: LedgerService,
    private readonly refunds: RefundService,
    private readonly notices: NoticeRepository,
    private readonly gateway: BankGateway | undefined,
    private readonly log: Logger,
    private readonly options: BankOptions = bankOptionsDefault,
  ) {}

  private bank(): BankGateway {
    if (!this.gateway) throw new CoreError('BANK_UNAVAILABLE', 'no bank front end is configured (BANK_URL)');
    return this.gateway;
  }

  // ---- binding ------------------------------------------------------------------------------------

  /**
   * Sends the bank card, the card holder's name and the ID number and phone the student gave to the
   * bank, which checks them against its account and texts a code. The card number is not kept: only
   * its masked form, computed here, and later the bank's agreement token.
   */
  async startBinding(input: {
    cardNo: string;
    bankCardNumber: string;
    idNumber: string;
    phone: string;
  }): Promise<BankBindingView> {
    const card = await this.cards.get(input.cardNo);
    if (card.status === 'cancelled') throw new CoreError('CARD_CANCELLED', 'the card is cancelled');
    const answer = await this.askBank(() =>
      this.bank().verify({
        cardNumber: input.bankCardNumber,
        name: card.name,
        idNumber: input.idNumber.toUpperCase(),
        phone: input.phone,
      }),
    );
    if (answer.kind === 'refused')
      throw new CoreError('BANK_BINDING_REFUSED', 'the bank did not accept this card for this holder', {
        reason: answer.code,
      });
    const n = input.bankCardNumber;
    const id = newId();
    await this.repo.insertBinding({
      id,
      cardNo: input.cardNo,
      requestId: answer.requestId,
      masked: `${n.slice(0, 6)}******${n.slice(-4)}`,
      phoneTail: answer.phoneTail.slice(-4),
      nowMs: Date.now(),
    });
    return view(await this.bindingOf(id));
  }

  /**
   * The SMS code: an attempt is taken (conditional UPDATE) before the code goes to the bank, so a
   * burst of guesses gets no more tries than smsAttemptsMax.
   */
  async confirmBinding(input: {
    cardNo: string;
    bindingId: string;
    smsCode: string;
  }): Promise<BankBindingView> {
    const binding = await this.bindingOf(input.bindingId);
    if (binding.cardNo !== input.cardNo) throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    if (binding.status === 'active') return view(binding);
    if (binding.status !== 'pending') throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    if (!(await this.repo.takeSmsAttempt(binding.id, binding.cardNo, this.options.smsAttemptsMax)))
      throw new CoreError('BANK_SMS_LOCKED', 'too many wrong codes: start the binding again');
    const answer = await this.askBank(() => this.bank().confirm(binding.requestId ?? '', input.smsCode));
    if (answer.kind === 'refused') {
      const left = Math.max(0, this.options.smsAttemptsMax - binding.smsAttempts - 1);
      throw new CoreError('BANK_SMS_CODE_WRONG', 'the SMS code is not right', { attemptsLeft: left });
    }
    await this.repo.activate(binding.id, binding.cardNo, answer.token, answer.masked, Date.now());
    return view(await this.bindingOf(binding.id));
  }

  async binding(cardNo: string): Promise<BankBindingView | null> {
    const b = await this.repo.activeBinding(cardNo);
    return b ? view(b) : null;
  }

  async unbind(cardNo: string): Promise<{ removed: number }> {
    return { removed: await this.repo.remove(cardNo, Date.now()) };
  }

  // ---- loads (圈存) -------------------------------------------------------------------------------

  /**
   * 圈存 on request. A retry with the same idempotency key finds its transfer (and finishes it if a
   * crash left it half-way); a new key is a new transfer.
   */
  async load(
    input: { cardNo: string; amount: number; idempotencyKey: string },
    origin: 'app' | 'auto' | 'kiosk' = 'app',
  ): Promise<BankTransferView> {
    if (input.amount < 1 || input.amount > this.options.loadAmountMax)
      throw new CoreError('AMOUNT_OUT_OF_RANGE', 'the amount is outside the allowed range', {
        max: this.options.loadAmountMax,
      });
    const seen = await this.repo.transferByKey(input.cardNo, input.idempotencyKey);
    if (seen) return this.finish(seen);
    const card = await this.cards.get(input.cardNo);
    if (card.status !== 'active')
      throw new CoreError(
        card.status === 'lost' ? 'CARD_LOST' : card.status === 'frozen' ? 'CARD_FROZEN' : 'CARD_CANCELLED',
        'the card cannot take a load now',
      );
    const binding = await this.repo.activeBinding(input.cardNo);
    if (!binding?.token) throw new CoreError('BANK_NOT_BOUND', 'no bank card is bound to this card');
    this.bank();
    const nowMs = Date.now();
    const inserted = await this.repo.insertTransfer({
      id: `bk${newId(nowMs)}`,
      cardNo: input.cardNo,
      bindingId: binding.id,
      direction: 'load',
      origin,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      day: shanghaiDay(nowMs),
      nowMs,
    });
    // A racing request with the same key inserted first: answer its transfer.
    const transfer = inserted ?? (await this.repo.transferByKey(input.cardNo, input.idempotencyKey));
    if (!transfer) throw new Error('a transfer vanished after its insert');
    if (!inserted) return this.finish(transfer);
    const answer = await this.bank().transfer({
      transferId: transfer.id,
      token: binding.token,
      amount: transfer.amount,
      kind: 'debit',
    });
    return this.apply(transfer, answer, 'asked');
  }

  /** A transfer found by its key: a pending one older than the resolve bound, or a confirmed one, is moved on. */
  private async finish(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status === 'confirmed') return this.credit(transfer);
    return strip(transfer);
  }

  /**
   * What the bank's answer to the transfer itself (or, from the resolve job, to a query) makes of
   * a transfer. Each arrow is a conditional move, so a resolver racing the asker moves it once.
   */
  private async apply(
    transfer: BankTransfer,
    answer: BankTransferAnswer,
    source: 'asked' | 'queried',
  ): Promise<BankTransferView> {
    const nowMs = Date.now();
    if (answer.kind === 'no_answer') {
      if (source === 'queried') return strip(transfer);
      // The bank may have booked it: from here on only a reversal or the bank's record settles it.
      await this.repo.move(transfer.id, ['pending'], 'uncertain', nowMs);
      return this.reverse(await this.reread(transfer.id));
    }
    switch (answer.status) {
      case 'succeeded':
        // Only from pending: once a reversal may be on its way, the transfer is never credited.
        await this.repo.move(transfer.id, ['pending'], 'confirmed', nowMs, { serial: answer.serial });
        return this.credit(await this.reread(transfer.id));
      case 'failed':
        await this.repo.move(transfer.id, ['pending', 'uncertain'], 'failed', nowMs, {
          serial: answer.serial,
          code: answer.code ?? 'BANK_REFUSED',
        });
        await this.afterFailure(await this.reread(transfer.id));
        return strip(await this.reread(transfer.id));
      case 'reversed':
        await this.repo.move(transfer.id, ['pending', 'uncertain'], 'reversed', nowMs, {
          serial: answer.serial,
        });
        await this.afterFailure(await this.reread(transfer.id));
        return strip(await this.reread(transfer.id));
      case 'unknown':
        // The bank never saw it (asked: impossible; queried: the request never arrived). Reverse, so
        // the original, should it still arrive, is refused.
        await this.repo.move(transfer.id, ['pending'], 'uncertain', nowMs);
        return this.reverse(await this.reread(transfer.id));
    }
  }

  /** 冲正 of an uncertain transfer; without an answer it stays uncertain for the next run of the job. */
  private async reverse(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status !== 'uncertain')
      return transfer.status === 'confirmed' ? this.credit(transfer) : strip(transfer);
    const answer = await this.bank().reverse(transfer.id);
    if (answer.kind === 'no_answer') return strip(transfer);
    const nowMs = Date.now();
    // A reversal of a transfer the bank had refused answers its refusal: the transfer failed.
    const to: BankTransferStatus = answer.status === 'failed' ? 'failed' : 'reversed';
    if (answer.status === 'succeeded') {
      // The bank could not undo it: it keeps uncertain and shows up in the day file's check.
      this.log.warn({ transferId: transfer.id }, 'bank answered a reversal with a booked transfer');
      return strip(transfer);
    }
    await this.repo.move(transfer.id, ['uncertain'], to, nowMs, { code: answer.code });
    const after = await this.reread(transfer.id);
    await this.afterFailure(after);
    return strip(after);
  }

  /** confirmed -> credited through the ledger; a refusal stored by the ledger makes it unapplied. */
  private async credit(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status !== 'confirmed') return strip(transfer);
    if (transfer.direction === 'payout') return this.completePayout(transfer);
    const answer = await this.ledger.topUp({
      id: loadOperationId(transfer.id),
      cardNo: transfer.cardNo,
      amount: transfer.amount,
      channel: 'bank',
    });
    const nowMs = Date.now();
    if (answer.status === 'ok') await this.repo.move(transfer.id, ['confirmed'], 'credited', nowMs);
    else if (answer.code !== 'OVERLOADED')
      await this.repo.move(transfer.id, ['confirmed'], 'unapplied', nowMs, { code: answer.code });
    const after = await this.reread(transfer.id);
    if (after.origin === 'auto' && after.status === 'credited') await this.tell(after);
    return strip(after);
  }

  private async afterFailure(transfer: BankTransfer): Promise<void> {
    if (transfer.origin !== 'auto' || (transfer.status !== 'failed' && transfer.status !== 'reversed'))
      return;
    await this.repo.releaseAutoLoad(transfer.cardNo, monthNumber(transfer.createdAtMs), transfer.amount);
    await this.tell(transfer);
  }

  /** The in-app notice of an automatic load, once per transfer and outcome. */
  private async tell(transfer: BankTransfer): Promise<void> {
    const card = await this.cards.get(transfer.cardNo);
    const binding = await this.repo.binding(transfer.bindingId);
    const tail = binding?.masked.slice(-4) ?? '';
    const ok = transfer.status === 'credited';
    await this.notices.insertMissing([
      {
        id: `bank-auto:${transfer.id}:${ok ? 'ok' : 'no'}`.slice(0, 64),
        personId: card.personId,
        kind: 'bank_auto_top_up',
        title: ok ? '自动圈存已到账' : '自动圈存未成功',
        body: ok
          ? `校园卡余额低于您设置的金额，已从尾号 ${tail} 的银行卡圈存 ${yuan(transfer.amount)}。`
          : `校园卡余额低于您设置的金额，从尾号 ${tail} 的银行卡圈存 ${yuan(transfer.amount)} 未成功，未扣款。`,
        data: { transferId: transfer.id, amount: transfer.amount, status: transfer.status },
        createdAtMs: Date.now(),
      },
    ]);
  }

  async transfer(id: string): Promise<BankTransferView> {
    const t = await this.repo.transfer(id);
    if (!t) throw new CoreError('BANK_TRANSFER_NOT_FOUND', 'no such bank transfer');
    return strip(t);
  }

  async transfers(filter: {
    cardNo?: string;
    status?: BankTransferStatus;
    limit: number;
    beforeId?: string;
  }): Promise<BankTransferView[]> {
    return (await this.repo.list(filter)).map(strip);
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
        const after = await this.apply(transfer, answer, 'asked');
        if (after.status === 'credited') paid++;
      } else if (transfer.status === 'confirmed') {
        if ((await this.credit(transfer)).status === 'credited') paid++;
      }
    }
    return paid;
  }

  private async completePayout(transfer: BankTransfer): Promise<BankTransferView> {
    const closeOutId = transfer.idempotencyKey.replace(/^refund-/, '');
    try {
      await this.refunds.payout(closeOutId, {
        channel: 'bank',
        actorId: 'bank',
        note: `bank ${transfer.id}`,
      });
      await this.repo.move(transfer.id, ['confirmed'], 'credited', Date.now());
    } catch (error) {
      if (!(error instanceof CoreError) || error.code === 'OVERLOADED') throw error;
      // Paid by hand meanwhile: the bank credit is a second payment, for finance to recover.
      await this.repo.move(transfer.id, ['confirmed'], 'unapplied', Date.now(), { code: error.code });
    }
    return strip(await this.reread(transfer.id));
  }

  // ---- resolution and reconciliation ------------------------------------------------------------

  /**
   * Settles what requests left behind: confirmed transfers are credited; pending ones (the asker
   * died, or its answer never came) are queried and follow the bank's record, an unknown one being
   * reversed; uncertain ones get their reversal again until the bank answers it.
   */
  async resolve(): Promise<{ settled: number; left: number }> {
    if (!this.gateway) return { settled: 0, left: 0 };
    const due = await this.repo.unsettled(
      Date.now() - this.options.resolveAfterMs,
      this.options.resolveBatchMax,
    );
    let settled = 0;
    for (const t of due) {
      let after: BankTransferView;
      if (t.status === 'confirmed') after = await this.credit(t);
      else if (t.status === 'uncertain') after = await this.reverse(t);
      else after = await this.apply(t, await this.gateway.query(t.id), 'queried');
      if (!['pending', 'uncertain', 'confirmed'].includes(after.status)) settled++;
    }
    return { settled, left: due.length - settled };
  }

  /**
   * The end-of-day check of one Shanghai day ('YYYY-MM-DD') against the bank's file. A transfer the
   * bank booked that we still have pending is confirmed and credited (the file is the bank's word);
   * every other difference is recorded once for finance.
   */
  async reconcile(date: string): Promise<{ checked: number; mismatches: number; confirmed: number }> {
    const text = await this.askBank(() => this.bank().reconciliationFile(date));
    const theirs = new Map<string, { kind: string; amount: number; status: string; serial: string }>();
    for (const line of text.split('\n').slice(1)) {
      const [id, kind, amount, status, serial] = line.trim().split(',');
      if (!id || !kind || amount === undefined || !status) continue;
      theirs.set(id, { kind, amount: Number(amount), status, serial: serial ?? '' });
    }
    const dayNo = Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    const ours = new Map((await this.repo.forDay(dayNo)).map((t) => [t.id, t]));
    const nowMs = Date.now();
    let mismatches = 0;
    let confirmed = 0;
    const found = async (m: Omit<BankMismatchView, 'foundAtMs' | 'billDate'>) => {
      mismatches++;
      await this.repo.recordMismatch({ billDate: date, ...m }, nowMs);
    };
    for (const [id, bank] of theirs) {
      const t = ours.get(id);
      if (!t) {
        await found({
          transferId: id,
          kind: 'missing_ours',
          ours: null,
          theirs: `${bank.status} ${bank.amount}`,
        });
        continue;
      }
      if (bank.amount !== t.amount) {
        await found({
          transferId: id,
          kind: 'amount_differs',
          ours: `${t.status} ${t.amount}`,
          theirs: `${bank.status} ${bank.amount}`,
        });
        continue;
      }
      if (bank.status === 'succeeded' && t.status === 'pending') {
        await this.repo.move(id, ['pending'], 'confirmed', nowMs, { serial: bank.serial });
        const after = await this.credit(await this.reread(id));
        if (after.status === 'credited') confirmed++;
        continue;
      }
      const agree =
        (bank.status === 'succeeded' && ['confirmed', 'credited', 'unapplied'].includes(t.status)) ||
        (bank.status === 'reversed' && ['reversed', 'uncertain', 'failed'].includes(t.status));
      if (!agree) await found({ transferId: id, kind: 'state_differs', ours: t.status, theirs: bank.status });
    }
    for (const t of ours.values())
      if (!theirs.has(t.id) && ['confirmed', 'credited', 'unapplied'].includes(t.status))
        await found({
          transferId: t.id,
          kind: 'missing_theirs',
          ours: `${t.status} ${t.amount}`,
          theirs: null,
        });
    return { checked: theirs.size, mismatches, confirmed };
  }

  mismatches(limit: number): Promise<BankMismatchView[]> {
    return this.repo.mismatches(limit);
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

  private async bindingOf(id: string): Promise<BankBinding> {
    const b = await this.repo.binding(id);
    if (!b) throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    return b;
  }

  private async reread(id: string): Promise<BankTransfer> {
    const t = await this.repo.transfer(id);
    if (!t) throw new Error(`bank transfer ${id} vanished`);
    return t;
  }

  /** A binding step the bank did not answer is the student's to try again. */
  private async askBank<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof BankUnanswered)
        throw new CoreError('BANK_UNAVAILABLE', 'the bank did not answer; try again');
      throw error;
    }
  }
}

function view(b: BankBinding): BankBindingView {
  return {
    id: b.id,
    cardNo: b.cardNo,
    status: b.status,
    masked: b.masked,
    phoneTail: b.phoneTail,
    boundAtMs: b.boundAtMs,
  };
}

function strip(t: BankTransfer): BankTransferView {
  return {
    id: t.id,
    cardNo: t.cardNo,
    direction: t.direction,
    origin: t.origin,
    amount: t.amount,
    status: t.status,
    bankSerial: t.bankSerial,
    failureCode: t.failureCode,
    createdAtMs: t.createdAtMs,
    updatedAtMs: t.updatedAtMs,
  };
}
