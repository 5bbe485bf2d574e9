import type { CardService } from '../cards/card-service.ts';
import type { BillRow, NewTopUpOrder, PaymentConfirmation, RefundBillRow } from '../contract/top-ups.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import { channelAccount } from '../ledger/operations.ts';
import type { Answer } from '../ledger/results.ts';
import type { Logger } from '../log.ts';
import { dayBoundsMs, parseDay, shanghaiDay } from '../time.ts';
import type {
  MismatchKind,
  TopUpChannel,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
  TopUpRepository,
} from './top-up-repository.ts';

export type {
  BillRow,
  NewTopUpOrder,
  PaymentConfirmation,
  TopUpChannel,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
};

/**
 * The ledger operation that credits a paid order: one per platform transaction, whoever asks —
 * `wx:<transaction_id>` for WeChat Pay, `ali:<trade_no>` for Alipay.
 */
export const creditOperationId = (transactionId: string, channel: TopUpChannel = 'wechat') =>
  `${channel === 'alipay' ? 'ali' : 'wx'}:${transactionId}`;

/** The fees domain as a fee order needs it (FeeService): the bill checked at order, paid once at payment. */
export interface FeeChannelPayments {
  checkChannelOrder(billId: string, cardNo: string, amount: number): Promise<void>;
  payByChannel(input: {
    paymentId: string;
    billId: string;
    cardNo: string;
    amount: number;
    channel: TopUpChannel;
    operationId: string;
  }): Promise<{ status: 'paid' } | { status: 'refused'; code: string }>;
  /**
   * A paid fee order's refund to its platform, before the platform is asked (and again on a retry): the
   * fee side reserves it, one in force per payment, and moves the item's money to the channel's clearing
   * account. Throws its refusal; nothing is left reserved then.
   */
  startChannelRefund?(input: {
    paymentId: string;
    refundId: string;
    amount: number;
    reason: string;
  }): Promise<void>;
  /** The platform's answer to that refund: done (the bill lowered) or refused (the money back, unchanged). */
  settleChannelRefund?(refundId: string, outcome: 'succeeded' | 'failed'): Promise<void>;
}

/** A fee order whose fee was paid (not one failed because the bill was paid meanwhile). */
const isPaidFee = (order: TopUpOrder) =>
  order.feeBillId !== null && order.operationId !== null && order.failureCode === null;

/** The refund of a fee order that could not be applied (the bill was paid meanwhile): one per order. */
export const feeRefundId = (orderId: string) => `fee-${orderId}`;

/**
 * Top-up orders and their crediting. The order row says where an order is; the ledger's operation
 * id (wx:<transaction_id>) says whether the money moved. Every step is a conditional UPDATE or an
 * idempotent operation, so any number of notifications, polls and retries, in any order, credit once.
 */
export class TopUpService {
  constructor(
    private readonly orders: TopUpRepository,
    private readonly cards: CardService,
    private readonly ledger: LedgerService,
    private readonly log: Logger,
    /** Fee bills paid by a platform (docs/funds.md § Fees); without it, an order naming a bill is refused. */
    private readonly fees?: FeeChannelPayments,
  ) {}

  async create(input: NewTopUpOrder): Promise<{ order: TopUpOrder; created: boolean }> {
    const existing = await this.orders.findByKey(input.openid, input.idempotencyKey);
    if (existing) return { order: this.sameRequest(existing, input), created: false };
    const card = await this.cards.get(input.cardNo);
    if (card.status === 'cancelled') throw new CoreError('CARD_CANCELLED', 'the card is cancelled');
    if (input.feeBillId !== undefined) {
      if (!this.fees) throw new CoreError('FEE_BILL_NOT_FOUND', 'fees are not paid by platform here');
      await this.fees.checkChannelOrder(input.feeBillId, input.cardNo, input.amount);
    }
    const nowMs = Date.now();
    const order: TopUpOrder = {
      id: `TU${newId(nowMs)}`,
      cardNo: input.cardNo,
      openid: input.openid,
      idempotencyKey: input.idempotencyKey,
      channel: input.channel ?? 'wechat',
      amount: input.amount,
      day: shanghaiDay(nowMs),
      status: 'created',
      prepayId: null,
      transactionId: null,
      operationId: null,
      failureCode: null,
      refundedAmount: 0,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + input.ttlMs,
      paidAtMs: null,
      creditedAtMs: null,
      closedAtMs: null,
      feeBillId: input.feeBillId ?? null,
    };
    let inserted: boolean;
    try {
      inserted = await this.orders.insertWithinCap(order, input.dailyCap);
    } catch (error) {
      // The same key sent twice at once: the unique index let one in; the other answers it.
      const raced = await this.orders.findByKey(input.openid, input.idempotencyKey);
      if (!raced) throw error;
      return { order: this.sameRequest(raced, input), created: false };
    }
    if (!inserted)
      throw new CoreError('TOP_UP_DAILY_CAP', `top-ups are at most ${input.dailyCap} fen per card per day`, {
        dailyCap: input.dailyCap,
      });
    return { order: await this.get(order.id), created: true };
  }

