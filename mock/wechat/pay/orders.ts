import { randomBytes } from 'node:crypto';
import { shanghaiTime } from './certificates.ts';

/**
 * Orders and refunds as WeChat Pay keeps them, with the states its query API reports. Results are
 * values with WeChat's error codes, so the routes only map them to HTTP.
 */
export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface JsapiOrderInput {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  time_expire?: string | undefined;
  attach?: string | undefined;
  notify_url: string;
  amount: { total: number; currency?: string | undefined };
  payer: { openid: string };
}

export interface Order {
  input: JsapiOrderInput;
  prepayId: string;
  createdAtMs: number;
  expiresAtMs: number;
  state: TradeState;
  transactionId?: string;
  successAtMs?: number;
  refundedFen: number;
}

export interface Refund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  mchid: string;
  reason?: string | undefined;
  notifyUrl?: string | undefined;
  refundFen: number;
  createdAtMs: number;
  status: RefundStatus;
  successAtMs?: number;
}

export interface RefundInput {
  out_trade_no?: string | undefined;
  transaction_id?: string | undefined;
  out_refund_no: string;
  reason?: string | undefined;
  notify_url?: string | undefined;
  amount: { refund: number; total: number; currency: string };
}

export type Failure = { ok: false; status: number; code: string; message: string };
export type Result<T> = { ok: true; value: T } | Failure;

const fail = (status: number, code: string, message: string): Failure => ({
  ok: false,
  status,
  code,
  message,
});

/** Unpaid orders without time_expire close after two hours, as WeChat's do. */
export const ORDER_TTL_MS_DEFAULT = 2 * 3_600_000;
export const ORDERS_MAX = 100_000;

function digits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join('');
}

