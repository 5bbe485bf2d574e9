import { randomUUID } from 'node:crypto';
import type { CoreClient, TopUpMismatch, TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import { type Job, type JobLock, schedule } from '@campus-card/core/jobs';
import type { Logger } from '@campus-card/core/log';
import { addDays, shanghaiParts, shanghaiToday } from '@campus-card/core/time';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import { parseAlipayBill } from '../services/alipay-bill.ts';
import {
  type AlipayPay,
  AlipayRefused,
  type AlipayTrade,
  AlipayUnavailable,
  isAlipayAccount,
  outRequestNoOf,
  tradeOf,
} from '../services/alipay-pay.ts';
import type { TopUpConfig, TopUpSettings } from './config.ts';
import {
  NotificationRefused,
  type RequestPayment,
  refundResourceSchema,
  type Transaction,
  transactionSchema,
  type WechatPay,
} from './wechat-pay.ts';

/** Which card a signed-in account tops up: its binding's (NOT_BOUND otherwise). */
export type CardOfUser = (openid: string) => Promise<string>;

/** An order as the mini-program reads it. */
export interface TopUpView {
  id: string;
  status: TopUpOrder['status'];
  amount: number;
  cardNo: string;
  createdAtMs: number;
  expiresAtMs: number;
  paidAtMs: number | null;
  creditedAtMs: number | null;
  failureCode: string | null;
  refundedAmount: number;
  channel: TopUpOrder['channel'];
  /** wx.requestPayment's parameters, on create while the order can be paid. */
  payment?: Omit<RequestPayment, 'appId'>;
  /**
   * The payment page for the H5 build (no wx.requestPayment in a browser): WeChat's, or for an
   * Alipay order placed from outside the Alipay app, the signed alipay.trade.wap.pay cashier URL.
   */
  payPageUrl?: string;
  /** An Alipay order placed from the Alipay mini-program: the trade number for my.tradePay({ tradeNO }). */
  alipay?: { tradeNO: string };
}

/** What the Alipay notify route answers: Alipay stops only on the plain text `success`. */
export interface AlipayNotifyAnswer {
  status: number;
  body: 'success' | 'fail';
}

/**
 * One payment as the checks see it, whichever platform reported it: the order number, the platform's
 * transaction (WeChat's transaction_id, Alipay's trade_no), the amount in fen (undefined when the
 * platform's text was not an amount), and whether it says paid.
 */
interface PaidTrade {
  channel: TopUpOrder['channel'];
  outTradeNo: string;
  transactionId: string;
  amount: number | undefined;
  paid: boolean;
  paidAtMs: number;
  /** The platform's side, for the mismatch list: state, amount, transaction. */
  theirs: string;
}

/**
 * What the notify route answers WeChat. WeChat sends a notification again on anything but 2xx, for
 * about a day: 204 when applied or nothing to do; 200 SUCCESS when it can never apply (the card
 * centre is alerted instead, retrying would change nothing); 401 when it is not proven to come from
 * WeChat; 5xx only when something on our side may recover (the core unreachable).
 */
export interface NotifyAnswer {
  status: number;
  body?: { code: 'FAIL' | 'SUCCESS'; message: string };
}

/** How a WeChat transaction ended here: credited, nothing to do, or a finding for the card centre. */
type Applied = 'credited' | 'ignored' | 'alerted';

export interface PollReport {
  checked: number;
  credited: number;
  closed: number;
  /** Refunds still processing that were looked up (and settled or asked again). */
  refunds: number;
  failed: number;
}

const ORDERS_PER_POLL_MAX = 100;
/** At most this many pages of orders per pass (1,000 orders); the next pass starts again from the oldest. */
const POLL_PAGES_MAX = 10;
/** The result page polls every 0.5–3 s; WeChat is asked about one order at most this often. */
const QUERY_ON_READ_MS = 2_000;

export function view(order: TopUpOrder): TopUpView {
  return {
    id: order.id,
    status: order.status,
    amount: order.amount,
    cardNo: order.cardNo,
    createdAtMs: order.createdAtMs,
    expiresAtMs: order.expiresAtMs,
    paidAtMs: order.paidAtMs,
    creditedAtMs: order.creditedAtMs,
    failureCode: order.failureCode,
    refundedAmount: order.refundedAmount,
    channel: order.channel,
  };
}

/**
 * Top-ups by WeChat Pay: orders through the SDK, notifications checked and applied, a poller for
 * what notifications missed, refunds and the daily reconciliation. The core keeps the orders and
 * credits each WeChat transaction once; this service speaks WeChat Pay.
 */
export class TopUpService {
  #job: Job | undefined;

  constructor(
    private readonly core: CoreClient,
    /** WeChat Pay; undefined on a server that takes Alipay only. */
    private readonly pay: WechatPay | undefined,
    private readonly kv: Kv,
    /** The shared settings, plus WeChat Pay's appid, mchid and H5 page when WeChat Pay is configured. */
    private readonly config: TopUpSettings & Partial<Pick<TopUpConfig, 'appId' | 'mchid' | 'h5PayUrl'>>,
    private readonly cardOf: CardOfUser,
    private readonly log: Logger,
    /** Alipay as the second channel (docs/alipay.md); orders with channel 'alipay' are refused without it. */
    private readonly alipay?: AlipayPay,
    /** The H5 result page Alipay's cashier returns to ({id} is the order id); TOP_UP_H5_RETURN_URL by default. */
    private readonly alipayReturnUrl: string = config.h5ReturnUrl,
  ) {}

  limits() {
    return {
      minAmount: this.config.amountMin,
      maxAmount: this.config.amountMax,
      dailyCap: this.config.dailyCap,
      presets: this.config.presets.filter((p) => p >= this.config.amountMin && p <= this.config.amountMax),
      /** The channels this server takes; a browser may offer both (WeChat's page, Alipay's wap cashier). */
      channels: [...(this.pay ? ['wechat' as const] : []), ...(this.alipay ? ['alipay' as const] : [])],
    };
  }

  async create(
    openid: string,
    input: {
      amount: number;
      idempotencyKey?: string | undefined;
      cardNo?: string | undefined;
      channel?: TopUpOrder['channel'] | undefined;
    },
  ): Promise<TopUpView> {
    const channel = input.channel ?? 'wechat';
    if (channel === 'alipay' && !this.alipay)
      throw new BffError('UNAVAILABLE', 'Alipay top-ups are not configured on this server');
    if (channel === 'wechat' && !this.pay)
      throw new BffError('UNAVAILABLE', 'WeChat Pay top-ups are not configured on this server');
    // An Alipay account has no WeChat openid to pay with: refused before any order is made.
    if (channel === 'wechat' && isAlipayAccount(openid))
      throw new BffError(
        'VALIDATION_FAILED',
        'an account signed in through Alipay tops up with channel alipay',
      );
    const { amountMin, amountMax } = this.config;
    if (input.amount < amountMin || input.amount > amountMax)
      throw new BffError('AMOUNT_OUT_OF_RANGE', `a top-up is ${amountMin} to ${amountMax} fen`, {
        minAmount: amountMin,
        maxAmount: amountMax,
      });
    const cardNo = await this.cardFor(openid, input.cardNo);
    const order = await this.core.createTopUpOrder({
      openid,
      cardNo,
      idempotencyKey: input.idempotencyKey ?? randomUUID(),
      amount: input.amount,
      channel,
      dailyCap: this.config.dailyCap,
      ttlMs: this.config.orderTtlMs,
    });
    if (order.status !== 'created' || order.expiresAtMs <= Date.now()) return view(order);
    if (order.channel === 'alipay') return this.placeWithAlipay(order);
    // Placing the same order again is safe: WeChat answers an identical repeat with the same prepay_id.
    const payment = await this.wechatPay().jsapi({
      outTradeNo: order.id,
      amount: order.amount,
      openid,
      expiresAtMs: order.expiresAtMs,
    });
    await this.core.setTopUpPrepayId(order.id, payment.package.slice('prepay_id='.length));
    const { appId: _appId, ...forClient } = payment;
    return { ...view(order), payment: forClient, ...this.payPage(order, payment) };
  }

  /**
   * Places an Alipay order: from the Alipay mini-program (an account signed in through Alipay) with
   * alipay.trade.create, whose trade_no the app hands to my.tradePay; from anywhere else (the H5
   * build in a browser) as the signed alipay.trade.wap.pay cashier URL. Placing the same order again
   * answers the same trade, so a retried create is safe.
   */
  private async placeWithAlipay(order: TopUpOrder): Promise<TopUpView> {
    const alipay = this.alipay as AlipayPay;
    const placed = { outTradeNo: order.id, amount: order.amount, expiresAtMs: order.expiresAtMs };
    if (!isAlipayAccount(order.openid)) {
      const returnUrl = this.alipayReturnUrl.replace('{id}', order.id);
      return { ...view(order), payPageUrl: alipay.wapPayUrl(placed, returnUrl) };
    }
    let tradeNo: string;
    try {
      tradeNo = await alipay.createForMiniProgram({ ...placed, openid: order.openid });
    } catch (error) {
      if (error instanceof AlipayUnavailable || error instanceof AlipayRefused) {
        this.log.warn({ orderId: order.id, err: errorName(error) }, 'Alipay trade.create failed');
        throw new BffError('ALIPAY_UNAVAILABLE', 'Alipay could not place the order; try again');
      }
      throw error;
    }
    await this.core.setTopUpPrepayId(order.id, tradeNo);
    return { ...view(order), alipay: { tradeNO: tradeNo } };
  }

  /**
   * The card an account may top up: its own (its binding's), or, when it names another card, a
   * child's it is linked to as a parent. The payer is always the calling account.
   */
  private async cardFor(openid: string, requested: string | undefined): Promise<string> {
    if (requested === undefined) return this.cardOf(openid);
    const links = await this.core.guardianLinks({ parentOpenid: openid });
    if (links.items.some((link) => link.cardNo === requested)) return requested;
    let own: string | undefined;
    try {
      own = await this.cardOf(openid);
    } catch (error) {
      if (!(error instanceof BffError && error.code === 'NOT_BOUND')) throw error;
    }
    if (own !== requested)
      throw new BffError('FORBIDDEN', 'you can top up your own card or a linked child’s');
    return own;
  }

  /**
   * One order, as the result page polls it. While it is still created after being placed, WeChat is
   * asked directly (at most once per order every QUERY_ON_READ_MS, across instances) so a payment
   * whose notification is late shows as credited without waiting for the poller.
   */
  async get(openid: string, id: string): Promise<TopUpView> {
    const order = await this.ownOrder(openid, id);
    // An Alipay H5 order has no trade until the payer opens the cashier: it is asked about too.
    if (order.status !== 'created' || (order.prepayId === null && order.channel !== 'alipay'))
      return view(order);
    if (!(await this.kv.setIfAbsent(`topup-query:${order.id}`, '1', QUERY_ON_READ_MS))) return view(order);
    if (order.channel === 'alipay') {
      try {
        const trade = await this.alipayPay().query(order.id);
        if (trade && (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')) {
          await this.applyPaid(this.alipayPaid(trade), 'poll');
          return view(await this.core.topUpOrder(order.id));
        }
      } catch (error) {
        this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up query on read failed');
      }
      return view(order);
    }
    try {
      const t = await this.wechatPay().query(order.id);
      if (t && (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND')) {
        await this.applyTransaction(t, 'poll');
        return view(await this.core.topUpOrder(order.id));
      }
    } catch (error) {
      // The page keeps polling and the poller keeps going; a failed look-up changes nothing.
      this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up query on read failed');
    }
    return view(order);
  }

  async list(openid: string, page: { limit: number; beforeId?: string | undefined }) {
    const cardNo = await this.cardOf(openid);
    const found = await this.core.topUpOrders(cardNo, page);
    return { items: found.items.map(view), next: found.next };
  }

  /**
   * A notification from WeChat: refused (non-2xx, WeChat retries) unless fresh, signed and intact;
   * then applied. Crediting is idempotent per transaction id in the core, so a duplicate, a retry
   * or one overtaken by the poller is answered 204 and changes nothing. One that can never apply
   * (another merchant's, an unknown order, a different amount) is kept in the mismatch list for the
   * card centre and answered 200, so WeChat stops sending it.
   */
  async notify(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<NotifyAnswer> {
    try {
      return await this.applyNotification(headers, rawBody);
    } catch (error) {
      // The core or WeChat could not be reached: WeChat keeps the notification and sends it again.
      this.log.error({ err: errorName(error) }, 'WeChat Pay notification could not be applied');
      return fail(500, 'try again later');
    }
  }

  private async applyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<NotifyAnswer> {
    if (!this.pay) return fail(503, 'WeChat Pay top-ups are not configured');
    let note: { id: string; eventType: string; resource: unknown };
    try {
      note = await this.wechatPay().verifyNotification(headers, rawBody);
    } catch (error) {
      if (!(error instanceof NotificationRefused)) throw error;
      this.log.warn({ reason: error.reason }, 'WeChat Pay notification refused');
      return fail(401, 'notification refused');
    }
    if (note.eventType === 'TRANSACTION.SUCCESS') {
      const parsed = transactionSchema.safeParse(note.resource);
      if (!parsed.success) return fail(400, 'unreadable transaction');
      return answered(await this.applyTransaction(parsed.data, 'notify'));
    }
    if (note.eventType.startsWith('REFUND.')) {
      const parsed = refundResourceSchema.safeParse(note.resource);
      if (!parsed.success) return fail(400, 'unreadable refund');
      const r = parsed.data;
      const theirs = `REFUND ${r.refund_status} ${r.amount.refund} ${r.refund_id}`;
      if (r.mchid !== this.config.mchid) {
        await this.alert(r.out_trade_no, 'missing_ours', null, `${theirs} mchid=${r.mchid}`, Date.now(), {
          source: 'notify',
          why: 'refund notification for another merchant',
        });
        return answered('alerted');
      }
      if (r.refund_status === 'PROCESSING') return { status: 204 };
      try {
        await this.settleRefund(r.out_refund_no, r.refund_status, r.refund_id);
      } catch (error) {
        if (!isFinal(error)) throw error;
        await this.alert(r.out_trade_no, 'state_differs', `refund ${r.out_refund_no}`, theirs, Date.now(), {
          source: 'notify',
          why: `refund notification refused (${error.code})`,
        });
        return answered('alerted');
      }
      return { status: 204 };
    }
    return { status: 204 };
  }

  /**
   * A finding no retry can settle, for the card centre: a warning in the log (order number and
   * kind, no payer) and a row in the mismatch list the backoffice shows, once per day, order and kind.
   */
  private async alert(
    outTradeNo: string,
    kind: 'missing_ours' | 'amount_differs' | 'state_differs',
    ours: string | null,
    theirs: string,
    atMs: number,
    context: { source: 'notify' | 'poll'; why: string },
  ): Promise<void> {
    // WeChat echoes what we sent, but this is its text: kept printable and within the column.
    const orderNo = outTradeNo.replace(/[^\x21-\x7e]/g, '?').slice(0, 32) || '?';
    this.log.warn({ orderId: orderNo, kind, source: context.source }, `top-up alert: ${context.why}`);
    await this.core.noteTopUpMismatch({
      billDate: shanghaiToday(atMs),
      outTradeNo: orderNo,
      kind,
      ours: ours?.slice(0, 255) ?? null,
      theirs: theirs.slice(0, 255),
    });
  }

  /**
   * Checks a WeChat transaction (from a notification or a query) against our merchant and credits it
   * once through applyPaid. Another appid or mchid is alerted, not retried.
   */
  private async applyTransaction(t: Transaction, source: 'notify' | 'poll'): Promise<Applied> {
    const parsedAtMs = t.success_time ? Date.parse(t.success_time) : Number.NaN;
    const paidAtMs = Number.isFinite(parsedAtMs) ? parsedAtMs : Date.now();
    const theirs = `${t.trade_state} ${t.amount.total} ${t.transaction_id ?? ''}`;
    if (t.appid !== this.config.appId || t.mchid !== this.config.mchid) {
      await this.alert(
        t.out_trade_no,
        'missing_ours',
        null,
        `${theirs} appid=${t.appid} mchid=${t.mchid}`,
        paidAtMs,
        {
          source,
          why: 'transaction for another appid or mchid',
        },
      );
      return 'alerted';
    }
    return this.applyPaid(
      {
        channel: 'wechat',
        outTradeNo: t.out_trade_no,
        transactionId: t.transaction_id ?? '',
        amount: t.amount.total,
        paid: t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND',
        paidAtMs,
        theirs,
      },
      source,
    );
  }

  /**
   * Checks a payment (either platform's, already proven to come from it and to be ours) against its
   * order and credits it once. What can never be credited (an unknown order, one of the other channel,
   * a different amount, an order closed or paid by another transaction) is alerted, not retried; only
   * a failure on our side throws.
   */
  private async applyPaid(p: PaidTrade, source: 'notify' | 'poll'): Promise<Applied> {
    const alert = async (
      kind: 'missing_ours' | 'amount_differs' | 'state_differs',
      ours: string | null,
      why: string,
    ) => {
      await this.alert(p.outTradeNo, kind, ours, p.theirs, p.paidAtMs, { source, why });
      return 'alerted' as const;
    };
    if (!p.paid) return 'ignored';
    let order: TopUpOrder;
    try {
      order = await this.core.topUpOrder(p.outTradeNo);
    } catch (error) {
      // Not found, or a number that is none of ours (the core refuses its form): no order to credit.
      if (isFinal(error)) return alert('missing_ours', null, 'paid transaction for an unknown order');
      throw error;
    }
    const ours = `${order.status} ${order.amount} ${order.transactionId ?? ''}`;
    // A payment reported by one platform never credits an order placed with the other.
    if (order.channel !== p.channel)
      return alert('missing_ours', ours, `${p.channel} payment for a ${order.channel} order; not credited`);
    if (p.amount !== order.amount)
      return alert('amount_differs', ours, 'paid amount differs from the order; not credited');
    if (!p.transactionId) return alert('state_differs', ours, 'paid transaction without a transaction id');
    try {
      await this.core.confirmTopUpPayment(order.id, {
        transactionId: p.transactionId,
        amount: p.amount,
        paidAtMs: p.paidAtMs,
      });
    } catch (error) {
      if (!isFinal(error)) throw error;
      const kind =
        error.code === 'TOP_UP_MISMATCH' && error.details?.paid !== undefined
          ? 'amount_differs'
          : 'state_differs';
      return alert(kind, ours, `payment confirmation refused (${error.code})`);
    }
    return 'credited';
  }

  /** An Alipay trade (query answer or notification) as applyPaid checks it. */
  private alipayPaid(trade: AlipayTrade): PaidTrade {
    return {
      channel: 'alipay',
      outTradeNo: trade.outTradeNo,
      transactionId: /^[0-9A-Za-z]{1,60}$/.test(trade.tradeNo) ? trade.tradeNo : '',
      amount: trade.totalFen,
      paid: trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED',
      paidAtMs: trade.paidAtMs ?? Date.now(),
      theirs: `${trade.status} ${trade.totalText} ${trade.tradeNo}`.slice(0, 255),
    };
  }

  private wechatPay(): WechatPay {
    if (!this.pay) throw new BffError('UNAVAILABLE', 'WeChat Pay top-ups are not configured on this server');
    return this.pay;
  }

  private alipayPay(): AlipayPay {
    if (!this.alipay) throw new BffError('UNAVAILABLE', 'Alipay top-ups are not configured on this server');
    return this.alipay;
  }

  /**
   * An Alipay asynchronous notification (form fields, decoded). Alipay sends it again until it reads
   * the plain text `success`, eight times over about a day. Answered `fail` (401) unless its RSA2
   * signature verifies with Alipay's key, so a forgery changes nothing; `fail` (500) when our side
   * could not apply it (the core unreachable), so Alipay retries. Everything else is answered
   * `success`: a payment credited once under ali:<trade_no> however often it arrives, a status with
   * nothing to do, a refund confirmation, and what can never apply (another app or seller, an
   * unknown order, a different amount), which is filed in the mismatch list instead.
   */
  async notifyAlipay(fields: Record<string, string>): Promise<AlipayNotifyAnswer> {
    if (!this.alipay) return { status: 503, body: 'fail' };
    if (!this.alipay.verifyNotification(fields)) {
      this.log.warn({ reason: 'signature' }, 'Alipay notification refused');
      return { status: 401, body: 'fail' };
    }
    try {
      await this.applyAlipayNotification(this.alipay, fields);
      return { status: 200, body: 'success' };
    } catch (error) {
      this.log.error({ err: errorName(error) }, 'Alipay notification could not be applied');
      return { status: 500, body: 'fail' };
    }
  }

  private async applyAlipayNotification(alipay: AlipayPay, fields: Record<string, string>): Promise<void> {
    const trade = tradeOf(fields);
    const atMs = trade.paidAtMs ?? Date.now();
    const theirs = `${trade.status} ${trade.totalText} ${trade.tradeNo}`;
    if (fields.app_id !== alipay.appId || fields.seller_id !== alipay.sellerId) {
      await this.alert(
        trade.outTradeNo,
        'missing_ours',
        null,
        `${theirs} app_id=${fields.app_id ?? ''}`,
        atMs,
        {
          source: 'notify',
          why: 'Alipay notification for another app or seller',
        },
      );
      return;
    }
    // A refund's notification (Alipay names our out_request_no as out_biz_no): the refund call already
    // settled it; one still processing here (its answer was lost) is settled now.
    if (fields.out_biz_no !== undefined && fields.refund_fee !== undefined) {
      await this.settleAlipayRefundNotice(fields.out_biz_no, trade, theirs);
      return;
    }
    if (trade.status === 'WAIT_BUYER_PAY' || trade.status === 'TRADE_CLOSED') return;
    if (trade.status !== 'TRADE_SUCCESS' && trade.status !== 'TRADE_FINISHED') {
      await this.alert(trade.outTradeNo, 'state_differs', null, theirs, atMs, {
        source: 'notify',
        why: 'Alipay notification with an unknown trade_status',
      });
      return;
    }
    await this.applyPaid(this.alipayPaid(trade), 'notify');
  }

  private async settleAlipayRefundNotice(
    outRequestNo: string,
    trade: AlipayTrade,
    theirs: string,
  ): Promise<void> {
    let refunds: TopUpRefund[] = [];
    try {
      refunds = (await this.core.topUpRefunds(trade.outTradeNo)).items;
    } catch (error) {
      if (!isFinal(error)) throw error;
    }
    const refund = refunds.find((r) => outRequestNoOf(r.id) === outRequestNo);
    if (!refund) {
      await this.alert(
        trade.outTradeNo,
        'state_differs',
        null,
        `REFUND ${outRequestNo} ${theirs}`,
        Date.now(),
        {
          source: 'notify',
          why: 'Alipay refund notification for a refund we never asked for',
        },
      );
      return;
    }
    if (refund.status === 'processing')
      await this.core.settleTopUpRefund(refund.id, { status: 'succeeded', wechatRefundId: null });
  }

  /**
   * One pass over orders older than TOP_UP_POLL_AFTER_MS that are not settled: each is queried;
   * a paid one is credited (its notification was lost or late), an expired unpaid one is closed
   * at WeChat first and then here, so it cannot be paid behind our back.
   */
  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { checked: 0, credited: 0, closed: 0, refunds: 0, failed: 0 };
    // Pages by id, so orders still waiting to be paid never hide newer ones that were paid.
    let afterId: string | undefined;
    for (let page = 0; page < POLL_PAGES_MAX; page++) {
      const { items } = await this.core.unsettledTopUpOrders(
        this.config.pollAfterMs,
        ORDERS_PER_POLL_MAX,
        afterId,
      );
      for (const order of items) {
        report.checked += 1;
        try {
          const outcome = await this.settle(order);
          if (outcome === 'credited') report.credited += 1;
          if (outcome === 'closed') report.closed += 1;
        } catch (error) {
          report.failed += 1;
          this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up poll failed for an order');
        }
      }
      afterId = items.at(-1)?.id;
      if (items.length < ORDERS_PER_POLL_MAX || afterId === undefined) break;
    }
    const refunds = await this.core.processingTopUpRefunds(this.config.pollAfterMs, ORDERS_PER_POLL_MAX);
    for (const refund of refunds.items) {
      report.refunds += 1;
      try {
        await this.followRefund(refund);
      } catch (error) {
        report.failed += 1;
        this.log.warn({ orderId: refund.orderId, err: errorName(error) }, 'top-up poll failed for a refund');
      }
    }
    return report;
  }

  /**
   * A refund without its notification: settled from the refund query, or asked again under the same
   * out_refund_no when WeChat never got it (the request was lost on the way).
   */
  private async followRefund(refund: TopUpRefund): Promise<void> {
    const order = await this.core.topUpOrder(refund.orderId);
    if (order.channel === 'alipay') {
      // Alipay refunds synchronously, once per out_request_no: asking again answers the first result.
      await this.askAlipayRefund(order, refund);
      return;
    }
    const found = await this.wechatPay().findRefund(refund.id);
    if (found === undefined) {
      const asked = await this.wechatPay().refund({
        outTradeNo: order.id,
        outRefundNo: refund.id,
        amount: refund.amount,
        total: order.amount,
        reason: refund.reason,
      });
      if (asked.status === 'SUCCESS' || asked.status === 'CLOSED' || asked.status === 'ABNORMAL')
        await this.settleRefund(refund.id, asked.status, asked.refundId);
      return;
    }
    if (found.status === 'SUCCESS' || found.status === 'CLOSED' || found.status === 'ABNORMAL')
      await this.settleRefund(refund.id, found.status, found.refundId);
  }

  private async settle(order: TopUpOrder): Promise<'credited' | 'closed' | 'waiting'> {
    if (order.channel === 'alipay') return this.settleAlipay(order);
    const expired = order.expiresAtMs <= Date.now();
    const t = await this.wechatPay().query(order.id);
    if (t === undefined) {
      // WeChat never got the order (the create failed on the way): nothing to pay, close when due.
      if (!expired) return 'waiting';
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND')
      return (await this.applyTransaction(t, 'poll')) === 'credited' ? 'credited' : 'waiting';
    if (t.trade_state === 'CLOSED' || t.trade_state === 'REVOKED' || t.trade_state === 'PAYERROR') {
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (!expired) return 'waiting';
    const closed = await this.wechatPay().close(order.id);
    if (closed === 'paid') {
      const paid = await this.wechatPay().query(order.id);
      if (paid) await this.applyTransaction(paid, 'poll');
      return 'credited';
    }
    await this.core.closeTopUpOrder(order.id);
    return 'closed';
  }

  /**
   * An Alipay order the notifications left behind: alipay.trade.query; paid is credited, closed at
   * Alipay is closed here, and an expired unpaid one is closed at Alipay first (alipay.trade.close)
   * and then here, so it cannot be paid behind our back. A trade Alipay never had (an H5 cashier
   * never opened, or a create that never arrived) is closed here once expired.
   */
  private async settleAlipay(order: TopUpOrder): Promise<'credited' | 'closed' | 'waiting'> {
    const alipay = this.alipayPay();
    const expired = order.expiresAtMs <= Date.now();
    const trade = await alipay.query(order.id);
    if (trade === undefined) {
      if (!expired) return 'waiting';
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
      return (await this.applyPaid(this.alipayPaid(trade), 'poll')) === 'credited' ? 'credited' : 'waiting';
    if (trade.status === 'TRADE_CLOSED') {
      if (trade.paidAtMs !== undefined) {
        // Paid, then refunded in full at Alipay: not ours to close; the card centre sees it.
        await this.alert(
          order.id,
          'state_differs',
          `${order.status} ${order.amount}`,
          `TRADE_CLOSED ${trade.totalText} ${trade.tradeNo}`,
          Date.now(),
          {
            source: 'poll',
            why: 'Alipay trade closed after payment while the order is not credited',
          },
        );
        return 'waiting';
      }
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (!expired) return 'waiting';
    const closed = await alipay.close(order.id);
    if (closed === 'paid') {
      const paid = await alipay.query(order.id);
      if (paid) await this.applyPaid(this.alipayPaid(paid), 'poll');
      return 'credited';
    }
    await this.core.closeTopUpOrder(order.id);
    return 'closed';
  }

  /**
   * Asks Alipay to refund under out_request_no = our refund id, and settles the refund with the
   * answer: taken → succeeded; refused in a signed answer → failed (the money goes back to the
   * wallet); no answer → still processing, asked again by the poller under the same number.
   */
  private async askAlipayRefund(order: TopUpOrder, refund: TopUpRefund): Promise<TopUpRefund> {
    try {
      await this.alipayPay().refund({
        outTradeNo: order.id,
        refundId: refund.id,
        amount: refund.amount,
        reason: refund.reason,
      });
    } catch (error) {
      if (error instanceof AlipayRefused) {
        this.log.warn({ orderId: order.id, err: error.subCode }, 'Alipay refused a top-up refund');
        return this.core.settleTopUpRefund(refund.id, { status: 'failed', wechatRefundId: null });
      }
      if (error instanceof AlipayUnavailable) {
        this.log.warn(
          { orderId: order.id, err: error.reason },
          'Alipay refund not answered; the poller asks again',
        );
        return refund;
      }
      throw error;
    }
    return this.core.settleTopUpRefund(refund.id, { status: 'succeeded', wechatRefundId: null });
  }

  /**
   * Refunds (part of) a top-up: the core takes the money back from the wallet first, then the
   * order's platform is asked under the same refund number (WeChat's out_refund_no, Alipay's
   * out_request_no), so a retry of this call (same refundId) is safe.
   */
  async refund(
    orderId: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<TopUpRefund> {
    const order = await this.core.topUpOrder(orderId);
    const refund = await this.core.startTopUpRefund(orderId, input);
    if (refund.status !== 'processing') return refund;
    if (order.channel === 'alipay') return this.askAlipayRefund(order, refund);
    const asked = await this.wechatPay().refund({
      outTradeNo: order.id,
      outRefundNo: refund.id,
      amount: refund.amount,
      total: order.amount,
      reason: input.reason,
    });
    if (asked.status === 'SUCCESS' || asked.status === 'CLOSED' || asked.status === 'ABNORMAL')
      return this.settleRefund(refund.id, asked.status, asked.refundId);
    return refund;
  }

  private settleRefund(refundId: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL', wechatRefundId: string) {
    return this.core.settleTopUpRefund(refundId, {
      status: status === 'SUCCESS' ? 'succeeded' : 'failed',
      wechatRefundId: wechatRefundId || null,
    });
  }

  /**
   * Our top-ups against each channel's bill of one Asia/Shanghai day: WeChat's trade bill, and with
   * Alipay configured, Alipay's 业务明细 (a day without an Alipay bill is compared as empty).
   * Differences are stored in the core. Both channels are tried; a failure of either is thrown after.
   */
  async reconcile(billDate: string): Promise<TopUpMismatch[]> {
    const found: TopUpMismatch[] = [];
    let failure: unknown;
    if (this.pay) {
      try {
        found.push(
          ...(await this.core.reconcileTopUps(billDate, await this.pay.tradeBill(billDate))).mismatches,
        );
      } catch (error) {
        failure = error;
      }
    }
    if (this.alipay) {
      try {
        const zip = await this.alipay.billZip(billDate);
        const rows = zip === undefined ? [] : parseAlipayBill(zip);
        found.push(...(await this.core.reconcileTopUps(billDate, rows, 'alipay')).mismatches);
      } catch (error) {
        failure ??= error;
      }
    }
    if (found.length > 0)
      this.log.warn({ billDate, count: found.length }, 'top-up reconciliation found differences');
    if (failure !== undefined) throw failure;
    return found;
  }

  async mismatches(billDate: string | undefined, limit: number) {
    return (await this.core.topUpMismatches({ ...(billDate ? { billDate } : {}), limit })).items;
  }

  /**
   * Polls every TOP_UP_POLL_INTERVAL_MS and reconciles yesterday once a day (by a kv claim); with a
   * lock (several BFF instances on one Redis), one instance polls each tick.
   */
  start(lock?: JobLock): void {
    if (this.config.pollIntervalMs === 0 || this.#job) return;
    this.#job = schedule({
      name: 'top-up-poll',
      everyMs: this.config.pollIntervalMs,
      log: this.log,
      lock,
      run: () => this.tick(),
    });
  }

  /** Stops polling; answers once a poll in flight has finished. */
  async stop(): Promise<void> {
    const job = this.#job;
    this.#job = undefined;
    await job?.stop();
  }

  private async tick(): Promise<void> {
    await this.pollOnce();
    const nowMs = Date.now();
    const { hour } = shanghaiParts(nowMs);
    if (this.config.reconcileAtHour >= 0 && hour >= this.config.reconcileAtHour) {
      const yesterday = addDays(shanghaiToday(nowMs), -1);
      if (await this.kv.setIfAbsent(`topup-reconciled:${yesterday}`, '1', 3 * 86_400_000))
        await this.reconcile(yesterday);
    }
  }

  private async ownOrder(openid: string, id: string): Promise<TopUpOrder> {
    try {
      const order = await this.core.topUpOrder(id);
      // Someone else's order reads as no order at all.
      if (order.openid !== openid) throw new BffError('NOT_FOUND', 'no such top-up');
      return order;
    } catch (error) {
      if (error instanceof CoreError && error.code === 'TOP_UP_NOT_FOUND')
        throw new BffError('NOT_FOUND', 'no such top-up');
      throw error;
    }
  }

  private payPage(order: TopUpOrder, payment: RequestPayment): { payPageUrl?: string } {
    if (!this.config.h5PayUrl) return {};
    const url = new URL(this.config.h5PayUrl);
    for (const [key, value] of Object.entries(payment)) url.searchParams.set(key, value);
    if (this.config.h5ReturnUrl)
      url.searchParams.set('return_url', this.config.h5ReturnUrl.replace('{id}', order.id));
    return { payPageUrl: url.toString() };
  }
}

function fail(status: number, message: string): NotifyAnswer {
  return { status, body: { code: 'FAIL', message } };
}

/** WeChat's answer for a notification handled here: 204, or 200 SUCCESS when the card centre was alerted. */
function answered(applied: Applied): NotifyAnswer {
  if (applied !== 'alerted') return { status: 204 };
  return {
    status: 200,
    body: { code: 'SUCCESS', message: 'recorded for the card centre; do not send again' },
  };
}

/**
 * A refusal by the core that a retry cannot change (not found, invalid, conflicting), as opposed
 * to the core failing, being overloaded or refusing our own signature, which may recover.
 */
function isFinal(error: unknown): error is CoreError {
  return (
    error instanceof CoreError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}

function errorName(error: unknown): string {
  return error instanceof CoreError || error instanceof BffError
    ? error.code
    : error instanceof Error
      ? error.name
      : 'unknown';
}
