import { createDecipheriv, createHash } from 'node:crypto';
import type { BillRow, RefundBillRow } from '@campus-card/core/client';
import { formatDateTime } from '@campus-card/core/time';
import { parse } from 'csv-parse/sync';
import Pay from 'wechatpay-node-v3';
import type { Output } from 'wechatpay-node-v3/dist/lib/interface-v2';
import type { IPayRequest } from 'wechatpay-node-v3/dist/lib/pay-request.interface';
import { z } from 'zod';
import { BffError } from '../../errors.ts';
import type { TopUpConfig } from './config.ts';

/**
 * WeChat Pay API v3 through the real wechatpay-node-v3 SDK. The SDK's own HTTP client drops
 * response headers and so never checks WeChat's signatures; ours (VerifyingTransport) checks every
 * response, and verifyNotification does what the SDK leaves out for notifications: the timestamp
 * window and the GCM tag.
 */
export const TIMESTAMP_SKEW_SECONDS_MAX = 300;
const WECHAT_PAY_ORIGIN = 'https://api.mch.weixin.qq.com';
const REQUEST_TIMEOUT_MS = 10_000;
const GCM_TAG_BYTES = 16;
/**
 * The SDK fetches /v3/certificates whenever a signature names a serial it has not cached: without a
 * floor, every forged notification with a made-up serial would make us call WeChat.
 */
const CERTIFICATE_REFRESH_MS_MIN = 60_000;

/** The SDK's process-wide cache of platform keys by serial (Pay.certificates, static). */
function knownSerial(serial: string): boolean {
  const cache = (Pay as unknown as { certificates?: Record<string, unknown> }).certificates ?? {};
  return Object.hasOwn(cache, serial);
}

/**
 * An IPayRequest that sends to `baseUrl` instead of WeChat's host (the request signature covers
 * only the path, so this is safe) and verifies every response's signature and freshness with the
 * platform certificate. Certificates are exempt (verifying needs them); bill files are unsigned by
 * WeChat and checked by the SHA1 the signed bill answer announces.
 */
export class VerifyingTransport implements IPayRequest {
  readonly #baseUrl: string;
  #pay: Pay | undefined;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/$/, '');
  }

  attach(pay: Pay): void {
    this.#pay = pay;
    pay.createHttp(this);
  }

  post(url: string, params: Record<string, unknown>, headers: Record<string, string>): Promise<Output> {
    return this.#send('POST', url, headers, JSON.stringify(params));
  }

  get(url: string, headers: Record<string, string>): Promise<Output> {
    return this.#send('GET', url, headers);
  }

  upload(): Promise<Output> {
    return Promise.reject(new Error('uploads are not used'));
  }

  async #send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Output> {
    if (!url.startsWith(WECHAT_PAY_ORIGIN)) throw new Error('not a WeChat Pay URL');
    const path = url.slice(WECHAT_PAY_ORIGIN.length);
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const exempt = path.startsWith('/v3/certificates') || path.startsWith('/v3/billdownload/');
    if (!exempt) await this.#verify(response.headers, text);
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    const data: unknown = isJson && text ? JSON.parse(text) : text;
    return response.ok
      ? { status: response.status, data }
      : { status: response.status, error: text, errRaw: data };
  }

  async #verify(headers: Headers, text: string): Promise<void> {
    const pay = this.#pay;
    if (pay === undefined) throw new Error('transport not attached to a Pay instance');
    const timestamp = headers.get('wechatpay-timestamp') ?? '';
    if (!fresh(timestamp)) throw new Error('WeChat Pay answer outside the 300 s window');
    const valid = await pay.verifySign({
      timestamp,
      nonce: headers.get('wechatpay-nonce') ?? '',
      serial: headers.get('wechatpay-serial') ?? '',
      signature: headers.get('wechatpay-signature') ?? '',
      body: text,
    });
    if (!valid) throw new Error('WeChat Pay answer signature does not verify');
  }
}