function sameInput(a: JsapiOrderInput, b: JsapiOrderInput): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class OrderBook {
  readonly #orders = new Map<string, Order>();
  readonly #byPrepay = new Map<string, Order>();
  readonly #byTransaction = new Map<string, Order>();
  readonly #refunds = new Map<string, Refund>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  #key(mchid: string, outTradeNo: string): string {
    return `${mchid}/${outTradeNo}`;
  }

  /** Expiry is lazy: an unpaid order past its time reads as CLOSED, as it would on WeChat's side. */
  #settle(order: Order): Order {
    if (order.state === 'NOTPAY' && order.expiresAtMs <= this.#now()) order.state = 'CLOSED';
    return order;
  }

  createJsapi(input: JsapiOrderInput): Result<Order> {
    const existing = this.#orders.get(this.#key(input.mchid, input.out_trade_no));
    if (existing !== undefined) {
      this.#settle(existing);
      if (existing.state === 'CLOSED') return fail(400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.state !== 'NOTPAY') return fail(400, 'ORDERPAID', '该订单已支付');
      // WeChat answers a repeated, identical order with the same prepay_id; a changed one is refused.
      if (!sameInput(existing.input, input)) return fail(400, 'INVALID_REQUEST', '201 商户订单号重复');
      return { ok: true, value: existing };
    }
    if (this.#orders.size >= ORDERS_MAX)
      return fail(429, 'FREQUENCY_LIMITED', `more than ${ORDERS_MAX} orders`);
    const now = this.#now();
    const expiresAtMs =
      input.time_expire === undefined ? now + ORDER_TTL_MS_DEFAULT : Date.parse(input.time_expire);
    if (!Number.isFinite(expiresAtMs)) return fail(400, 'PARAM_ERROR', 'time_expire 格式错误');
    const order: Order = {
      input,
      prepayId: `wx${digits(8)}${randomBytes(12).toString('hex')}`,
      createdAtMs: now,
      expiresAtMs,
      state: 'NOTPAY',
      refundedFen: 0,
    };
    this.#orders.set(this.#key(input.mchid, input.out_trade_no), order);
    this.#byPrepay.set(order.prepayId, order);
    return { ok: true, value: order };
  }

  find(mchid: string, outTradeNo: string): Order | undefined {
    const order = this.#orders.get(this.#key(mchid, outTradeNo));
    return order === undefined ? undefined : this.#settle(order);
  }

  findByPrepayId(prepayId: string): Order | undefined {
    const order = this.#byPrepay.get(prepayId);
    return order === undefined ? undefined : this.#settle(order);
  }

  close(mchid: string, outTradeNo: string): Result<Order> {
    const order = this.find(mchid, outTradeNo);
    if (order === undefined) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return fail(400, 'ORDERPAID', '订单已支付');
    order.state = 'CLOSED';
    return { ok: true, value: order };
  }

  /** The payer confirmed in WeChat: the order succeeds once; paying again is refused. */
  pay(prepayId: string): Result<Order> {
    const order = this.findByPrepayId(prepayId);
    if (order === undefined) return fail(404, 'ORDER_NOT_EXIST', 'prepay_id 不存在');
    if (order.state === 'CLOSED') return fail(400, 'ORDER_CLOSED', '订单已关闭');
    if (order.state !== 'NOTPAY') return fail(400, 'ORDERPAID', '订单已支付');
    order.state = 'SUCCESS';
    order.successAtMs = this.#now();
    order.transactionId = `42000${digits(23)}`;
    this.#byTransaction.set(order.transactionId, order);
    return { ok: true, value: order };
  }

  refund(mchid: string, input: RefundInput): Result<Refund> {
    const existing = this.#refunds.get(this.#key(mchid, input.out_refund_no));
    if (existing !== undefined) return { ok: true, value: existing };
    const order =
      input.out_trade_no !== undefined
        ? this.find(mchid, input.out_trade_no)
        : this.#byTransaction.get(input.transaction_id ?? '');
    if (order === undefined || order.input.mchid !== mchid)
      return fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    if (order.state !== 'SUCCESS' && order.state !== 'REFUND')
      return fail(400, 'INVALID_REQUEST', '订单未支付');
    if (input.amount.total !== order.input.amount.total)
      return fail(400, 'PARAM_ERROR', '订单金额与原订单不一致');
    if (order.refundedFen + input.amount.refund > order.input.amount.total) {
      return fail(403, 'NOT_ENOUGH', '申请退款金额超过订单可退金额');
    }
    order.refundedFen += input.amount.refund;
    order.state = 'REFUND';
    const refund: Refund = {
      refundId: `50000${digits(24)}`,
      outRefundNo: input.out_refund_no,
      outTradeNo: order.input.out_trade_no,
      mchid,
      reason: input.reason,
      notifyUrl: input.notify_url,
      refundFen: input.amount.refund,
      createdAtMs: this.#now(),
      status: 'PROCESSING',
    };
    this.#refunds.set(this.#key(mchid, input.out_refund_no), refund);
    return { ok: true, value: refund };
  }

  findRefund(mchid: string, outRefundNo: string): Refund | undefined {
    return this.#refunds.get(this.#key(mchid, outRefundNo));
  }

  completeRefund(refund: Refund, outcome: 'SUCCESS' | 'CLOSED' = 'SUCCESS'): void {
    if (refund.status !== 'PROCESSING') return;
    refund.status = outcome;
    if (outcome === 'SUCCESS') refund.successAtMs = this.#now();
    // A closed refund gives the amount back to what the order may still refund.
    else {
      const order = this.#orders.get(this.#key(refund.mchid, refund.outTradeNo));
      if (order) order.refundedFen -= refund.refundFen;
    }
  }

  /** Orders of one merchant, for the trade bill. */
  ordersOf(mchid: string): Order[] {
    return [...this.#orders.values()].filter((order) => order.input.mchid === mchid);
  }

  refundsOf(mchid: string): Refund[] {
    return [...this.#refunds.values()].filter((refund) => refund.mchid === mchid);
  }
}

/** The transaction object of the query API and of TRANSACTION.SUCCESS notifications. */
export function transactionView(order: Order) {
  const { input } = order;
  const currency = input.amount.currency ?? 'CNY';
  const paid = order.transactionId !== undefined;
  return {
    appid: input.appid,
    mchid: input.mchid,
    out_trade_no: input.out_trade_no,
    ...(paid ? { transaction_id: order.transactionId } : {}),
    trade_type: 'JSAPI',
    trade_state: order.state,
    trade_state_desc: tradeStateDescriptions[order.state],
    ...(paid ? { bank_type: 'OTHERS' } : {}),
    attach: input.attach ?? '',
    ...(order.successAtMs !== undefined ? { success_time: shanghaiTime(new Date(order.successAtMs)) } : {}),
    payer: { openid: input.payer.openid },
    amount: paid
      ? { total: input.amount.total, payer_total: input.amount.total, currency, payer_currency: currency }
      : { total: input.amount.total, currency, payer_currency: currency },
  };
}

const tradeStateDescriptions: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '未支付',
  CLOSED: '已关闭',
  REVOKED: '已撤销',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败',
};

export function refundView(refund: Refund, order: Order) {
  const total = order.input.amount.total;
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: order.transactionId ?? '',
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successAtMs !== undefined ? { success_time: shanghaiTime(new Date(refund.successAtMs)) } : {}),
    create_time: shanghaiTime(new Date(refund.createdAtMs)),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total,
      refund: refund.refundFen,
      payer_total: total,
      payer_refund: refund.refundFen,
      settlement_refund: refund.refundFen,
      settlement_total: total,
      discount_refund: 0,
      currency: order.input.amount.currency ?? 'CNY',
    },
  };
}

/** The resource of REFUND.* notifications, a smaller shape than the query answer. */
export function refundNotificationResource(refund: Refund, order: Order) {
  return {
    mchid: refund.mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: order.transactionId ?? '',
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successAtMs !== undefined ? { success_time: shanghaiTime(new Date(refund.successAtMs)) } : {}),
    user_received_account: '支付用户零钱',
    amount: {
      total: order.input.amount.total,
      refund: refund.refundFen,
      payer_total: order.input.amount.total,
      payer_refund: refund.refundFen,
    },
  };
}