  async get(id: string): Promise<TopUpOrder> {
    const order = await this.orders.find(id);
    if (!order) throw new CoreError('TOP_UP_NOT_FOUND', 'no such top-up order');
    return order;
  }

  list(cardNo: string, limit: number, beforeId?: string): Promise<TopUpOrder[]> {
    return this.orders.listForCard(cardNo, limit, beforeId);
  }

  unsettled(olderThanMs: number, limit: number, afterId?: string): Promise<TopUpOrder[]> {
    return this.orders.unsettled(Date.now() - olderThanMs, limit, afterId);
  }

  async setPrepayId(id: string, prepayId: string): Promise<TopUpOrder> {
    const order = await this.get(id);
    if (order.prepayId === prepayId) return order;
    if (!(await this.orders.setPrepayId(id, prepayId)))
      throw new CoreError('INVALID_TRANSITION', `the order is ${order.status} with another prepay id`);
    return this.get(id);
  }

  /**
   * WeChat says the order is paid: created -> paid, then the ledger credits the card under
   * wx:<transaction_id>, then paid -> credited (or failed with the ledger's refusal). Safe to call
   * any number of times, concurrently, for an order in any state after created.
   */
  async confirmPayment(id: string, payment: PaymentConfirmation): Promise<TopUpOrder> {
    let order = await this.get(id);
    if (payment.amount !== order.amount)
      throw new CoreError('TOP_UP_MISMATCH', 'the paid amount is not the ordered amount', {
        ordered: order.amount,
        paid: payment.amount,
      });
    if (order.status === 'created') {
      await this.orders.markPaid(id, payment.transactionId, payment.paidAtMs);
      order = await this.get(id);
    }
    if (order.status === 'closed')
      throw new CoreError('INVALID_TRANSITION', 'the order was closed unpaid; reconciliation will list it');
    if (order.transactionId !== payment.transactionId)
      throw new CoreError('TOP_UP_MISMATCH', 'the order was paid by another transaction');
    // A fee order that failed (the bill was paid meanwhile) gets its refund, also when a crash came between.
    if (order.feeBillId !== null && order.status === 'failed') return this.refundFeeOrder(order);
    if (order.status !== 'paid') return order;
    const operationId = creditOperationId(payment.transactionId, order.channel);
    if (order.feeBillId !== null) return this.payFee(order, operationId);
    const answer = await this.ledger.topUp({
      id: operationId,
      cardNo: order.cardNo,
      amount: order.amount,
      channel: order.channel,
    });
    if (answer.status === 'ok') await this.orders.markCredited(id, operationId, Date.now());
    else if (answer.code === 'OVERLOADED') throw new CoreError('OVERLOADED', answer.message);
    else {
      // Stored by the ledger under this id for good (a cancelled card): the money is ours to refund.
      await this.orders.markFailed(id, operationId, answer.code);
      this.log.warn({ orderId: id, code: answer.code }, 'paid top-up refused by the ledger');
    }
    return this.get(id);
  }

  /**
   * A paid fee order: the fee is paid from the channel's clearing account (credited), or, the bill being
   * paid meanwhile, the order fails and its whole amount is put on a refund to the platform at once
   * (processing; the BFF asks the platform, its poller again after a crash). Never collected twice.
   */
  private async payFee(order: TopUpOrder, operationId: string): Promise<TopUpOrder> {
    const fees = this.fees as FeeChannelPayments;
    const paid = await fees.payByChannel({
      paymentId: order.id,
      billId: order.feeBillId as string,
      cardNo: order.cardNo,
      amount: order.amount,
      channel: order.channel,
      operationId,
    });
    if (paid.status === 'paid') await this.orders.markCredited(order.id, operationId, Date.now());
    else {
      await this.orders.markFailed(order.id, operationId, paid.code);
      this.log.warn(
        { orderId: order.id, code: paid.code },
        'paid fee order refused; refunding to the platform',
      );
      return this.refundFeeOrder(await this.get(order.id));
    }
    return this.get(order.id);
  }

