import { createHash } from 'node:crypto';
import { AlipayGateway, type AlipayGatewayOptions, type GatewayResult } from '@campus-card/core/alipay';
import { formatDateTime, shanghaiDateTimeMs } from '@campus-card/core/time';
import { ALIPAY_SUBJECT_PREFIX } from './alipay-login.ts';

/**
 * Alipay payments for top-ups, through the one verifying client (core/src/alipay/gateway.ts: every answer's
 * RSA2 signature checked, Beijing timestamps): alipay.trade.create for the mini-program (its trade_no
 * is what my.tradePay takes), the alipay.trade.wap.pay page for H5, query, close and refund with
 * out_request_no. Money crosses this boundary as Alipay's yuan strings and is converted exactly
 * (yuanToFen / fenToYuan, no floats).
 */
export interface AlipayPayOptions extends AlipayGatewayOptions {
  /** The merchant's partner id (2088…): a notification's seller_id must be it. */
  sellerId: string;
  /** Public URL of POST /api/v1/pay/alipay/notify. */
  notifyUrl: string;
  /** Which id the app hands out (ALIPAY_ID_TYPE): decides buyer_open_id or buyer_id on trade.create. */
  idType: 'open_id' | 'user_id';
  /** What the payer's bill shows. */
  subject?: string;
}

/** A trade as alipay.trade.query (or a notification) tells it, amounts in fen. */
export interface AlipayTrade {
  tradeNo: string;
  outTradeNo: string;
  status: string;
  /** undefined when total_amount is not a yuan amount with at most two decimals. */
  totalFen: number | undefined;
  totalText: string;
  paidAtMs: number | undefined;
}

/** Anything Alipay did not answer, or answered without a valid signature: try again later. */
export class AlipayUnavailable extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
  ) {
    super(`Alipay ${method} unavailable (${reason})`);
    this.name = 'AlipayUnavailable';
  }
}

/** A signed refusal with Alipay's business codes. */
export class AlipayRefused extends Error {
  constructor(
    readonly method: string,
    readonly subCode: string,
  ) {
    super(`Alipay refused ${method} (${subCode})`);
    this.name = 'AlipayRefused';
  }
}

