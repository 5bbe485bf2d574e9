import type { CardService } from '../cards/card-service.ts';
import type { FeeBill, FeeCardPayment, FeeItem, FeePayment, FeeReceipt } from '../contract/fees.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import { channelAccount } from '../ledger/operations.ts';
import type { Logger } from '../log.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { FeeChannelRefundRepository } from './fee-channel-refund-repository.ts';
import type { FeeRepository } from './fee-repository.ts';

/** A platform refund of a fee payment as the top-up refund path starts it (id = the top-up refund's). */
export interface FeeChannelRefund {
  /** The fee payment, which is also the platform order's id. */
  paymentId: string;
  refundId: string;
  amount: number;
  reason: string;
}

/** A payment still pending this long had its call die between the reservation and the ledger's answer. */
const pendingGraceMs = 60_000;

/**
 * Fees (#16, docs/funds.md): paying and refunding the bills (the items themselves are FeeItems'). Each item's income goes to its own merchant account (fee_items.merchant_id), the
 * item's clearing account, settled daily and checked by ledger:check like any merchant's. A card
 * payment reserves the bill's remaining due with a conditional UPDATE, then pays through the ledger
 * with the id fee:<payment id>; a refusal gives the reservation back. A refund reserves on the
 * payment, then refunds through the ledger (merchant → wallets) and lowers the bill.
 */
export class FeeService {
  private resolver: Job | undefined;
  /** Starts (again) the top-up refund of a platform refund left without one (set by the wiring). */
  private resumeChannelRefund: ((refund: FeeChannelRefund) => Promise<unknown>) | undefined;

  constructor(
    private readonly repo: FeeRepository,
    private readonly ledger: LedgerService,
    private readonly cards: CardService,
    private readonly merchants: MerchantService,
    private readonly log: Logger,
    /** Refunds of platform-paid fees (sql/064); without it they are refused as before. */
    private readonly channelRefunds?: FeeChannelRefundRepository,
  ) {}

  /** How a platform refund left without its top-up refund (a crash between the two) is started again. */
  resumeChannelRefundsWith(resume: (refund: FeeChannelRefund) => Promise<unknown>): void {
    this.resumeChannelRefund = resume;
  }

  async bill(id: string): Promise<FeeBill & { payments: FeePayment[] }> {
    const bill = await this.repo.bill(id);
    if (!bill) throw new CoreError('FEE_BILL_NOT_FOUND', 'no such fee bill');
    return { ...bill, payments: await this.repo.paymentsOfBill(id) };
  }

  /** What the card's holder owes and has paid, item by item. */
  async billsOfCard(cardNo: string): Promise<FeeBill[]> {
    const card = await this.cards.get(cardNo);
    return this.repo.billsOfPerson(card.personId);
  }

  billsOfItem(itemId: string, status: 'unpaid' | 'paid' | undefined, limit: number): Promise<FeeBill[]> {
    return this.repo.billsOfItem(itemId, status, limit);
  }

  /** Pays (part of) a bill from a card's wallets; a retry with the same id answers the same payment. */
  async payByCard(billId: string, request: FeeCardPayment): Promise<FeePayment> {
    const bill = await this.repo.bill(billId);
    if (!bill) throw new CoreError('FEE_BILL_NOT_FOUND', 'no such fee bill');
    const existing = await this.repo.payment(request.id);
    if (existing) return this.sameOrReused(existing, billId, request);
    const item = (await this.repo.item(bill.itemId)) as FeeItem;
    const left = bill.amountDue - bill.amountPaid;
    if (left <= 0) throw new CoreError('FEE_ALREADY_PAID', 'this bill is paid');
    if (request.amount > left)
      throw new CoreError('FEE_AMOUNT_EXCEEDS_DUE', `at most ${left} fen is owed`, { owed: left });
    if (!item.allowPartial && request.amount !== left)
      throw new CoreError('FEE_PARTIAL_NOT_ALLOWED', `this item is paid in full: ${left} fen`, {
        owed: left,
      });
    await this.cards.get(request.cardNo);
    const now = Date.now();
    const inserted = await this.repo.insertPayment({
      id: request.id,
      billId,
      cardNo: request.cardNo,
      amount: request.amount,
      channel: 'card',
      receiptNo: `R${newId(now)}`,
      createdAtMs: now,
    });
    if (!inserted)
      return this.sameOrReused((await this.repo.payment(request.id)) as FeePayment, billId, request);
    if (!(await this.repo.reserve(billId, request.amount, item.allowPartial, now))) {
      // Another payment took the same part first.
      await this.repo.settlePayment(request.id, 'refused', 'FEE_AMOUNT_EXCEEDS_DUE', Date.now());
      return (await this.repo.payment(request.id)) as FeePayment;
    }
    const answer = await this.ledger.pay({
      id: `fee:${request.id}`,
      cardNo: request.cardNo,
      merchantId: item.merchantId,
      amount: request.amount,
      ...(request.pin === undefined ? {} : { pin: request.pin }),
    });
    await this.settle(request.id, billId, request.amount, answer.status === 'ok' ? undefined : answer.code);
    return (await this.repo.payment(request.id)) as FeePayment;
  }

