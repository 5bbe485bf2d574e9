import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { close, listen, readRawBody } from '../wechat/http.ts';
import { ACCESS_TOKEN_TTL_S, type AlipayPerson, AuthCodes, newUserId, REFRESH_TOKEN_TTL_S } from './auth.ts';
import { type BillFile, billOf } from './bill.ts';
import { FaultSwitches, type Faults } from './faults.ts';
import { type DeliveryAttempt, Notifier } from './notifications.ts';
import {
  type Buyer,
  fenToYuan,
  refundedFen,
  TRADE_FEN_MAX,
  type Trade,
  TradeBook,
  tradeView,
  yuanToFen,
} from './orders.ts';
import {
  beijingTime,
  makeRsaKeyPair,
  parseBeijingTime,
  rsa2Sign,
  rsa2Verify,
  signContent,
} from './signing.ts';

/**
 * The Alipay open-platform stand-in: one classic gateway endpoint (`/gateway.do`) that dispatches on
 * `method=`, checks every request's RSA2 signature with the app's public key, and answers the
 * `{"<method>_response":{…},"sign":"…"}` shape signed with its own platform key (made at start), the
 * exact bytes the alipay-sdk's validateSign checks. It keeps trades and refunds, serves the H5
 * cashier for alipay.trade.wap.pay and delivers signed, form-encoded notifications until the
 * receiver answers `success`. Routes under `/__mock/` are the stand-in's own controls, unsigned.
 */
export interface AppRegistration {
  appId: string;
  /** The app's public key (PEM, or the bare base64 the console shows): requests are verified with it. */
  appPublicKey: string;
  /** Which id oauth.token answers: newer apps get `open_id`, older ones the 2088… `user_id`. */
  idMode?: 'user_id' | 'open_id';
  /** The merchant's partner id (2088…), the notifications' seller_id. */
  sellerId?: string;
}

export interface AlipayStandInOptions {
  host?: string;
  port?: number;
  apps: readonly AppRegistration[];
  /** 1 is Alipay's real retry schedule; tests pass e.g. 0.001. */
  retryScale?: number;
  /**
   * How far a request's timestamp (Beijing time) may be from now. Alipay does not publish its window;
   * the stand-in refuses beyond it, so a caller that formats the timestamp in the wrong zone is caught.
   */
  timestampSkewMsMax?: number;
  /** Origins the wap cashier may send the payer back to; any other return_url is refused (no open redirect). */
  h5ReturnOrigins?: readonly string[];
  /** Alipay publishes a day's bill on the next day; true serves it at once (tests and the demo). */
  billsSameDay?: boolean;
  /** How long the outOfOrder fault holds a notification that no newer one overtakes (default 60 s). */
  outOfOrderHoldMs?: number;
  now?: () => number;
}

export interface AlipayStandIn {
  baseUrl: string;
  /** `${baseUrl}/gateway.do`: the SDK's `gateway` option. */
  gatewayUrl: string;
  /** The platform's public key (PEM): the SDK's `alipayPublicKey`. */
  alipayPublicKey: string;
  faults: FaultSwitches;
  /** Every notification attempt, in order, with the receiver's status and answer. */
  deliveries: readonly DeliveryAttempt[];
  /** What my.getAuthCode gives a person in the app `appId`; with no userId a new person is made up. */
  mintAuthCode(
    appId: string,
    person?: Partial<AlipayPerson>,
  ): { code: string; userId: string; openId: string };
  /** What the Alipay client does on my.tradePay({ tradeNO }) when the buyer confirms: pays and notifies. */
  pay(appId: string, ref: { tradeNo?: string; outTradeNo?: string }, buyer?: Buyer): PayResult;
  trade(appId: string, outTradeNo: string): Trade | undefined;
  /** Template messages taken by alipay.open.app.mini.templatemessage.send, in order. */
  templateMessages: readonly TemplateMessage[];
  /** Users (user_id or open_id) whose template messages are refused, as for a user who turned them off. */
  refuseTemplateMessagesTo: Set<string>;
  close(): Promise<void>;
}

