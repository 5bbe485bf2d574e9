import type { CoreClient, TopUpOrder } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import { shanghaiToday } from '@campus-card/core/time';
import { BffError } from '../../errors.ts';
import type { Kv } from '../../kv/index.ts';
import type { AlipayPay, AlipayTrade } from '../alipay-pay.ts';
import type { TopUpConfig, TopUpSettings } from './config.ts';
import type { TopUpRefunder } from './refunds.ts';
import type { RequestPayment, Transaction, WechatPay } from './wechat-pay.ts';

// What every top-up story shares (top-up-service.ts places orders; wechat-notify.ts and
// alipay-notify.ts take the platforms' notifications; poller.ts catches what they missed and
// reconciles; refunds.ts gives money back): the order as the mini-program reads it, and the one
// check that credits a paid trade once or files it for the card centre.

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
  /** The fee bill the order pays, or null for a top-up of the card. */
  feeBillId: string | null;
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

/**
 * One payment as the checks see it, whichever platform reported it: the order number, the platform's
 * transaction (WeChat's transaction_id, Alipay's trade_no), the amount in fen (undefined when the
 * platform's text was not an amount), and whether it says paid.
 */
export interface PaidTrade {
  channel: TopUpOrder['channel'];
  outTradeNo: string;
  transactionId: string;
  amount: number | undefined;
  paid: boolean;
  paidAtMs: number;
  /** The platform's side, for the mismatch list: state, amount, transaction. */
  theirs: string;
}

/** How a WeChat transaction ended here: credited, nothing to do, or a finding for the card centre. */
export type Applied = 'credited' | 'ignored' | 'alerted';

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
    feeBillId: order.feeBillId,
  };
}

/** What the top-up stories are built on: the core, the two platforms, the kv, the settings, the log. */
export interface TopUpDeps {
  core: CoreClient;
  /** WeChat Pay; undefined on a server that takes Alipay only. */
  pay: WechatPay | undefined;
  /** Alipay as the second channel (docs/alipay.md); orders with channel 'alipay' are refused without it. */
  alipay: AlipayPay | undefined;
  kv: Kv;
  /** The shared settings, plus WeChat Pay's appid, mchid and H5 page when WeChat Pay is configured. */
  config: TopUpSettings & Partial<Pick<TopUpConfig, 'appId' | 'mchid' | 'h5PayUrl'>>;
  log: Logger;
}

/** One story of the top-ups: its dependencies, and the platform it needs, refused when not configured. */
export class TopUpPart {
  protected readonly core: CoreClient;
  protected readonly pay: WechatPay | undefined;
  protected readonly alipay: AlipayPay | undefined;
  protected readonly kv: Kv;
  protected readonly config: TopUpDeps['config'];
  protected readonly log: Logger;

  constructor(deps: TopUpDeps) {
    this.core = deps.core;
    this.pay = deps.pay;
    this.alipay = deps.alipay;
    this.kv = deps.kv;
    this.config = deps.config;
    this.log = deps.log;
  }

  protected wechatPay(): WechatPay {
    if (!this.pay) throw new BffError('UNAVAILABLE', 'WeChat Pay top-ups are not configured on this server');
    return this.pay;
  }

  protected alipayPay(): AlipayPay {
    if (!this.alipay) throw new BffError('UNAVAILABLE', 'Alipay top-ups are not configured on this server');
    return this.alipay;
  }

  /**
   * A WeChat refund's outcome recorded in the core (Alipay's are settled as succeeded or failed), at
   * WeChat's success_time when it gave one, so the refund's day is the trade bill's.
   */
  protected settleRefund(
    refundId: string,
    status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL',
    wechatRefundId: string,
    successTime?: string,
  ) {
    const settledAtMs = successTime ? Date.parse(successTime) : Number.NaN;
    return this.core.settleTopUpRefund(refundId, {
      status: status === 'SUCCESS' ? 'succeeded' : 'failed',
      wechatRefundId: wechatRefundId || null,
      ...(Number.isSafeInteger(settledAtMs) && settledAtMs > 0 ? { settledAtMs } : {}),
    });
  }
}

/**
 * The checks a paid trade passes before it is credited, whichever way it arrived (notification,
 * query on read, poll): ours, known, of the same channel and amount; what fails is alerted.
 */
export class PaymentChecks extends TopUpPart {
  constructor(
    deps: TopUpDeps,
    /** Gives a fee order's money back to its platform when the bill was paid meanwhile. */
    private readonly refunds: TopUpRefunder,
  ) {
    super(deps);
  }

  /**
   * A finding no retry can settle, for the card centre: a warning in the log (order number and
   * kind, no payer) and a row in the mismatch list the backoffice shows, once per day, order and kind.
   */
  async alert(
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
  async applyTransaction(t: Transaction, source: 'notify' | 'poll'): Promise<Applied> {
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
  async applyPaid(p: PaidTrade, source: 'notify' | 'poll'): Promise<Applied> {
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
      const confirmed = await this.core.confirmTopUpPayment(order.id, {
        transactionId: p.transactionId,
        amount: p.amount,
        paidAtMs: p.paidAtMs,
      });
      // A fee paid meanwhile (by the wallet, another order): the core put the whole amount on a refund,
      // asked of the platform now; the poller asks again if this fails. Never a double collection.
      if (confirmed.feeBillId !== null && confirmed.status === 'failed') await this.refundFeeOrder(confirmed);
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

  private async refundFeeOrder(order: TopUpOrder): Promise<void> {
    try {
      await this.refunds.refund(order.id, {
        refundId: `fee-${order.id}`,
        amount: order.amount,
        reason: '缴费已缴清，原路退回',
      });
    } catch (error) {
      this.log.warn(
        { orderId: order.id, err: errorName(error) },
        'fee order refund not asked yet; the poller asks',
      );
    }
  }

  /** An Alipay trade (query answer or notification) as applyPaid checks it. */
  alipayPaid(trade: AlipayTrade): PaidTrade {
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
}

/**
 * A refusal by the core that a retry cannot change (not found, invalid, conflicting), as opposed
 * to the core failing, being overloaded or refusing our own signature, which may recover.
 */
export function isFinal(error: unknown): error is CoreError {
  return (
    error instanceof CoreError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}

export function errorName(error: unknown): string {
  return error instanceof CoreError || error instanceof BffError
    ? error.code
    : error instanceof Error
      ? error.name
      : 'unknown';
}
