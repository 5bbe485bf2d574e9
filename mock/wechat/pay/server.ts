import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen, readRawBody } from '../http.ts';
import { type PreparedBill, prepareBill, shanghaiDate, tradeBill } from './bill.ts';
import { certificatesBody, makePlatformCertificate, type PlatformCertificate } from './certificates.ts';
import { FaultSwitches, type Faults } from './faults.ts';
import { type DeliveryAttempt, Notifier } from './notifications.ts';
import {
  type Order,
  OrderBook,
  type Refund,
  refundNotificationResource,
  refundView,
  transactionView,
} from './orders.ts';
import {
  closeBody,
  faultsBody,
  jsapiOrderBody,
  refundBody,
  requestPaymentBody,
  tradeBillQuery,
} from './schemas.ts';
import {
  parseAuthorization,
  requestMessage,
  signedHeaders,
  TIMESTAMP_SKEW_SECONDS_MAX,
  verifyText,
} from './signing.ts';

/**
 * The WeChat Pay API v3 stand-in: one node:http server that checks our request signatures, signs
 * every answer with its own platform certificate, keeps orders and refunds, and delivers signed,
 * encrypted notifications. Routes under `/__mock/` are the stand-in's own controls and are not signed.
 */
export interface MerchantRegistration {
  mchid: string;
  /** The merchant API certificate (PEM); its serial is what our Authorization header names. */
  certificatePem: string;
  /** The 32-character APIv3 key, shared secret for AEAD_AES_256_GCM. */
  apiV3Key: string;
}

export interface PayStandInOptions {
  host?: string;
  port?: number;
  merchants: readonly MerchantRegistration[];
  /** 1 is WeChat's real retry schedule; tests pass e.g. 0.001. */
  retryScale?: number;
  /** How long a refund stays PROCESSING before it succeeds and is notified. */
  refundSettleMs?: number;
  /** WeChat publishes a day's bill from 10:00 the next day; true serves it at once (for tests and the demo). */
  billsSameDay?: boolean;
  /**
   * Origins the H5 payment page (GET /pay/h5) may send the payer back to, e.g. the mini-program's H5
   * build; any other return_url is refused, so the page is no open redirect.
   */
  h5ReturnOrigins?: readonly string[];
  now?: () => number;
}

export interface PayStandIn {
  baseUrl: string;
  platform: { serialNo: string; certificatePem: string };
  faults: FaultSwitches;
  /** Every notification attempt, in order, with the receiver's status. */
  deliveries: readonly DeliveryAttempt[];
  /** What the WeChat client does on wx.requestPayment: checks paySign, then pays and notifies. */
  pay(request: unknown): Promise<PayResult>;
  /** Looks an order up without a signed request, for tests' assertions. */
  order(mchid: string, outTradeNo: string): Order | undefined;
  /** Looks a refund up by out_refund_no the same way. */
  refund(mchid: string, outRefundNo: string): Refund | undefined;
  close(): Promise<void>;
}

export type PayResult =
  | { ok: true; transactionId: string }
  | { ok: false; status: number; code: string; message: string };

interface Merchant extends MerchantRegistration {
  serialNo: string;
  publicKey: KeyObject;
}

interface Reply {
  status: number;
  body?: unknown;
  /** Bill downloads are plain text and, as with WeChat, unsigned: the SHA1 in the bill answer protects them. */
  text?: string;
}

const BILL_HISTORY_DAYS = 92;

function problem(status: number, code: string, message: string): Reply {
  return { status, body: { code, message } };
}