  /**
   * Whether a platform order (WeChat Pay, Alipay) for `amount` of the bill may be placed for the card's
   * holder: the bill is theirs, still owed, and the amount is what the item allows. Checked again when
   * the payment arrives (payByChannel), since the bill may be paid meanwhile.
   */
  async checkChannelOrder(billId: string, cardNo: string, amount: number): Promise<void> {
    const bill = await this.repo.bill(billId);
    const card = await this.cards.get(cardNo);
    if (!bill || bill.personId !== card.personId)
      throw new CoreError('FEE_BILL_NOT_FOUND', 'no such fee bill');
    const left = bill.amountDue - bill.amountPaid;
    if (left <= 0) throw new CoreError('FEE_ALREADY_PAID', 'this bill is paid');
    if (amount > left)
      throw new CoreError('FEE_AMOUNT_EXCEEDS_DUE', `at most ${left} fen is owed`, { owed: left });
    if (!bill.item.allowPartial && amount !== left)
      throw new CoreError('FEE_PARTIAL_NOT_ALLOWED', `this item is paid in full: ${left} fen`, {
        owed: left,
      });
  }

  /**
   * A platform said a fee order is paid: the payment (id = the order's id) reserves the bill, then the
   * ledger moves the money from the channel's clearing account to the item's clearing account under
   * `operationId` (wx:<transaction_id> or ali:<trade_no>), never through the card. Answers 'paid', or
   * the refusal (the bill was paid meanwhile, by the wallet or another order): nothing moved, the
   * platform's money is refunded by the caller. Safe to call again with the same arguments.
   */
  async payByChannel(input: {
    paymentId: string;
    billId: string;
    cardNo: string;
    amount: number;
    channel: 'wechat' | 'alipay';
    operationId: string;
  }): Promise<{ status: 'paid' } | { status: 'refused'; code: string }> {
    const bill = await this.repo.bill(input.billId);
    if (!bill) throw new CoreError('FEE_BILL_NOT_FOUND', 'no such fee bill');
    const now = Date.now();
    const inserted = await this.repo.insertPayment({
      id: input.paymentId,
      billId: input.billId,
      cardNo: input.cardNo,
      amount: input.amount,
      channel: input.channel,
      receiptNo: `R${newId(now)}`,
      createdAtMs: now,
      operationId: input.operationId,
    });
    if (inserted) {
      const item = (await this.repo.item(bill.itemId)) as FeeItem;
      // A bill paid meanwhile (or an amount the item no longer allows) is refused: never collected twice.
      if (!(await this.repo.reserve(input.billId, input.amount, item.allowPartial, now))) {
        const code = bill.amountPaid >= bill.amountDue ? 'FEE_ALREADY_PAID' : 'FEE_AMOUNT_EXCEEDS_DUE';
        await this.repo.settlePayment(input.paymentId, 'refused', code, Date.now());
      } else
        await this.collectFromChannel(
          input.paymentId,
          input.billId,
          input.amount,
          input.channel,
          input.operationId,
        );
    } else {
      const existing = (await this.repo.payment(input.paymentId)) as FeePayment;
      if (existing.billId !== input.billId || existing.amount !== input.amount)
        throw new CoreError('ID_REUSED', 'this payment id was used for another payment');
      if (existing.status === 'pending')
        await this.collectFromChannel(
          input.paymentId,
          input.billId,
          input.amount,
          input.channel,
          input.operationId,
        );
    }
    const payment = (await this.repo.payment(input.paymentId)) as FeePayment;
    if (payment.status === 'paid') return { status: 'paid' };
    if (payment.status === 'refused')
      return { status: 'refused', code: payment.failureCode ?? 'FEE_ALREADY_PAID' };
    throw new CoreError('OVERLOADED', 'the fee payment is still pending; try again');
  }