  private async refundFeeOrder(order: TopUpOrder): Promise<TopUpOrder> {
    if (order.status === 'failed')
      await this.startRefund(order.id, {
        refundId: feeRefundId(order.id),
        amount: order.amount,
        reason: '缴费已缴清，原路退回',
      });
    return this.get(order.id);
  }

  /** created -> closed (expired or abandoned); closing a closed order again is harmless. */
  async close(id: string): Promise<TopUpOrder> {
    const order = await this.get(id);
    if (order.status === 'closed') return order;
    if (order.status !== 'created' || !(await this.orders.close(id, Date.now()))) {
      const now = await this.get(id);
      if (now.status !== 'closed')
        throw new CoreError('INVALID_TRANSITION', `the order is ${now.status} and cannot be closed`);
      return now;
    }
    return this.get(id);
  }

  /**
   * Starts a refund of (part of) a paid order under the caller's refund id (the out_refund_no). The
   * refund row reserves the amount first (a CHECK keeps refunds within the order), then the wallet
   * gives the money back to the WeChat clearing account, so it cannot be spent and refunded both.
   * The ledger has no reversal kind (its kinds are a CHECK that SQLite cannot alter), so the move is
   * two adjustments with ids derived from the refund id: wallet -> adjustment, adjustment -> clearing.
   * A refund the wallet cannot cover fails for good; a new refund id tries again.
   */
  async startRefund(
    orderId: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<TopUpRefund> {
    const existing = await this.orders.findRefund(input.refundId);
    if (existing) {
      if (existing.orderId !== orderId || existing.amount !== input.amount)
        throw new CoreError('ID_REUSED', 'this refund id was used for another refund');
      if (existing.status === 'processing') await this.moveRefundMoney(existing);
      return (await this.orders.findRefund(input.refundId)) ?? existing;
    }
    const order = await this.get(orderId);
    if (!['credited', 'failed', 'refunded'].includes(order.status))
      throw new CoreError('INVALID_TRANSITION', `a ${order.status} order cannot be refunded`);
    // A fee that was paid goes back to its platform as a fee refund (FeeService.startChannelRefund),
    // started on the fee side before this refund exists, never from the card.
    if (order.feeBillId !== null && order.status !== 'failed') {
      if (!isPaidFee(order) || !this.fees?.startChannelRefund)
        throw new CoreError('INVALID_TRANSITION', 'a paid fee order is refunded through its fee payment');
      await this.fees.startChannelRefund({
        paymentId: orderId,
        refundId: input.refundId,
        amount: input.amount,
        reason: input.reason,
      });
    }
    const refund: TopUpRefund = {
      id: input.refundId,
      orderId,
      amount: input.amount,
      reason: input.reason,
      status: 'processing',
      operationId: `tur:${input.refundId}`.slice(0, 64),
      refundId: null,
      createdAtMs: Date.now(),
      settledAtMs: null,
    };
    const inserted = await this.orders.insertRefund(refund);
    if (inserted === 'exceeds' && isPaidFee(order))
      await this.fees?.settleChannelRefund?.(input.refundId, 'failed');
    if (inserted === 'exceeds')
      throw new CoreError('REFUND_EXCEEDS_PAYMENT', 'more than is left of the top-up to refund', {
        left: order.amount - order.refundedAmount,
      });
    return this.moveRefundMoney((await this.orders.findRefund(input.refundId)) ?? refund);
  }

  private async moveRefundMoney(refund: TopUpRefund): Promise<TopUpRefund> {
    const order = await this.get(refund.orderId);
    // A paid fee's money leaves the fee item, not a wallet: the fee side moves it, idempotently.
    if (isPaidFee(order)) {
      await this.fees?.startChannelRefund?.({
        paymentId: order.id,
        refundId: refund.id,
        amount: refund.amount,
        reason: refund.reason,
      });
      return refund;
    }
    // A failed order was never credited: the money sits in clearing and only WeChat gives it back.
    if (order.operationId === null || order.failureCode !== null) return refund;
    const mainAccount = await this.orders.mainAccountOf(order.cardNo);
    if (!mainAccount) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    const fromWallet = await this.ledger.adjust({
      id: `${refund.operationId}:w`.slice(0, 64),
      accountId: mainAccount,
      amount: -refund.amount,
      reason: `top-up refund ${refund.id}`,
    });
    if (fromWallet.status !== 'ok') {
      await this.orders.abandonRefund(refund.id, Date.now());
      throw new CoreError(fromWallet.code, fromWallet.message);
    }
    const toClearing: Answer = await this.ledger.adjust({
      id: `${refund.operationId}:c`.slice(0, 64),
      accountId: channelAccount[order.channel],
      amount: refund.amount,
      reason: `top-up refund ${refund.id}`,
    });
    if (toClearing.status !== 'ok') throw new Error(`clearing refused a refund leg: ${toClearing.code}`);
    return refund;
  }

  async settleRefund(
    refundId: string,
    outcome: { status: 'succeeded' | 'failed'; wechatRefundId: string | null; settledAtMs?: number },
  ): Promise<TopUpRefund> {
    const refund = await this.orders.findRefund(refundId);
    if (!refund) throw new CoreError('TOP_UP_NOT_FOUND', 'no such top-up refund');
    // WeChat could not refund: the money goes back to the wallet before the refund is marked failed,
    // so a crash in between leaves it processing and the next notification finishes the job.
    if (refund.status === 'processing') {
      const order = await this.get(refund.orderId);
      // A paid fee's refund: the fee side books the answer (the bill lowered, or the money back).
      if (isPaidFee(order)) await this.fees?.settleChannelRefund?.(refund.id, outcome.status);
      else if (outcome.status === 'failed') await this.returnRefundMoney(refund);
    }
    await this.orders.settleRefund(
      refundId,
      outcome.status,
      outcome.wechatRefundId,
      outcome.settledAtMs ?? Date.now(),
    );
    return (await this.orders.findRefund(refundId)) ?? refund;
  }

  /** The reverse of moveRefundMoney, under ids of its own: clearing -> adjustment -> wallet. */
  private async returnRefundMoney(refund: TopUpRefund): Promise<void> {
    const order = await this.get(refund.orderId);
    if (order.operationId === null || order.failureCode !== null) return;
    const mainAccount = await this.orders.mainAccountOf(order.cardNo);
    if (!mainAccount) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    for (const [suffix, accountId, amount] of [
      ['rc', channelAccount[order.channel], -refund.amount],
      ['rw', mainAccount, refund.amount],
    ] as const) {
      const answer = await this.ledger.adjust({
        id: `${refund.operationId}:${suffix}`.slice(0, 64),
        accountId,
        amount,
        reason: `top-up refund ${refund.id} failed at ${order.channel === 'alipay' ? 'Alipay' : 'WeChat'}`,
      });
      if (answer.status !== 'ok') throw new Error(`a refund return leg was refused: ${answer.code}`);
    }
  }

  processingRefunds(olderThanMs: number, limit: number): Promise<TopUpRefund[]> {
    return this.orders.processingRefunds(Date.now() - olderThanMs, limit);
  }

  async refunds(orderId: string): Promise<TopUpRefund[]> {
    await this.get(orderId);
    return this.orders.refundsOf(orderId);
  }

  /**
   * Compares the day's payments in one platform's bill (WeChat's trade bill, Alipay's 业务明细) with
   * that channel's orders we saw paid that day (the platform's payment time, Asia/Shanghai), and the
   * bill's refunds with that channel's refunds we saw succeed that day, and stores each difference
   * once. A bill row naming an order of the other channel is not ours.
   */
  async reconcile(
    billDate: string,
    bill: readonly BillRow[],
    channel: TopUpChannel = 'wechat',
    refunds: readonly RefundBillRow[] = [],
  ): Promise<TopUpMismatch[]> {
    const day = parseDay(billDate);
    if (day === undefined) throw new CoreError('VALIDATION_FAILED', 'billDate is YYYY-MM-DD');
    const { startMs, endMs } = dayBoundsMs(day);
    const found: TopUpMismatch[] = [];
    const foundAtMs = Date.now();
    const note = (outTradeNo: string, kind: MismatchKind, ours: string | null, theirs: string | null) =>
      found.push({ billDate, outTradeNo, kind, ours, theirs, foundAtMs });
    const paidThatDay = new Map<string, TopUpOrder>();
    for (const order of await this.orders.paidBetween(channel, startMs, endMs))
      paidThatDay.set(order.id, order);
    for (const row of bill) {
      if (row.state !== 'SUCCESS') continue;
      const found = paidThatDay.get(row.outTradeNo) ?? (await this.orders.find(row.outTradeNo));
      const order = found?.channel === channel ? found : undefined;
      paidThatDay.delete(row.outTradeNo);
      const theirs = `${row.state} ${row.amount} ${row.transactionId}`;
      if (!order) note(row.outTradeNo, 'missing_ours', null, theirs);
      else {
        const ours = `${order.status} ${order.amount} ${order.transactionId ?? ''}`;
        if (order.amount !== row.amount) note(row.outTradeNo, 'amount_differs', ours, theirs);
        if (!['credited', 'refunded'].includes(order.status))
          note(row.outTradeNo, 'state_differs', ours, theirs);
      }
    }
    for (const order of paidThatDay.values())
      note(order.id, 'missing_theirs', `${order.status} ${order.amount} ${order.transactionId ?? ''}`, null);
    for (const mismatch of found) await this.orders.saveMismatch(mismatch);
    const refundsFound = await this.reconcileRefunds(billDate, channel, refunds, foundAtMs);
    return [...found, ...refundsFound];
  }

  /**
   * The refund half of a reconciliation: each refund row of the bill against our refund of that number
   * (missing_ours when we have none, or it is of another order or channel; amount_differs; state_differs
   * when one side says it succeeded and the other does not), then each of our refunds that succeeded
   * that day (the platform's refund time) and is not on the bill (missing_theirs).
   */
  private async reconcileRefunds(
    billDate: string,
    channel: TopUpChannel,
    rows: readonly RefundBillRow[],
    foundAtMs: number,
  ): Promise<TopUpMismatch[]> {
    const day = parseDay(billDate) as number;
    const { startMs, endMs } = dayBoundsMs(day);
    const found: TopUpMismatch[] = [];
    const note = (
      row: { outTradeNo: string; outRefundNo: string },
      kind: MismatchKind,
      ours: string | null,
      theirs: string | null,
    ) =>
      found.push({
        billDate,
        outTradeNo: row.outTradeNo,
        outRefundNo: row.outRefundNo,
        kind,
        ours,
        theirs,
        foundAtMs,
      });
    const succeededThatDay = new Map<string, TopUpRefund>();
    for (const refund of await this.orders.refundsSucceededBetween(channel, startMs, endMs))
      succeededThatDay.set(refund.id, refund);
    const ourText = (r: TopUpRefund) => `${r.status} ${r.amount} ${r.refundId ?? ''}`.trimEnd();
    for (const row of rows) {
      const theirs = `${row.state} ${row.amount} ${row.refundId}`.trimEnd();
      const refund = succeededThatDay.get(row.outRefundNo) ?? (await this.orders.findRefund(row.outRefundNo));
      succeededThatDay.delete(row.outRefundNo);
      const order = refund ? await this.orders.find(refund.orderId) : undefined;
      if (!refund || order?.channel !== channel || refund.orderId !== row.outTradeNo) {
        const ours = refund ? `${ourText(refund)} order ${refund.orderId}` : null;
        note(row, 'missing_ours', ours, theirs);
        continue;
      }
      if (refund.amount !== row.amount) note(row, 'amount_differs', ourText(refund), theirs);
      if ((refund.status === 'succeeded') !== (row.state === 'SUCCESS'))
        note(row, 'state_differs', ourText(refund), theirs);
    }
    for (const refund of succeededThatDay.values())
      note({ outTradeNo: refund.orderId, outRefundNo: refund.id }, 'missing_theirs', ourText(refund), null);
    for (const mismatch of found) await this.orders.saveMismatch(mismatch);
    return found;
  }

  /** Stores one finding made outside a reconciliation (a notification that can never apply), once. */
  async noteMismatch(input: Omit<TopUpMismatch, 'foundAtMs'>): Promise<TopUpMismatch> {
    if (parseDay(input.billDate) === undefined)
      throw new CoreError('VALIDATION_FAILED', 'billDate is YYYY-MM-DD');
    const mismatch = { ...input, foundAtMs: Date.now() };
    await this.orders.saveMismatch(mismatch);
    return mismatch;
  }

  mismatches(billDate: string | undefined, limit: number): Promise<TopUpMismatch[]> {
    return this.orders.mismatches(billDate, limit);
  }

  private sameRequest(existing: TopUpOrder, input: NewTopUpOrder): TopUpOrder {
    if (
      existing.cardNo !== input.cardNo ||
      existing.amount !== input.amount ||
      existing.feeBillId !== (input.feeBillId ?? null) ||
      existing.channel !== (input.channel ?? 'wechat')
    )
      throw new CoreError('ID_REUSED', 'this Idempotency-Key was used for another top-up', {
        fields: ['amount', 'channel'],
      });
    return existing;
  }
}