export async function startPayStandIn(options: PayStandInOptions): Promise<PayStandIn> {
  const now = options.now ?? Date.now;
  const platform: PlatformCertificate = makePlatformCertificate(new Date(now()));
  const merchants = new Map<string, Merchant>();
  for (const registration of options.merchants) {
    if (registration.apiV3Key.length !== 32)
      throw new Error(`APIv3 key of ${registration.mchid} is not 32 characters`);
    const certificate = new X509Certificate(registration.certificatePem);
    merchants.set(registration.mchid, {
      ...registration,
      serialNo: certificate.serialNumber.toUpperCase(),
      publicKey: createPublicKey(registration.certificatePem),
    });
  }
  const orders = new OrderBook(now);
  const faults = new FaultSwitches();
  const notifier = new Notifier({ platform, now, retryScale: options.retryScale ?? 1 });
  const bills = new Map<string, PreparedBill>();
  const refundTimers = new Set<NodeJS.Timeout>();

  const notifyPaid = (order: Order, merchant: Merchant) => {
    notifier.send({
      notifyUrl: order.input.notify_url,
      eventType: 'TRANSACTION.SUCCESS',
      originalType: 'transaction',
      summary: '支付成功',
      resource: transactionView(order),
      apiV3Key: merchant.apiV3Key,
      outTradeNo: order.input.out_trade_no,
      faults: faults.for(order.input.out_trade_no),
    });
  };

  const settleRefundLater = (refund: Refund, order: Order, merchant: Merchant) => {
    const timer = setTimeout(() => {
      refundTimers.delete(timer);
      const closes = faults.for(order.input.out_trade_no).refundCloses === true;
      orders.completeRefund(refund, closes ? 'CLOSED' : 'SUCCESS');
      if (refund.notifyUrl === undefined) return;
      notifier.send({
        notifyUrl: refund.notifyUrl,
        eventType: closes ? 'REFUND.CLOSED' : 'REFUND.SUCCESS',
        originalType: 'refund',
        summary: closes ? '退款关闭' : '退款成功',
        resource: refundNotificationResource(refund, order),
        apiV3Key: merchant.apiV3Key,
        outTradeNo: order.input.out_trade_no,
        faults: faults.for(order.input.out_trade_no),
      });
    }, options.refundSettleMs ?? 1000);
    refundTimers.add(timer);
  };

  const authenticate = (request: IncomingMessage, pathWithQuery: string, body: string): Merchant | Reply => {
    const header = request.headers.authorization;
    const auth = parseAuthorization(header);
    if (auth === undefined) return problem(401, 'SIGN_ERROR', 'Authorization 头缺失或格式错误');
    const merchant = merchants.get(auth.mchid);
    if (merchant === undefined) return problem(401, 'SIGN_ERROR', '商户号不存在');
    // The SDK writes serials in lower case, WeChat prints them in upper case: both are the same serial.
    if (auth.serial_no.toUpperCase() !== merchant.serialNo)
      return problem(401, 'SIGN_ERROR', '商户证书序列号有误');
    const skew = Math.abs(Math.floor(now() / 1000) - Number(auth.timestamp));
    if (!(skew <= TIMESTAMP_SKEW_SECONDS_MAX)) return problem(401, 'SIGN_ERROR', '请求时间戳超出有效范围');
    const message = requestMessage(request.method ?? '', pathWithQuery, auth.timestamp, auth.nonce_str, body);
    if (!verifyText(merchant.publicKey, message, auth.signature))
      return problem(401, 'SIGN_ERROR', '签名错误');
    return merchant;
  };

  const parseJson = (body: string): unknown => {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  };

  const route = (method: string, url: URL, body: string, merchant: Merchant): Reply => {
    const path = url.pathname;
    if (method === 'GET' && path === '/v3/certificates') {
      return { status: 200, body: certificatesBody([platform], merchant.apiV3Key) };
    }
    if (method === 'POST' && path === '/v3/pay/transactions/jsapi') {
      const parsed = jsapiOrderBody.safeParse(parseJson(body));
      if (!parsed.success) return problem(400, 'PARAM_ERROR', parsed.error.issues[0]?.message ?? '参数错误');
      if (parsed.data.mchid !== merchant.mchid)
        return problem(400, 'PARAM_ERROR', 'mchid 与请求商户号不一致');
      const created = orders.createJsapi(parsed.data);
      return created.ok
        ? { status: 200, body: { prepay_id: created.value.prepayId } }
        : problem(created.status, created.code, created.message);
    }
    const query = path.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/);
    if (method === 'GET' && query) {
      if (url.searchParams.get('mchid') !== merchant.mchid)
        return problem(400, 'PARAM_ERROR', 'mchid 与请求商户号不一致');
      const order = orders.find(merchant.mchid, decodeURIComponent(query[1] ?? ''));
      return order === undefined
        ? problem(404, 'ORDER_NOT_EXIST', '订单不存在')
        : { status: 200, body: transactionView(order) };
    }
    const closing = path.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/);
    if (method === 'POST' && closing) {
      const parsed = closeBody.safeParse(parseJson(body));
      if (!parsed.success || parsed.data.mchid !== merchant.mchid)
        return problem(400, 'PARAM_ERROR', 'mchid 缺失或不一致');
      const closed = orders.close(merchant.mchid, decodeURIComponent(closing[1] ?? ''));
      return closed.ok ? { status: 204 } : problem(closed.status, closed.code, closed.message);
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const parsed = refundBody.safeParse(parseJson(body));
      if (!parsed.success) return problem(400, 'PARAM_ERROR', parsed.error.issues[0]?.message ?? '参数错误');
      const isNew = orders.findRefund(merchant.mchid, parsed.data.out_refund_no) === undefined;
      const made = orders.refund(merchant.mchid, parsed.data);
      if (!made.ok) return problem(made.status, made.code, made.message);
      const order = orders.find(merchant.mchid, made.value.outTradeNo);
      if (order === undefined) return problem(500, 'SYSTEM_ERROR', '系统错误');
      if (isNew) settleRefundLater(made.value, order, merchant);
      return { status: 200, body: refundView(made.value, order) };
    }
    const refundQuery = path.match(/^\/v3\/refund\/domestic\/refunds\/([^/]+)$/);
    if (method === 'GET' && refundQuery) {
      const refund = orders.findRefund(merchant.mchid, decodeURIComponent(refundQuery[1] ?? ''));
      const order = refund && orders.find(merchant.mchid, refund.outTradeNo);
      if (refund === undefined || order === undefined)
        return problem(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return { status: 200, body: refundView(refund, order) };
    }
    if (method === 'GET' && path === '/v3/bill/tradebill') {
      const parsed = tradeBillQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) return problem(400, 'PARAM_ERROR', 'bill_date 格式错误');
      const today = shanghaiDate(now());
      const oldest = shanghaiDate(now() - BILL_HISTORY_DAYS * 86_400_000);
      const { bill_date } = parsed.data;
      const ready = options.billsSameDay ? bill_date <= today : bill_date < today;
      if (!ready || bill_date < oldest) return problem(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
      const bill = prepareBill(
        merchant.mchid,
        tradeBill(bill_date, orders.ordersOf(merchant.mchid), orders.refundsOf(merchant.mchid)),
      );
      bills.set(bill.token, bill);
      return {
        status: 200,
        body: {
          hash_type: 'SHA1',
          hash_value: bill.sha1,
          download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${bill.token}`,
        },
      };
    }
    if (method === 'GET' && path === '/v3/billdownload/file') {
      const bill = bills.get(url.searchParams.get('token') ?? '');
      if (bill === undefined || bill.mchid !== merchant.mchid)
        return problem(400, 'PARAM_ERROR', 'token 无效');
      return { status: 200, text: bill.text };
    }
    return problem(404, 'NOT_FOUND', `no route ${method} ${path}`);
  };

  const checkPaySign = (
    request: unknown,
  ): { ok: true; order: Order; merchant: Merchant } | (PayResult & { ok: false }) => {
    const parsed = requestPaymentBody.safeParse(request);
    if (!parsed.success) return { ok: false, status: 400, code: 'PARAM_ERROR', message: '支付参数错误' };
    const { appId, timeStamp, nonceStr, package: pkg, paySign } = parsed.data;
    const order = orders.findByPrepayId(pkg.slice('prepay_id='.length));
    if (order === undefined)
      return { ok: false, status: 404, code: 'ORDER_NOT_EXIST', message: 'prepay_id 不存在' };
    const merchant = merchants.get(order.input.mchid);
    // The WeChat client checks paySign with the merchant's certificate over appId\ntimeStamp\nnonceStr\npackage\n.
    const signed = `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
    if (
      merchant === undefined ||
      appId !== order.input.appid ||
      !verifyText(merchant.publicKey, signed, paySign)
    ) {
      return { ok: false, status: 401, code: 'SIGN_ERROR', message: '支付验证签名失败' };
    }
    return { ok: true, order, merchant };
  };

  const pay = async (request: unknown): Promise<PayResult> => {
    const checked = checkPaySign(request);
    if (!checked.ok) return checked;
    const { order, merchant } = checked;
    const paid = orders.pay(order.prepayId);
    if (!paid.ok) return paid;
    notifyPaid(paid.value, merchant);
    return { ok: true, transactionId: paid.value.transactionId ?? '' };
  };

  /**
   * The H5 stand-in for the WeChat client's cashier: GET checks paySign as wx.requestPayment does
   * and shows a confirm button; POST (the button) checks again, pays, and sends the payer back to
   * return_url, which must be on an allowed origin.
   */
  const h5 = async (
    method: string,
    url: URL,
    body: string,
  ): Promise<{ status: number; headers: Record<string, string>; html: string }> => {
    const fields = method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const request = {
      appId: fields.get('appId') ?? '',
      timeStamp: fields.get('timeStamp') ?? '',
      nonceStr: fields.get('nonceStr') ?? '',
      package: fields.get('package') ?? '',
      signType: fields.get('signType') ?? '',
      paySign: fields.get('paySign') ?? '',
    };
    const returnUrl = fields.get('return_url') ?? '';
    const page = (status: number, title: string, content: string) => ({
      status,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        // The form posts here and the 303 after it goes to the app: Chromium holds redirects after a form
        // post to form-action too, so the allowed return origins are listed beside 'self'.
        'Content-Security-Policy':
          `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${(options.h5ReturnOrigins ?? []).join(' ')}`.trimEnd(),
      },
      html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;text-align:center;padding:2em"><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
    });
    if (returnUrl !== '' && !returnAllowed(returnUrl, options.h5ReturnOrigins ?? []))
      return page(400, '返回地址不被允许', '<p>return_url is not on an allowed origin</p>');
    const checked = checkPaySign(request);
    if (!checked.ok)
      return page(checked.status, '支付验证签名失败', `<p id="code">${escapeHtml(checked.code)}</p>`);
    if (method === 'GET') {
      const hidden = [...Object.entries(request), ['return_url', returnUrl] as const]
        .map(
          ([k, v]: readonly [string, string]) =>
            `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`,
        )
        .join('');
      const amount = checked.order.input.amount.total;
      return page(
        200,
        '微信支付（模拟）',
        `<p>${escapeHtml(checked.order.input.description)}</p><p id="amount">¥${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}</p><form method="post" action="/pay/h5">${hidden}<button type="submit" id="pay">确认支付</button></form>`,
      );
    }
    const paid = await pay(request);
    if (!paid.ok) return page(paid.status, '支付失败', `<p id="code">${escapeHtml(paid.code)}</p>`);
    if (returnUrl === '')
      return page(200, '支付成功', `<p id="transaction">${escapeHtml(paid.transactionId)}</p>`);
    return { status: 303, headers: { Location: returnUrl }, html: '' };
  };

  const control = async (method: string, path: string, body: string): Promise<Reply> => {
    const payMatch = path.match(/^\/__mock\/pay\/([^/]+)$/);
    if (method === 'POST' && payMatch) {
      const result = await pay(parseJson(body));
      return result.ok
        ? { status: 200, body: { transaction_id: result.transactionId } }
        : problem(result.status, result.code, result.message);
    }
    const faultMatch = path.match(/^\/__mock\/faults(?:\/([^/]+))?$/);
    if (method === 'PUT' && faultMatch) {
      const parsed = faultsBody.safeParse(parseJson(body));
      if (!parsed.success) return problem(400, 'PARAM_ERROR', parsed.error.issues[0]?.message ?? '参数错误');
      const switches: Faults = parsed.data;
      if (faultMatch[1] === undefined) faults.setGlobal(switches);
      else faults.setForOrder(decodeURIComponent(faultMatch[1]), switches);
      return { status: 204 };
    }
    if (method === 'DELETE' && path === '/__mock/faults') {
      faults.clear();
      return { status: 204 };
    }
    if (method === 'GET' && path === '/__mock/deliveries') return { status: 200, body: notifier.attempts };
    return problem(404, 'NOT_FOUND', `no route ${method} ${path}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const pathWithQuery = request.url ?? '/';
    const url = new URL(pathWithQuery, 'http://stand-in');
    const body = await readRawBody(request);
    if (url.pathname === '/pay/h5' && (method === 'GET' || method === 'POST')) {
      const reply = await h5(method, url, body);
      response.writeHead(reply.status, reply.headers);
      response.end(reply.html);
      return;
    }
    if (url.pathname.startsWith('/__mock/')) {
      const reply = await control(method, url.pathname, body);
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      response.writeHead(reply.status, text ? { 'Content-Type': 'application/json' } : {});
      response.end(text);
      return;
    }
    const merchant = authenticate(request, pathWithQuery, body);
    const reply = 'mchid' in merchant ? route(method, url, body, merchant) : merchant;
    if (reply.text !== undefined) {
      response.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(reply.text);
      return;
    }
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const headers: Record<string, string> = signedHeaders(platform, text, now());
    if (text) headers['Content-Type'] = 'application/json';
    response.writeHead(reply.status, headers);
    response.end(text);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统错误' }));
    });
  });
  const baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    platform: { serialNo: platform.serialNo, certificatePem: platform.certificatePem },
    faults,
    deliveries: notifier.attempts,
    pay,
    order: (mchid, outTradeNo) => orders.find(mchid, outTradeNo),
    refund: (mchid, outRefundNo) => orders.findRefund(mchid, outRefundNo),
    close: async () => {
      notifier.close();
      for (const timer of refundTimers) clearTimeout(timer);
      await close(server);
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A return URL is allowed only on one of the configured origins, over http(s). */
function returnAllowed(returnUrl: string, origins: readonly string[]): boolean {
  try {
    const url = new URL(returnUrl);
    return (url.protocol === 'http:' || url.protocol === 'https:') && origins.includes(url.origin);
  } catch {
    return false;
  }
}