  /** The channel's clearing account → the item's clearing account, once per operation id. */
  private async collectFromChannel(
    paymentId: string,
    billId: string,
    amount: number,
    channel: 'wechat' | 'alipay',
    operationId: string,
  ): Promise<void> {
    const bill = (await this.repo.bill(billId)) as FeeBill;
    const item = (await this.repo.item(bill.itemId)) as FeeItem;
    const merchant = await this.merchants.get(item.merchantId);
    const answer = await this.ledger.adjust({
      id: operationId,
      accountId: merchant.accountId,
      counterAccountId: channelAccount[channel],
      amount,
      reason: `fee ${paymentId} paid by ${channel}`,
    });
    if (answer.status !== 'ok' && answer.code === 'OVERLOADED') return;
    await this.settle(paymentId, billId, amount, answer.status === 'ok' ? undefined : answer.code);
  }

  private sameOrReused(existing: FeePayment, billId: string, request: FeeCardPayment): FeePayment {
    if (
      existing.billId !== billId ||
      existing.cardNo !== request.cardNo ||
      existing.amount !== request.amount
    )
      throw new CoreError('ID_REUSED', 'this payment id was used for another payment');
    return existing;
  }

  private async settle(
    id: string,
    billId: string,
    amount: number,
    refusal: string | undefined,
  ): Promise<void> {
    if (refusal === undefined) {
      await this.repo.settlePayment(id, 'paid', null, Date.now());
      return;
    }
    // Given back only by the call that moved the payment out of pending, so once.
    if (await this.repo.settlePayment(id, 'refused', refusal, Date.now()))
      await this.repo.giveBack(billId, amount, Date.now());
  }

  /**
   * Payments whose call died between the reservation and the ledger's answer: the same ledger request
   * again (without the PIN, which is not part of the stored request) answers what the ledger did, or
   * does it now; the bill follows.
   */
  async resolvePending(): Promise<number> {
    const pending = await this.repo.pendingPayments(Date.now() - pendingGraceMs, 200);
    for (const p of pending) {
      if (p.operationId !== null && (p.channel === 'wechat' || p.channel === 'alipay')) {
        await this.collectFromChannel(p.id, p.billId, p.amount, p.channel, p.operationId);
        continue;
      }
      const bill = await this.repo.bill(p.billId);
      const item = bill && (await this.repo.item(bill.itemId));
      if (!item) continue;
      const answer = await this.ledger.pay({
        id: `fee:${p.id}`,
        cardNo: p.cardNo,
        merchantId: item.merchantId,
        amount: p.amount,
      });
      await this.settle(p.id, p.billId, p.amount, answer.status === 'ok' ? undefined : answer.code);
    }
    // Refunds the same way: the same ledger refund again answers or does it; the bill or the
    // payment's reservation follows once.
    const refunds = await this.repo.pendingRefunds(Date.now() - pendingGraceMs, 200);
    for (const r of refunds) await this.finishRefund(r);
    return pending.length + refunds.length;
  }