export interface TemplateMessage {
  appId: string;
  toUser: string;
  userTemplateId: string;
  page: string | undefined;
  data: Record<string, { value: string }>;
}

const templateMessageBiz = z.object({
  to_user_id: z.string().min(1).optional(),
  to_open_id: z.string().min(1).optional(),
  user_template_id: z.string().min(1),
  form_id: z.string().optional(),
  page: z.string().optional(),
  data: z.string().min(2),
});

export type PayResult = { ok: true; tradeNo: string } | { ok: false; subCode: string; subMsg: string };

interface App extends AppRegistration {
  publicKey: KeyObject;
  idMode: 'user_id' | 'open_id';
  sellerId: string;
}

/** One gateway answer: the response key, its JSON object, or an HTML page, or a bare status. */
type Reply =
  | { kind: 'json'; key: string; body: Record<string, unknown> }
  | { kind: 'html'; status: number; html: string; headers?: Record<string, string> };

const SYSTEM_PARAMS = ['app_id', 'method', 'charset', 'sign_type', 'sign', 'timestamp', 'version'] as const;
const BILL_URL_TTL_MS = 30_000;
const BILLS_KEPT_MAX = 1_000;

const outTradeNo = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'out_trade_no 格式错误');
const amount = z.string().refine((text) => {
  const fen = yuanToFen(text);
  return fen !== undefined && fen >= 1 && fen <= TRADE_FEN_MAX;
}, '金额格式错误');
const createBiz = z.object({
  out_trade_no: outTradeNo,
  total_amount: amount,
  subject: z.string().min(1).max(256),
  buyer_id: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
  buyer_open_id: z.string().min(1).max(128).optional(),
  product_code: z.string().max(64).optional(),
});
const tradeRef = z
  .object({ out_trade_no: outTradeNo.optional(), trade_no: z.string().max(64).optional() })
  .refine(
    (ref) => ref.out_trade_no !== undefined || ref.trade_no !== undefined,
    'out_trade_no 和 trade_no 不能同时为空',
  );
const refundBiz = z
  .object({
    out_trade_no: outTradeNo.optional(),
    trade_no: z.string().max(64).optional(),
    refund_amount: amount,
    out_request_no: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/)
      .optional(),
    refund_reason: z.string().max(256).optional(),
  })
  .refine(
    (ref) => ref.out_trade_no !== undefined || ref.trade_no !== undefined,
    'out_trade_no 和 trade_no 不能同时为空',
  );
const wapBiz = z.object({
  out_trade_no: outTradeNo,
  total_amount: amount,
  subject: z.string().min(1).max(256),
  product_code: z.string().max(64).optional(),
});
const billBiz = z.object({
  bill_type: z.enum(['trade', 'signcustomer']),
  bill_date: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
});
const faultsBody = z.strictObject({
  delayMs: z.number().int().min(0).max(3_600_000).optional(),
  duplicate: z.boolean().optional(),
  outOfOrder: z.boolean().optional(),
  badSignature: z.boolean().optional(),
  amountMismatch: z.boolean().optional(),
  badResponseSignature: z.boolean().optional(),
  gatewayDown: z.boolean().optional(),
});
const authCodeBody = z.strictObject({
  appId: z.string().min(1),
  userId: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
});
const tradePayBody = z.strictObject({
  appId: z.string().min(1),
  tradeNo: z.string().min(1).max(64).optional(),
  outTradeNo: z.string().min(1).max(64).optional(),
});