function fresh(timestamp: string): boolean {
  return (
    /^\d{1,12}$/.test(timestamp) &&
    Math.abs(Date.now() / 1000 - Number(timestamp)) <= TIMESTAMP_SKEW_SECONDS_MAX
  );
}

/** What wx.requestPayment takes (the mini-program passes all but appId). */
export interface RequestPayment {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** The transaction object of the query API and of TRANSACTION.SUCCESS notifications. */
export const transactionSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_state: z.string(),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int(), payer_total: z.number().int().optional() }),
});
export type Transaction = z.infer<typeof transactionSchema>;

export const refundResourceSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string(),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING']),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int(), refund: z.number().int() }),
});

const envelopeSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(24),
    associated_data: z.string().optional(),
    nonce: z.string().min(1).max(32),
  }),
});

/** Why a notification was refused; WeChat is answered non-2xx and sends it again later. */
export class NotificationRefused extends Error {
  constructor(readonly reason: 'stale' | 'bad_signature' | 'tampered' | 'malformed') {
    super(`notification refused: ${reason}`);
  }
}

/** A refund as WeChat answers it: status, its refund_id and, once succeeded, success_time. */
export interface WechatRefund {
  status: string;
  refundId: string;
  successTime: string | undefined;
}
type RefundAnswer = { status: string; refund_id?: string; success_time?: string };
const refundOf = (data: RefundAnswer): WechatRefund => ({
  status: data.status,
  refundId: data.refund_id ?? '',
  successTime: data.success_time,
});

/** A platform's bill of one day as the reconciliation compares it: its payments and its refunds. */
export interface DayBill {
  rows: BillRow[];
  refunds: RefundBillRow[];
}

export class WechatPay {
  readonly pay: Pay;
  readonly #config: TopUpConfig;
  /** The certificate fetch in flight, which notifications naming a new serial wait for. */
  #certificateFetch: Promise<void> | undefined;
  #certificatesFetchedAtMs = Number.NEGATIVE_INFINITY;

  constructor(config: TopUpConfig) {
    this.#config = config;
    this.pay = new Pay({
      appid: config.appId,
      mchid: config.mchid,
      publicKey: Buffer.from(config.merchantCertificatePem),
      privateKey: Buffer.from(config.merchantPrivateKeyPem),
      key: config.apiV3Key,
    });
    new VerifyingTransport(config.payUrl).attach(this.pay);
  }