  private async finishRefund(r: {
    id: string;
    paymentId: string;
    amount: number;
    reason: string;
  }): Promise<void> {
    const payment = await this.repo.payment(r.paymentId);
    if (!payment) return;
    // A platform refund is followed by its top-up refund (the BFF asks the platform); only one that
    // lost its top-up refund in a crash needs it made again, which the resume does idempotently.
    if (payment.channel !== 'card') {
      try {
        await this.resumeChannelRefund?.({ ...r, refundId: r.id });
      } catch (error) {
        this.log.warn(
          { refundId: r.id, err: error instanceof CoreError ? error.code : 'unknown' },
          'a platform fee refund could not be resumed',
        );
      }
      return;
    }
    const answer = await this.ledger.refund({
      id: `feerefund:${r.id}`,
      paymentId: `fee:${r.paymentId}`,
      amount: r.amount,
      reason: r.reason,
    });
    if (answer.status === 'ok') {
      if (await this.repo.settleRefund(r.id, 'done', null))
        await this.repo.lower(payment.billId, r.amount, Date.now());
    } else if (await this.repo.settleRefund(r.id, 'refused', answer.code)) {
      await this.repo.giveBackRefund(r.paymentId, r.amount, Date.now());
    }
  }

  async receipt(paymentId: string): Promise<FeeReceipt> {
    const payment = await this.repo.payment(paymentId);
    if (payment?.status !== 'paid') throw new CoreError('NOT_FOUND', 'no paid fee payment with that id');
    const bill = (await this.repo.bill(payment.billId)) as FeeBill;
    return {
      receiptNo: payment.receiptNo,
      paymentId: payment.id,
      itemName: bill.item.name,
      itemCode: bill.item.code,
      personNo: bill.personNo,
      name: bill.name,
      amount: payment.amount,
      refundedAmount: payment.refundedAmount,
      channel: payment.channel,
      paidAtMs: payment.createdAtMs,
    };
  }

  /** Refunds (part of) a paid fee payment to the payer's wallets; the refunded part is no longer owed. */
  async refund(paymentId: string, request: { id: string; amount: number; reason: string }) {
    const payment = await this.repo.payment(paymentId);
    if (payment?.status !== 'paid') throw new CoreError('NOT_FOUND', 'no paid fee payment with that id');
    // Its money came from the platform, not a wallet: it goes back there through the refund of its
    // platform order (POST /v1/top-ups/:id/refunds, which the BFF follows with the platform), never here.
    if (payment.channel !== 'card')
      throw new CoreError(
        'INVALID_TRANSITION',
        'a fee paid by WeChat Pay or Alipay is refunded to the platform through its order',
      );
    const now = Date.now();
    if (
      !(await this.repo.insertRefund(
        { id: request.id, paymentId, amount: request.amount, reason: request.reason },
        now,
      ))
    ) {
      const existing = await this.repo.refund(request.id);
      if (existing?.paymentId !== paymentId || existing.amount !== request.amount)
        throw new CoreError('ID_REUSED', 'this refund id was used for another refund');
      if (existing.status !== 'pending') return existing;
    } else if (!(await this.repo.reserveRefund(paymentId, request.amount, now))) {
      await this.repo.settleRefund(request.id, 'refused', 'FEE_REFUND_EXCEEDS_PAID');
      throw new CoreError('FEE_REFUND_EXCEEDS_PAID', 'more than what is left of the payment', {
        refundable: payment.amount - payment.refundedAmount,
      });
    }
    await this.finishRefund({ id: request.id, paymentId, amount: request.amount, reason: request.reason });
    return this.repo.refund(request.id);
  }