const failure = (code: string, msg: string, subCode: string, subMsg: string) => ({
  code,
  msg,
  sub_code: subCode,
  sub_msg: subMsg,
});
const business = (subCode: string, subMsg: string) => failure('40004', 'Business Failed', subCode, subMsg);
const invalid = (subCode: string, subMsg: string) => failure('40002', 'Invalid Arguments', subCode, subMsg);
const ok = (fields: Record<string, unknown>) => ({ code: '10000', msg: 'Success', ...fields });

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startAlipayStandIn(options: AlipayStandInOptions): Promise<AlipayStandIn> {
  const now = options.now ?? Date.now;
  const platform = makeRsaKeyPair();
  const platformKey = createPrivateKey(platform.privateKeyPem);
  // A key that is not the platform's: what an impostor gateway or a tampered answer is signed with.
  const foreignKey = createPrivateKey(makeRsaKeyPair().privateKeyPem);
  const apps = new Map<string, App>();
  for (const app of options.apps) {
    const pem = app.appPublicKey.includes('BEGIN')
      ? app.appPublicKey
      : `-----BEGIN PUBLIC KEY-----\n${app.appPublicKey}\n-----END PUBLIC KEY-----`;
    apps.set(app.appId, {
      ...app,
      publicKey: createPublicKey(pem),
      idMode: app.idMode ?? 'open_id',
      sellerId: app.sellerId ?? newUserId(),
    });
  }
  const skewMsMax = options.timestampSkewMsMax ?? 10 * 60_000;
  const trades = new TradeBook(now);
  const codes = new AuthCodes(now);
  const faults = new FaultSwitches();
  const templateMessages: TemplateMessage[] = [];
  const refuseTemplateMessagesTo = new Set<string>();
  const notifier = new Notifier({
    platformKey,
    foreignKey,
    now,
    retryScale: options.retryScale ?? 1,
    ...(options.outOfOrderHoldMs === undefined ? {} : { outOfOrderHoldMs: options.outOfOrderHoldMs }),
  });
  const bills = new Map<string, { file: BillFile; expiresAtMs: number }>();
  let baseUrl = '';

  const buyerFields = (app: App, buyer: Buyer): Record<string, string> =>
    app.idMode === 'open_id' ? { buyer_open_id: buyer.openId ?? '' } : { buyer_id: buyer.userId ?? '' };

  /** The notification of a trade's current state; refund fields when a refund caused it. */
  const notify = (app: App, trade: Trade, cause?: { outRequestNo: string; atMs: number }) => {
    if (trade.notifyUrl === undefined) return;
    const tradeFaults: Faults = faults.for(trade.outTradeNo);
    const totalFen = trade.totalFen + (tradeFaults.amountMismatch ? 1 : 0);
    const fields: Record<string, string> = {
      notify_time: beijingTime(now()),
      notify_type: 'trade_status_sync',
      app_id: app.appId,
      auth_app_id: app.appId,
      seller_id: app.sellerId,
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      ...buyerFields(app, trade.buyer),
      trade_status: trade.status,
      total_amount: fenToYuan(totalFen),
      receipt_amount: fenToYuan(totalFen - refundedFen(trade)),
      buyer_pay_amount: fenToYuan(totalFen),
      invoice_amount: fenToYuan(totalFen),
      point_amount: '0.00',
      subject: trade.subject,
      gmt_create: beijingTime(trade.createdAtMs),
      gmt_payment: trade.paidAtMs === undefined ? '' : beijingTime(trade.paidAtMs),
      gmt_close: trade.closedAtMs === undefined ? '' : beijingTime(trade.closedAtMs),
      fund_bill_list: JSON.stringify([{ amount: fenToYuan(totalFen), fundChannel: 'ALIPAYACCOUNT' }]),
    };
    if (cause !== undefined) {
      fields.out_biz_no = cause.outRequestNo;
      fields.refund_fee = fenToYuan(refundedFen(trade));
      fields.gmt_refund = `${beijingTime(cause.atMs)}.000`;
    }
    notifier.send({ notifyUrl: trade.notifyUrl, outTradeNo: trade.outTradeNo, fields, faults: tradeFaults });
  };

  const payTrade = (app: App, trade: Trade, buyer: Buyer): PayResult => {
    const paid = trades.pay(trade, buyer);
    if (!paid.ok) return paid;
    notify(app, paid.value);
    return { ok: true, tradeNo: paid.value.tradeNo };
  };

  const personBuyer = (app: App, person: AlipayPerson): Buyer =>
    app.idMode === 'open_id' ? { openId: codes.openIdOf(app.appId, person) } : { userId: person.userId };

  /** Checks the system parameters and the signature; answers the app or the failure to send back. */
  const authenticate = (
    params: Record<string, string>,
  ): { ok: true; app: App } | { ok: false; body: Record<string, string> } => {
    const refuse = (body: Record<string, string>) => ({ ok: false as const, body });
    for (const name of SYSTEM_PARAMS)
      if (!params[name])
        return refuse(
          failure(
            '40001',
            'Missing Required Arguments',
            `isv.missing-${name.replace('_', '-')}`,
            `缺少${name}参数`,
          ),
        );
    const app = apps.get(params.app_id ?? '');
    if (app === undefined) return refuse(invalid('isv.invalid-app-id', '无效的AppID参数'));
    if (params.sign_type !== 'RSA2') return refuse(invalid('isv.invalid-signature-type', '无效的签名类型'));
    if (params.charset?.toLowerCase() !== 'utf-8')
      return refuse(invalid('isv.invalid-charset', '字符集错误'));
    const atMs = parseBeijingTime(params.timestamp ?? '');
    if (atMs === undefined || Math.abs(atMs - now()) > skewMsMax)
      return refuse(invalid('isv.invalid-timestamp', '非法的时间戳参数'));
    const content = signContent(params, ['sign']);
    if (!rsa2Verify(app.publicKey, content, params.sign ?? ''))
      return refuse(
        invalid(
          'isv.invalid-signature',
          `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
        ),
      );
    return { ok: true, app };
  };

  const findTrade = (app: App, ref: { out_trade_no?: string | undefined; trade_no?: string | undefined }) =>
    trades.find(
      app.appId,
      ref.trade_no !== undefined ? { tradeNo: ref.trade_no } : { outTradeNo: ref.out_trade_no ?? '' },
    );

  const bizOf = <T>(
    schema: z.ZodType<T>,
    params: Record<string, string>,
  ): { ok: true; value: T } | { ok: false; body: Record<string, string> } => {
    const parsed = schema.safeParse(parseJson(params.biz_content));
    return parsed.success
      ? { ok: true, value: parsed.data }
      : {
          ok: false,
          body: business('ACQ.INVALID_PARAMETER', `参数无效: ${parsed.error.issues[0]?.message ?? ''}`),
        };
  };

  const methods: Record<string, (app: App, params: Record<string, string>) => Reply> = {
    // Template messages: one per call to the user the app knows (user_id or open_id, per its id mode).
    'alipay.open.app.mini.templatemessage.send': (app, params) => {
      const key = 'alipay_open_app_mini_templatemessage_send_response';
      const biz = bizOf(templateMessageBiz, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const toUser = biz.value.to_user_id ?? biz.value.to_open_id;
      const data = parseJson(biz.value.data);
      if (toUser === undefined || data === null || typeof data !== 'object')
        return { kind: 'json', key, body: business('INVALID_PARAMETER', '参数有误') };
      // The stand-in's code for a user who turned the app's messages off.
      if (refuseTemplateMessagesTo.has(toUser))
        return { kind: 'json', key, body: business('USER_TEMPLATE_REFUSED', '用户已拒收该模板消息') };
      templateMessages.push({
        appId: app.appId,
        toUser,
        userTemplateId: biz.value.user_template_id,
        page: biz.value.page,
        data: data as Record<string, { value: string }>,
      });
      return { kind: 'json', key, body: ok({}) };
    },
    'alipay.system.oauth.token': (app, params) => {
      const grant =
        params.grant_type === 'authorization_code'
          ? codes.redeemCode(app.appId, params.code ?? '')
          : params.grant_type === 'refresh_token'
            ? codes.redeemRefreshToken(app.appId, params.refresh_token ?? '')
            : { ok: false as const, subCode: 'isv.grant-type-invalid', subMsg: '不支持的grantType' };
      // Alipay answers a bad code in the error_response envelope, not under the method's key.
      if (!grant.ok)
        return { kind: 'json', key: 'error_response', body: invalid(grant.subCode, grant.subMsg) };
      const id =
        app.idMode === 'open_id'
          ? { open_id: codes.openIdOf(app.appId, grant.person) }
          : { user_id: grant.person.userId };
      return {
        kind: 'json',
        key: 'alipay_system_oauth_token_response',
        body: {
          ...id,
          access_token: grant.accessToken,
          expires_in: ACCESS_TOKEN_TTL_S,
          refresh_token: grant.refreshToken,
          re_expires_in: REFRESH_TOKEN_TTL_S,
          auth_start: beijingTime(now()),
        },
      };
    },
    'alipay.trade.create': (app, params) => {
      const key = 'alipay_trade_create_response';
      const biz = bizOf(createBiz, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const { out_trade_no, total_amount, subject, buyer_id, buyer_open_id, product_code } = biz.value;
      if (buyer_id === undefined && buyer_open_id === undefined)
        return {
          kind: 'json',
          key,
          body: business('ACQ.INVALID_PARAMETER', 'buyer_id 和 buyer_open_id 不能同时为空'),
        };
      const created = trades.create({
        appId: app.appId,
        outTradeNo: out_trade_no,
        totalFen: yuanToFen(total_amount) ?? 0,
        subject,
        productCode: product_code ?? 'JSAPI_PAY',
        buyer: buyer_id !== undefined ? { userId: buyer_id } : { openId: buyer_open_id ?? '' },
        ...(params.notify_url ? { notifyUrl: params.notify_url } : {}),
      });
      if (!created.ok) return { kind: 'json', key, body: business(created.subCode, created.subMsg) };
      return { kind: 'json', key, body: ok({ out_trade_no, trade_no: created.value.tradeNo }) };
    },
    'alipay.trade.query': (app, params) => {
      const key = 'alipay_trade_query_response';
      const biz = bizOf(tradeRef, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const trade = findTrade(app, biz.value);
      if (trade === undefined)
        return { kind: 'json', key, body: business('ACQ.TRADE_NOT_EXIST', '交易不存在') };
      return { kind: 'json', key, body: ok(tradeView(trade)) };
    },
    'alipay.trade.close': (app, params) => {
      const key = 'alipay_trade_close_response';
      const biz = bizOf(tradeRef, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const trade = findTrade(app, biz.value);
      if (trade === undefined)
        return { kind: 'json', key, body: business('ACQ.TRADE_NOT_EXIST', '交易不存在') };
      const closed = trades.close(trade);
      if (!closed.ok) return { kind: 'json', key, body: business(closed.subCode, closed.subMsg) };
      return { kind: 'json', key, body: ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo }) };
    },
    'alipay.trade.refund': (app, params) => {
      const key = 'alipay_trade_refund_response';
      const biz = bizOf(refundBiz, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const trade = findTrade(app, biz.value);
      if (trade === undefined)
        return { kind: 'json', key, body: business('ACQ.TRADE_NOT_EXIST', '交易不存在') };
      const made = trades.refund(
        trade,
        // Without out_request_no Alipay takes the trade's own number: one full refund.
        biz.value.out_request_no ?? trade.outTradeNo,
        yuanToFen(biz.value.refund_amount) ?? 0,
        biz.value.refund_reason ?? '',
      );
      if (!made.ok) return { kind: 'json', key, body: business(made.subCode, made.subMsg) };
      if (made.value.isNew) notify(app, trade, made.value.refund);
      return {
        kind: 'json',
        key,
        body: ok({
          trade_no: trade.tradeNo,
          out_trade_no: trade.outTradeNo,
          buyer_logon_id: 'stu***@campus.test',
          fund_change: made.value.isNew ? 'Y' : 'N',
          refund_fee: fenToYuan(refundedFen(trade)),
          gmt_refund_pay: beijingTime(made.value.refund.atMs),
          ...buyerFields(app, trade.buyer),
        }),
      };
    },
    'alipay.data.dataservice.bill.downloadurl.query': (app, params) => {
      const key = 'alipay_data_dataservice_bill_downloadurl_query_response';
      const biz = bizOf(billBiz, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const file = billOf({
        appId: app.appId,
        sellerId: app.sellerId,
        billDate: biz.value.bill_date,
        trades: trades.tradesOf(app.appId),
        nowMs: now(),
        sameDay: options.billsSameDay === true,
      });
      if (file === undefined)
        return {
          kind: 'json',
          key,
          body: failure('40004', 'Business Failed', 'isp.bill_not_exist', '账单不存在'),
        };
      if (bills.size >= BILLS_KEPT_MAX) bills.clear();
      bills.set(file.token, { file, expiresAtMs: now() + BILL_URL_TTL_MS });
      return {
        kind: 'json',
        key,
        body: ok({ bill_download_url: `${baseUrl}/__bill/download?token=${file.token}` }),
      };
    },
    'alipay.trade.wap.pay': (app, params) => cashier(app, params),
  };

  const page = (status: number, title: string, content: string): Reply => ({
    kind: 'html',
    status,
    headers: {
      'Content-Security-Policy':
        `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${(options.h5ReturnOrigins ?? []).join(' ')}`.trimEnd(),
    },
    html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;text-align:center;padding:2em"><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
  });

  /**
   * alipay.trade.wap.pay: the signed page request opens the trade and shows the cashier; its button
   * posts to /__mock/cashier, which pays, notifies and sends the payer back to return_url.
   */
  const cashier = (app: App, params: Record<string, string>): Reply => {
    const biz = bizOf(wapBiz, params);
    if (!biz.ok) return page(400, '参数错误', `<p id="code">${escapeHtml(String(biz.body.sub_code))}</p>`);
    const returnUrl = params.return_url ?? '';
    if (returnUrl !== '' && !returnAllowed(returnUrl, options.h5ReturnOrigins ?? []))
      return page(400, '返回地址不被允许', '<p id="code">ILLEGAL_RETURN_URL</p>');
    const created = trades.create({
      appId: app.appId,
      outTradeNo: biz.value.out_trade_no,
      totalFen: yuanToFen(biz.value.total_amount) ?? 0,
      subject: biz.value.subject,
      productCode: biz.value.product_code ?? 'QUICK_WAP_WAY',
      buyer: {},
      ...(params.notify_url ? { notifyUrl: params.notify_url } : {}),
      ...(returnUrl ? { returnUrl } : {}),
    });
    if (!created.ok) return page(409, '交易无法支付', `<p id="code">${escapeHtml(created.subCode)}</p>`);
    const trade = created.value;
    const hidden = [
      ['app_id', app.appId],
      ['trade_no', trade.tradeNo],
    ]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k ?? '')}" value="${escapeHtml(v ?? '')}">`)
      .join('');
    return page(
      200,
      '支付宝收银台（模拟）',
      `<p id="subject">${escapeHtml(trade.subject)}</p><p id="amount">¥${fenToYuan(trade.totalFen)}</p><form method="post" action="/__mock/cashier">${hidden}<button type="submit" id="pay">确认付款</button></form>`,
    );
  };

  /** The payer's way back after the cashier: Alipay's synchronous return, signed like a notification. */
  const returnLocation = (app: App, trade: Trade): string => {
    const fields: Record<string, string> = {
      app_id: app.appId,
      method: 'alipay.trade.wap.pay.return',
      charset: 'utf-8',
      version: '1.0',
      timestamp: beijingTime(now()),
      seller_id: app.sellerId,
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      total_amount: fenToYuan(trade.totalFen),
    };
    const sign = rsa2Sign(platformKey, signContent(fields, ['sign', 'sign_type']));
    const url = new URL(trade.returnUrl ?? '');
    for (const [k, v] of Object.entries({ ...fields, sign_type: 'RSA2', sign })) url.searchParams.set(k, v);
    return url.toString();
  };

  /** Serialises a gateway answer exactly as signed: the signature covers the bytes of the inner object. */
  const signedJson = (key: string, body: Record<string, unknown>): string => {
    const inner = JSON.stringify(body);
    const signer = faults.global.badResponseSignature ? foreignKey : platformKey;
    return `{"${key}":${inner},"sign":"${rsa2Sign(signer, inner)}"}`;
  };

  const gateway = (params: Record<string, string>): Reply => {
    const checked = authenticate(params);
    const method = params.method ?? '';
    const key = method ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    if (!checked.ok) {
      return method === 'alipay.trade.wap.pay'
        ? page(400, '签名错误', `<p id="code">${escapeHtml(String(checked.body.sub_code))}</p>`)
        : { kind: 'json', key, body: checked.body };
    }
    const { app } = checked;
    const handler = methods[method];
    if (handler === undefined)
      return { kind: 'json', key: 'error_response', body: invalid('isv.invalid-method', '不存在的方法名') };
    return handler(app, params);
  };

  const control = (
    method: string,
    url: URL,
    body: string,
  ): { status: number; body?: unknown; html?: Reply; location?: string } => {
    const path = url.pathname;
    if (method === 'POST' && path === '/__mock/auth-code') {
      const parsed = authCodeBody.safeParse(parseJson(body || '{}'));
      if (!parsed.success)
        return { status: 400, body: { code: 'PARAM_ERROR', message: parsed.error.message } };
      if (!apps.has(parsed.data.appId)) return { status: 404, body: { code: 'APP_NOT_FOUND' } };
      return {
        status: 200,
        body: mintAuthCode(
          parsed.data.appId,
          parsed.data.userId === undefined ? {} : { userId: parsed.data.userId },
        ),
      };
    }
    if (method === 'POST' && path === '/__mock/trade-pay') {
      const parsed = tradePayBody.safeParse(parseJson(body || '{}'));
      if (!parsed.success)
        return { status: 400, body: { code: 'PARAM_ERROR', message: parsed.error.message } };
      const { appId, tradeNo, outTradeNo } = parsed.data;
      const result = pay(appId, tradeNo !== undefined ? { tradeNo } : { outTradeNo: outTradeNo ?? '' });
      // my.tradePay answers resultCode 9000 for a paid trade, 4000 for a failure.
      return result.ok
        ? { status: 200, body: { resultCode: '9000', tradeNo: result.tradeNo } }
        : { status: 409, body: { resultCode: '4000', subCode: result.subCode, memo: result.subMsg } };
    }
    if (method === 'POST' && path === '/__mock/cashier') {
      const fields = new URLSearchParams(body);
      const app = apps.get(fields.get('app_id') ?? '');
      const trade = app && trades.find(app.appId, { tradeNo: fields.get('trade_no') ?? '' });
      if (app === undefined || trade === undefined)
        return { status: 404, html: page(404, '交易不存在', '<p id="code">ACQ.TRADE_NOT_EXIST</p>') };
      const paid = payTrade(app, trade, personBuyer(app, { userId: newUserId() }));
      if (!paid.ok)
        return { status: 409, html: page(409, '支付失败', `<p id="code">${escapeHtml(paid.subCode)}</p>`) };
      if (trade.returnUrl === undefined)
        return { status: 200, html: page(200, '支付成功', `<p id="trade">${escapeHtml(paid.tradeNo)}</p>`) };
      return { status: 303, location: returnLocation(app, trade) };
    }
    const faultMatch = path.match(/^\/__mock\/faults(?:\/([^/]+))?$/);
    if (method === 'PUT' && faultMatch) {
      const parsed = faultsBody.safeParse(parseJson(body));
      if (!parsed.success)
        return { status: 400, body: { code: 'PARAM_ERROR', message: parsed.error.message } };
      if (faultMatch[1] === undefined) faults.setGlobal(parsed.data);
      else faults.setForOrder(decodeURIComponent(faultMatch[1]), parsed.data);
      return { status: 204 };
    }
    if (method === 'DELETE' && path === '/__mock/faults') {
      faults.clear();
      return { status: 204 };
    }
    if (method === 'GET' && path === '/__mock/deliveries') return { status: 200, body: notifier.attempts };
    return { status: 404, body: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } };
  };

  const mintAuthCode: AlipayStandIn['mintAuthCode'] = (appId, person = {}) => {
    const full: AlipayPerson = { userId: person.userId ?? newUserId() };
    return { code: codes.mint(appId, full), userId: full.userId, openId: codes.openIdOf(appId, full) };
  };

  const pay: AlipayStandIn['pay'] = (appId, ref, buyer) => {
    const app = apps.get(appId);
    const trade = app && trades.find(appId, ref);
    if (app === undefined || trade === undefined)
      return { ok: false, subCode: 'ACQ.TRADE_NOT_EXIST', subMsg: '交易不存在' };
    return payTrade(app, trade, buyer ?? personBuyer(app, { userId: newUserId() }));
  };

  const sendReply = (response: ServerResponse, reply: Reply) => {
    if (reply.kind === 'html') {
      response.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', ...reply.headers });
      response.end(reply.html);
      return;
    }
    const text = signedJson(reply.key, reply.body);
    response.writeHead(200, {
      'Content-Type': 'text/html;charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const body = await readRawBody(request);
    if (url.pathname.startsWith('/__mock/')) {
      const reply = control(method, url, body);
      if (reply.location !== undefined) {
        response.writeHead(303, { Location: reply.location });
        response.end();
      } else if (reply.html !== undefined) sendReply(response, reply.html);
      else {
        const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
        response.writeHead(reply.status, text ? { 'Content-Type': 'application/json' } : {});
        response.end(text);
      }
      return;
    }
    if (method === 'GET' && url.pathname === '/__bill/download') {
      const entry = bills.get(url.searchParams.get('token') ?? '');
      if (entry === undefined || entry.expiresAtMs <= now()) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('bill url expired');
        return;
      }
      response.writeHead(200, {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${entry.file.zipName}"`,
      });
      response.end(entry.file.zip);
      return;
    }
    if (url.pathname !== '/gateway.do') {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
      return;
    }
    if (faults.global.gatewayDown) {
      response.writeHead(502, { 'Content-Type': 'text/html' });
      response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    // The SDK puts the system parameters in the query and the rest in a form body: both are signed.
    const params: Record<string, string> = {
      ...Object.fromEntries(url.searchParams),
      ...Object.fromEntries(new URLSearchParams(method === 'POST' ? body : '')),
    };
    sendReply(response, gateway(params));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end('system error');
    });
  });
  baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    gatewayUrl: `${baseUrl}/gateway.do`,
    alipayPublicKey: platform.publicKeyPem,
    faults,
    deliveries: notifier.attempts,
    mintAuthCode,
    pay,
    trade: (appId, outTradeNo) => trades.find(appId, { outTradeNo }),
    templateMessages,
    refuseTemplateMessagesTo,
    close: async () => {
      notifier.close();
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
