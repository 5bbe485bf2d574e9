import { randomInt } from 'node:crypto';
import { shanghaiToday } from '@campus-card/core/time';
import { beijingTime } from './signing.ts';

/**
 * The stand-in's trades and refunds, in memory, in integer fen; the wire speaks yuan strings with two
 * decimals ("12.50"), converted only at the edge (yuanToFen, fenToYuan).
 */
export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface Buyer {
  /** The 2088… user id, for apps that use user ids. */
  userId?: string;
  /** The app-scoped open_id, for apps that use open ids. */
  openId?: string;
}

export interface Refund {
  outRequestNo: string;
  amountFen: number;
  reason: string;
  atMs: number;
}

export interface Trade {
  appId: string;
  outTradeNo: string;
  tradeNo: string;
  totalFen: number;
  subject: string;
  productCode: string;
  buyer: Buyer;
  notifyUrl?: string;
  returnUrl?: string;
  status: TradeStatus;
  createdAtMs: number;
  paidAtMs?: number;
  closedAtMs?: number;
  refunds: Refund[];
}

/** The largest amount one trade may have: 100 000 000 yuan. */
export const TRADE_FEN_MAX = 10_000_000_000;
export const TRADES_MAX = 100_000;

export type Outcome<T> = { ok: true; value: T } | { ok: false; subCode: string; subMsg: string };

const fail = (subCode: string, subMsg: string): { ok: false; subCode: string; subMsg: string } => ({
  ok: false,
  subCode,
  subMsg,
});

/** "12.50" → 1250; undefined for anything that is not yuan with at most two decimals. */
export function yuanToFen(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function refundedFen(trade: Trade): number {
  return trade.refunds.reduce((sum, refund) => sum + refund.amountFen, 0);
}

export interface CreateInput {
  appId: string;
  outTradeNo: string;
  totalFen: number;
  subject: string;
  productCode: string;
  buyer: Buyer;
  notifyUrl?: string;
  returnUrl?: string;
}

export class TradeBook {
  readonly #byOutTradeNo = new Map<string, Trade>();
  readonly #byTradeNo = new Map<string, Trade>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Opens a trade, or answers the open one again when the same out_trade_no comes with the same
   * contents; a paid, closed or different one is refused as Alipay does.
   */
  create(input: CreateInput): Outcome<Trade> {
    const key = `${input.appId}/${input.outTradeNo}`;
    const existing = this.#byOutTradeNo.get(key);
    if (existing !== undefined) {
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED')
        return fail('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') return fail('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (existing.totalFen !== input.totalFen || existing.subject !== input.subject)
        return fail('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      return { ok: true, value: existing };
    }
    if (this.#byOutTradeNo.size >= TRADES_MAX) return fail('ACQ.SYSTEM_ERROR', '系统错误');
    const trade: Trade = {
      ...input,
      tradeNo: this.#newTradeNo(),
      status: 'WAIT_BUYER_PAY',
      createdAtMs: this.#now(),
      refunds: [],
    };
    this.#byOutTradeNo.set(key, trade);
    this.#byTradeNo.set(trade.tradeNo, trade);
    return { ok: true, value: trade };
  }

  find(appId: string, ref: { outTradeNo?: string; tradeNo?: string }): Trade | undefined {
    const trade =
      ref.tradeNo !== undefined
        ? this.#byTradeNo.get(ref.tradeNo)
        : this.#byOutTradeNo.get(`${appId}/${ref.outTradeNo ?? ''}`);
    return trade?.appId === appId ? trade : undefined;
  }

  /** What the Alipay cashier does when the buyer confirms: the trade is paid by this buyer. */
  pay(trade: Trade, buyer: Buyer): Outcome<Trade> {
    if (trade.status === 'TRADE_CLOSED') return fail('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    if (trade.status !== 'WAIT_BUYER_PAY') return fail('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    trade.status = 'TRADE_SUCCESS';
    trade.paidAtMs = this.#now();
    if (trade.buyer.userId === undefined && trade.buyer.openId === undefined) trade.buyer = buyer;
    return { ok: true, value: trade };
  }

  close(trade: Trade): Outcome<Trade> {
    if (trade.status !== 'WAIT_BUYER_PAY') return fail('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    trade.status = 'TRADE_CLOSED';
    trade.closedAtMs = this.#now();
    return { ok: true, value: trade };
  }

  /**
   * Refunds part or all of a paid trade, once per out_request_no: the same request again answers
   * the first result with `isNew: false` (Alipay's fund_change N) and moves no money.
   */
  refund(
    trade: Trade,
    outRequestNo: string,
    amountFen: number,
    reason: string,
  ): Outcome<{ refund: Refund; isNew: boolean }> {
    const earlier = trade.refunds.find((refund) => refund.outRequestNo === outRequestNo);
    if (earlier !== undefined) {
      if (earlier.amountFen !== amountFen) return fail('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
      return { ok: true, value: { refund: earlier, isNew: false } };
    }
    if (trade.status !== 'TRADE_SUCCESS') return fail('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (amountFen <= 0 || refundedFen(trade) + amountFen > trade.totalFen)
      return fail('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const refund: Refund = { outRequestNo, amountFen, reason, atMs: this.#now() };
    trade.refunds.push(refund);
    if (refundedFen(trade) === trade.totalFen) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAtMs = refund.atMs;
    }
    return { ok: true, value: { refund, isNew: true } };
  }

  tradesOf(appId: string): Trade[] {
    return [...this.#byOutTradeNo.values()].filter((trade) => trade.appId === appId);
  }

  /** 28 digits like Alipay's: the Beijing date, a channel part, then random digits. */
  #newTradeNo(): string {
    const date = shanghaiToday(this.#now()).replaceAll('-', '');
    let digits = '';
    while (digits.length < 15) digits += String(randomInt(0, 10));
    return `${date}22001${digits}`;
  }
}

/** The trade as alipay.trade.query answers it (snake_case, yuan strings). */
export function tradeView(trade: Trade): Record<string, string> {
  const paid = trade.paidAtMs !== undefined;
  const view: Record<string, string> = {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    trade_status: trade.status,
    total_amount: fenToYuan(trade.totalFen),
  };
  if (paid) {
    view.buyer_pay_amount = fenToYuan(trade.totalFen);
    view.receipt_amount = fenToYuan(trade.totalFen - refundedFen(trade));
    view.send_pay_date = beijingTime(trade.paidAtMs ?? 0);
    view.buyer_logon_id = 'stu***@campus.test';
  }
  if (trade.buyer.userId !== undefined) view.buyer_user_id = trade.buyer.userId;
  if (trade.buyer.openId !== undefined) view.buyer_open_id = trade.buyer.openId;
  return view;
}