  /**
   * Places (or places again, identically: WeChat then answers the same prepay_id) a JSAPI order and
   * answers the signed wx.requestPayment parameters.
   */
  async jsapi(order: {
    outTradeNo: string;
    amount: number;
    openid: string;
    expiresAtMs: number;
  }): Promise<RequestPayment> {
    const result = await this.#call(() =>
      this.pay.transactions_jsapi({
        description: '校园卡充值',
        out_trade_no: order.outTradeNo,
        time_expire: shanghaiTime(order.expiresAtMs),
        notify_url: this.#config.notifyUrl,
        amount: { total: order.amount, currency: 'CNY' },
        payer: { openid: order.openid },
      }),
    );
    const data = result.data as Partial<RequestPayment> | undefined;
    if (result.status !== 200 || !data?.package || !data.paySign) throw upstream('the order', result);
    return data as RequestPayment;
  }

  /** The order as WeChat sees it, or undefined when WeChat never got it. */
  async query(outTradeNo: string): Promise<Transaction | undefined> {
    const result = await this.#call(() => this.pay.query({ out_trade_no: outTradeNo }));
    if (result.status === 404) return undefined;
    const parsed = transactionSchema.safeParse(result.data);
    if (result.status !== 200 || !parsed.success) throw upstream('the order query', result);
    return parsed.data;
  }

  /** Closes an unpaid order; 'paid' when WeChat says it was paid after all. */
  async close(outTradeNo: string): Promise<'closed' | 'paid' | 'unknown'> {
    const result = await this.#call(() => this.pay.close(outTradeNo));
    if (result.status === 204 || result.status === 200) return 'closed';
    const text = String(result.error ?? '');
    if (text.includes('ORDERPAID')) return 'paid';
    if (text.includes('ORDER_NOT_EXIST')) return 'unknown';
    throw upstream('closing the order', result);
  }

  async refund(input: {
    outTradeNo: string;
    outRefundNo: string;
    amount: number;
    total: number;
    reason: string;
  }): Promise<WechatRefund> {
    const result = await this.#call(() =>
      this.pay.refunds({
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        reason: input.reason,
        notify_url: this.#config.notifyUrl,
        amount: { refund: input.amount, total: input.total, currency: 'CNY' },
      }),
    );
    const data = result.data as RefundAnswer | undefined;
    if (result.status !== 200 || !data?.status) throw upstream('the refund', result);
    return refundOf(data);
  }

  /** A refund as WeChat sees it, or undefined when WeChat never got it. */
  async findRefund(outRefundNo: string): Promise<WechatRefund | undefined> {
    const result = await this.#call(() => this.pay.find_refunds(outRefundNo));
    if (result.status === 404) return undefined;
    const data = result.data as RefundAnswer | undefined;
    if (result.status !== 200 || !data?.status) throw upstream('the refund query', result);
    return refundOf(data);
  }

  /** A day's trade bill, downloaded and checked against the SHA1 in the signed answer. */
  async tradeBill(billDate: string): Promise<DayBill> {
    const bill = await this.#call(() => this.pay.tradebill({ bill_date: billDate, bill_type: 'ALL' }));
    const info = bill.data as { download_url?: string; hash_type?: string; hash_value?: string } | undefined;
    if (bill.status !== 200 || !info?.download_url || info.hash_type !== 'SHA1')
      throw upstream('the trade bill', bill);
    const downloadUrl = info.download_url;
    const file = await this.#call(() => this.pay.downloadBill(downloadUrl));
    const text = String(file.data ?? '');
    if (file.status !== 200) throw upstream('the bill download', file);
    if (createHash('sha1').update(text).digest('hex') !== info.hash_value)
      throw new BffError('UPSTREAM_FAILED', 'the trade bill does not match its SHA1');
    return parseTradeBill(text);
  }

  /**
   * Checks a notification in WeChat's order of duties: timestamp window, signature over the raw
   * body with the platform certificate, then AES-256-GCM with the tag checked. Answers the event
   * type and the decrypted resource.
   */
  async verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<{ id: string; eventType: string; resource: unknown }> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    };
    const timestamp = header('wechatpay-timestamp');
    if (!fresh(timestamp)) throw new NotificationRefused('stale');
    const text = rawBody.toString('utf8');
    const serial = header('wechatpay-serial');
    if (!/^[0-9A-Za-z_]{1,64}$/.test(serial)) throw new NotificationRefused('bad_signature');
    let fetchingHere = false;
    if (!knownSerial(serial)) {
      if (this.#certificateFetch !== undefined) {
        // Another notification is fetching the certificates right now (the first ones after a start
        // come together): wait for that fetch instead of refusing, then the serial is known or not.
        await this.#certificateFetch;
        if (!knownSerial(serial)) throw new NotificationRefused('bad_signature');
      } else {
        if (Date.now() - this.#certificatesFetchedAtMs < CERTIFICATE_REFRESH_MS_MIN)
          throw new NotificationRefused('bad_signature');
        this.#certificatesFetchedAtMs = Date.now();
        fetchingHere = true;
      }
    }
    // For an unknown serial the SDK fetches /v3/certificates inside verifySign: that call is the fetch.
    const verification = this.pay.verifySign({
      timestamp,
      nonce: header('wechatpay-nonce'),
      serial,
      signature: header('wechatpay-signature'),
      body: text,
    });
    if (fetchingHere) {
      this.#certificateFetch = verification.then(
        () => undefined,
        () => undefined,
      );
      void this.#certificateFetch.then(() => {
        this.#certificateFetch = undefined;
      });
    }
    let signed = false;
    try {
      signed = await verification;
    } catch {
      signed = false;
    }
    if (!signed) throw new NotificationRefused('bad_signature');
    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(JSON.parse(text));
    } catch {
      throw new NotificationRefused('malformed');
    }
    let plaintext: string;
    try {
      plaintext = decryptResource(this.#config.apiV3Key, envelope.resource);
    } catch {
      throw new NotificationRefused('tampered');
    }
    try {
      return { id: envelope.id, eventType: envelope.event_type, resource: JSON.parse(plaintext) };
    } catch {
      throw new NotificationRefused('malformed');
    }
  }

  async #call(send: () => Promise<Output>): Promise<Output> {
    try {
      return await send();
    } catch {
      // A transport failure or an answer whose signature did not verify: nothing from it is trusted.
      throw new BffError('UPSTREAM_FAILED', 'WeChat Pay did not answer in a way we can trust');
    }
  }
}