/** "12.50" → 1250 exactly; undefined for anything else ("12.5" is 1250 too; "1e3", "-1", "12.505" are not). */
export function yuanToFen(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(0|[1-9]\d{0,11})(\.\d{1,2})?$/.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError('fen is a non-negative integer');
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/**
 * Our refund id as Alipay's out_request_no, which takes letters, digits and `_` only (64 at most):
 * every other character becomes `_` and its two hex digits (`adm-x` → `adm_2Dx`, `_` → `_5F`), so two
 * refund ids never share a number; one that would grow past 64 becomes `h` and its SHA-256 (63 hex).
 * Alipay names it back as a refund notification's out_biz_no.
 */
export function outRequestNoOf(refundId: string): string {
  const encoded = refundId.replace(
    /[^A-Za-z0-9]/g,
    (c) => `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return encoded.length <= 64
    ? encoded
    : `h${createHash('sha256').update(refundId).digest('hex').slice(0, 63)}`;
}

/** Whether an account pays inside the Alipay mini-program: it signed in through Alipay (`ali-<id>`). */
export function isAlipayAccount(openid: string): boolean {
  return openid.startsWith(ALIPAY_SUBJECT_PREFIX);
}

/** Alipay's times (gmt_payment, send_pay_date) are Beijing wall-clock without an offset. */
export function beijingMs(text: unknown): number | undefined {
  return typeof text === 'string' ? shanghaiDateTimeMs(text) : undefined;
}

export class AlipayPay {
  readonly gateway: AlipayGateway;
  readonly appId: string;
  readonly sellerId: string;
  readonly #options: AlipayPayOptions;

  constructor(options: AlipayPayOptions) {
    this.gateway = new AlipayGateway(options);
    this.appId = options.appId;
    this.sellerId = options.sellerId;
    this.#options = options;
  }

  #biz(order: { outTradeNo: string; amount: number; expiresAtMs: number }) {
    return {
      out_trade_no: order.outTradeNo,
      total_amount: fenToYuan(order.amount),
      subject: this.#options.subject ?? '校园卡充值',
      // Alipay refuses payment after this (Beijing time): an order we closed cannot be paid later.
      time_expire: formatDateTime(order.expiresAtMs),
    };
  }

  /**
   * alipay.trade.create for the mini-program: the buyer is the signed-in Alipay account. Answers the
   * trade_no for my.tradePay. Repeating it for the same order answers the same trade.
   */
  async createForMiniProgram(order: {
    outTradeNo: string;
    amount: number;
    expiresAtMs: number;
    openid: string;
  }): Promise<string> {
    const buyer = order.openid.slice(ALIPAY_SUBJECT_PREFIX.length);
    const data = this.#ok(
      'alipay.trade.create',
      await this.gateway.exec('alipay.trade.create', {
        notify_url: this.#options.notifyUrl,
        bizContent: {
          ...this.#biz(order),
          product_code: 'JSAPI_PAY',
          ...(this.#options.idType === 'open_id' ? { buyer_open_id: buyer } : { buyer_id: buyer }),
        },
      }),
    );
    const tradeNo = data.trade_no;
    if (typeof tradeNo !== 'string' || data.out_trade_no !== order.outTradeNo)
      throw new AlipayUnavailable('alipay.trade.create', 'malformed');
    return tradeNo;
  }

  /** The signed alipay.trade.wap.pay URL the H5 build opens (Alipay's cashier in the browser). */
  wapPayUrl(order: { outTradeNo: string; amount: number; expiresAtMs: number }, returnUrl: string): string {
    return this.gateway.pageUrl('alipay.trade.wap.pay', {
      bizContent: { ...this.#biz(order), product_code: 'QUICK_WAP_WAY' },
      notifyUrl: this.#options.notifyUrl,
      ...(returnUrl ? { returnUrl } : {}),
    });
  }

  /** The trade, or undefined when Alipay has none under this number (never created or never opened). */
  async query(outTradeNo: string): Promise<AlipayTrade | undefined> {
    const result = await this.gateway.exec('alipay.trade.query', {
      bizContent: { out_trade_no: outTradeNo },
    });
    if (result.kind === 'refused' && result.subCode === 'ACQ.TRADE_NOT_EXIST') return undefined;
    return tradeOf(this.#ok('alipay.trade.query', result));
  }

  /**
   * alipay.trade.close: 'closed' (now or already), 'missing' (Alipay has no such trade), or 'paid'
   * when the trade was paid meanwhile (it can no longer be closed).
   */
  async close(outTradeNo: string): Promise<'closed' | 'missing' | 'paid'> {
    const result = await this.gateway.exec('alipay.trade.close', {
      bizContent: { out_trade_no: outTradeNo },
    });
    if (result.kind === 'ok') return 'closed';
    if (result.kind === 'refused' && result.subCode === 'ACQ.TRADE_NOT_EXIST') return 'missing';
    if (result.kind === 'refused' && result.subCode === 'ACQ.TRADE_STATUS_ERROR') {
      const trade = await this.query(outTradeNo);
      if (trade === undefined) return 'missing';
      if (trade.status === 'TRADE_CLOSED') return trade.paidAtMs === undefined ? 'closed' : 'paid';
      if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') return 'paid';
    }
    this.#ok('alipay.trade.close', result);
    throw new AlipayUnavailable('alipay.trade.close', 'unexpected');
  }

  /**
   * alipay.trade.refund under out_request_no (our refund id): Alipay refunds once per request number,
   * so asking again after a lost answer is safe. Answers when Alipay refunded (gmt_refund_pay, undefined
   * when it gave none) once Alipay took it (fund_change Y, or N for a repeat); a signed business refusal
   * throws AlipayRefused; no answer throws AlipayUnavailable.
   */
  async refund(input: {
    outTradeNo: string;
    /** Our refund id; sent as outRequestNoOf(refundId). */
    refundId: string;
    amount: number;
    reason: string;
  }): Promise<{ refundedAtMs: number | undefined }> {
    const data = this.#ok(
      'alipay.trade.refund',
      await this.gateway.exec('alipay.trade.refund', {
        bizContent: {
          out_trade_no: input.outTradeNo,
          out_request_no: outRequestNoOf(input.refundId),
          refund_amount: fenToYuan(input.amount),
          refund_reason: input.reason,
        },
      }),
    );
    return { refundedAtMs: beijingMs(data.gmt_refund_pay) };
  }

  /**
   * The zip of one Asia/Shanghai day's trade bill (alipay.data.dataservice.bill.downloadurl.query,
   * then the download URL it answers, within the signed answer), or undefined when Alipay says that
   * day has no bill (nothing was paid or refunded).
   */
  async billZip(billDate: string): Promise<Buffer | undefined> {
    const method = 'alipay.data.dataservice.bill.downloadurl.query';
    const result = await this.gateway.exec(method, {
      bizContent: { bill_type: 'trade', bill_date: billDate },
    });
    if (result.kind === 'refused' && result.subCode === 'isp.bill_not_exist') return undefined;
    const url = this.#ok(method, result).bill_download_url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url))
      throw new AlipayUnavailable(method, 'malformed');
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000) });
    } catch {
      throw new AlipayUnavailable(method, 'download');
    }
    if (!response.ok) throw new AlipayUnavailable(method, `download status ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** True when a notification's form fields carry Alipay's valid RSA2 signature (checkNotifySignV2). */
  verifyNotification(fields: Record<string, string>): boolean {
    try {
      return this.gateway.verifyNotification(fields);
    } catch {
      return false;
    }
  }

  #ok(method: string, result: GatewayResult): Record<string, unknown> {
    if (result.kind === 'ok') return result.data;
    if (result.kind === 'refused') {
      // 20000 is Alipay being unavailable, not a decision about this request.
      if (
        result.code === '20000' ||
        result.subCode.startsWith('isp.') ||
        result.subCode === 'ACQ.SYSTEM_ERROR'
      )
        throw new AlipayUnavailable(method, result.subCode || result.code);
      throw new AlipayRefused(method, result.subCode || result.code);
    }
    throw new AlipayUnavailable(method, result.reason);
  }
}

/** A trade from a query answer or a notification's fields. */
export function tradeOf(fields: Record<string, unknown>): AlipayTrade {
  const text = typeof fields.total_amount === 'string' ? fields.total_amount : '';
  return {
    tradeNo: String(fields.trade_no ?? ''),
    outTradeNo: String(fields.out_trade_no ?? ''),
    status: String(fields.trade_status ?? ''),
    totalFen: yuanToFen(text),
    totalText: text,
    paidAtMs: beijingMs(fields.gmt_payment ?? fields.send_pay_date),
  };
}