  /**
   * The fee side of refunding a platform-paid fee, called by the top-up refund of its order before the
   * platform is asked (and again, harmlessly, on every retry): the refund row with its reservation (one
   * platform refund in force per payment, ALREADY_EXISTS otherwise), then the item's clearing account
   * gives the amount back to the channel's clearing account under feerefund:<id>:out, from which the
   * platform pays it out. A refusal of the ledger (the item's account cannot cover it) refuses the refund
   * and changes nothing.
   */
  async startChannelRefund(input: FeeChannelRefund): Promise<void> {
    if (!this.channelRefunds)
      throw new CoreError('INVALID_TRANSITION', 'fees paid by a platform are not refunded here');
    const payment = await this.repo.payment(input.paymentId);
    if (payment?.status !== 'paid') throw new CoreError('NOT_FOUND', 'no paid fee payment with that id');
    if (payment.channel === 'card')
      throw new CoreError('INVALID_TRANSITION', 'a fee paid from the card is refunded to the card');
    const inserted = await this.channelRefunds.insert(
      { id: input.refundId, paymentId: input.paymentId, amount: input.amount, reason: input.reason },
      Date.now(),
    );
    if (inserted === 'exceeds')
      throw new CoreError('FEE_REFUND_EXCEEDS_PAID', 'more than what is left of the payment', {
        refundable: payment.amount - payment.refundedAmount,
      });
    if (inserted === 'taken')
      throw new CoreError('ALREADY_EXISTS', 'this payment already has a refund to its platform', {
        refundId: await this.channelRefunds.inForce(input.paymentId),
      });
    if (inserted === 'exists') {
      const existing = await this.repo.refund(input.refundId);
      if (existing?.paymentId !== input.paymentId || existing.amount !== input.amount)
        throw new CoreError('ID_REUSED', 'this refund id was used for another refund');
      if (existing.status === 'refused')
        throw new CoreError('INVALID_TRANSITION', 'this refund was refused', {
          failureCode: existing.failureCode,
        });
      if (existing.status === 'done') return;
    }
    const out = await this.moveChannelMoney(input, 'out');
    if (out.status === 'ok') return;
    if (out.code === 'OVERLOADED') throw new CoreError('OVERLOADED', 'the ledger is busy; try again');
    await this.channelRefunds.settle(input.refundId, 'refused', out.code, Date.now());
    throw new CoreError(out.code, out.message);
  }

  /**
   * The platform's answer to a platform fee refund (its top-up refund settled): succeeded → the refund is
   * done and the bill lowered by it (the fee domain's refund: neither paid nor owed); failed → the money
   * goes back to the item's clearing account and the refund is refused, the payment and the bill as they
   * were. Idempotent: the ledger moves are one operation each, the state changes are conditional.
   */
  async settleChannelRefund(refundId: string, outcome: 'succeeded' | 'failed'): Promise<void> {
    if (!this.channelRefunds) return;
    const refund = await this.repo.refund(refundId);
    if (refund?.status !== 'pending') return;
    const payment = await this.repo.payment(refund.paymentId);
    if (!payment || payment.channel === 'card') return;
    const input = { paymentId: refund.paymentId, refundId, amount: refund.amount, reason: '' };
    // The same out operation again answers what it did (or does it now, after a crash before it).
    const out = await this.moveChannelMoney(input, 'out');
    if (out.status !== 'ok' && out.code === 'OVERLOADED') throw new CoreError('OVERLOADED', out.message);
    if (outcome === 'succeeded') {
      if (out.status !== 'ok')
        this.log.error(
          { refundId, code: out.code },
          'a platform refunded a fee whose money never left the item',
        );
      await this.channelRefunds.settle(refundId, 'done', null, Date.now());
      return;
    }
    if (out.status === 'ok') {
      const back = await this.moveChannelMoney(input, 'back');
      if (back.status !== 'ok')
        throw new CoreError('OVERLOADED', `the refund's return was not booked: ${back.code}`);
    }
    await this.channelRefunds.settle(refundId, 'refused', 'PLATFORM_REFUSED', Date.now());
  }

  /** item clearing → channel clearing (out) or back (back), one ledger operation per refund and way. */
  private async moveChannelMoney(r: FeeChannelRefund, way: 'out' | 'back') {
    const payment = (await this.repo.payment(r.paymentId)) as FeePayment;
    const bill = (await this.repo.bill(payment.billId)) as FeeBill;
    const item = (await this.repo.item(bill.itemId)) as FeeItem;
    const merchant = await this.merchants.get(item.merchantId);
    return this.ledger.adjust({
      id: `feerefund:${r.refundId}:${way}`,
      accountId: merchant.accountId,
      counterAccountId: channelAccount[payment.channel as 'wechat' | 'alipay'],
      amount: way === 'out' ? -r.amount : r.amount,
      reason: `fee refund ${r.refundId} ${way === 'out' ? 'to' : 'back from'} ${payment.channel}`,
    });
  }

  /** Resolves payments left pending by a stopped process, every minute (and at start). */
  start(lock?: JobLock): void {
    this.resolver = schedule({
      name: 'fee-pending',
      everyMs: 60_000,
      log: this.log,
      lock,
      runAtStart: true,
      run: () => this.resolvePending(),
    });
  }

  async stop(): Promise<void> {
    await this.resolver?.stop();
  }
}