function upstream(what: string, result: Output): BffError {
  return new BffError('UPSTREAM_FAILED', `WeChat Pay refused ${what}`, { status: result.status });
}

/** AEAD_AES_256_GCM as WeChat uses it (key = the APIv3 key's bytes); throws when the tag does not match. */
export function decryptResource(
  apiV3Key: string,
  resource: { ciphertext: string; associated_data?: string | undefined; nonce: string },
): string {
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  if (bytes.length <= GCM_TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(resource.nonce, 'utf8'),
  );
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - GCM_TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - GCM_TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/** WeChat's time format: second precision with the +08:00 offset. */
export function shanghaiTime(ms: number): string {
  return `${formatDateTime(ms).replace(' ', 'T')}+08:00`;
}

/** Yuan with two decimals to integer fen, by string handling only. */
function fenOf(yuan: string): number {
  const match = /^(\d+)\.(\d{2})$/.exec(yuan);
  if (!match) throw new BffError('UPSTREAM_FAILED', 'the trade bill has an amount we cannot read');
  return Number(match[1]) * 100 + Number(match[2]);
}

/**
 * The payment and refund rows of a trade bill: backquoted fields after a header, until the totals;
 * columns found by their header names. A SUCCESS row is a payment (应结订单金额); a REFUND row is a
 * refund (商户退款单号, 微信退款单号, 退款金额, 退款状态) and, as before, a row of its order in the payments
 * (whose state REFUND the reconciliation passes over). Read by csv-parse, the one CSV reader
 * (core/src/subsidies/csv.ts reads subsidy sheets with it).
 */
export function parseTradeBill(text: string): DayBill {
  let records: string[][];
  try {
    records = parse(text, {
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    });
  } catch {
    throw new BffError('UPSTREAM_FAILED', 'the trade bill is not CSV we can read');
  }
  const header = (records[0] ?? []).map((name) => name.trim());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new BffError('UPSTREAM_FAILED', `the trade bill has no column ${name}`);
    return index;
  };
  const at = {
    transactionId: column('微信订单号'),
    outTradeNo: column('商户订单号'),
    state: column('交易状态'),
    settled: column('应结订单金额'),
    refundId: column('微信退款单号'),
    outRefundNo: column('商户退款单号'),
    refunded: column('退款金额'),
    refundState: column('退款状态'),
  };
  const bill: DayBill = { rows: [], refunds: [] };
  for (const record of records.slice(1)) {
    if (!record[0]?.startsWith('`')) break;
    const fields = record.map((field) => field.replace(/^`/, '').trim());
    const field = (index: number) => fields[index] ?? '';
    const state = field(at.state);
    bill.rows.push({
      transactionId: field(at.transactionId),
      outTradeNo: field(at.outTradeNo),
      state,
      amount: fenOf(state === 'REFUND' ? field(at.refunded) : field(at.settled)),
    });
    if (state === 'REFUND')
      bill.refunds.push({
        outTradeNo: field(at.outTradeNo),
        outRefundNo: field(at.outRefundNo),
        refundId: field(at.refundId),
        state: field(at.refundState),
        amount: fenOf(field(at.refunded)),
      });
  }
  return bill;
}
