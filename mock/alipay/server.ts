import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen, readRawBody } from '../wechat/http.ts';
import { type AlipayPerson, AuthCodes, newUserId } from './auth.ts';
import type { BillFile } from './bill.ts';
import { escapeHtml, page as htmlPage, returnLocation } from './cashier.ts';
import { makeStandInCertificates } from './certificates.ts';
import { FaultSwitches, type Faults } from './faults.ts';
import { gatewayMethods } from './gateway-methods.ts';
import { type DeliveryAttempt, Notifier } from './notifications.ts';
import { type Buyer, fenToYuan, refundedFen, type Trade, TradeBook } from './orders.ts';
import {
  type App,
  type AppRegistration,
  authCodeBody,
  failure,
  faultsBody,
  invalid,
  parseJson,
  type Reply,
  SYSTEM_PARAMS,
  type TemplateMessage,
  tradePayBody,
} from './protocol.ts';
import {
  beijingTime,
  makeRsaKeyPair,
  parseBeijingTime,
  rsa2Sign,
  rsa2Verify,
  signContent,
} from './signing.ts';

export type { AppRegistration, TemplateMessage } from './protocol.ts';

/**
 * The Alipay open-platform stand-in: one classic gateway endpoint (`/gateway.do`) that dispatches on
 * `method=`, checks every request's RSA2 signature with the app's public key, and answers the
 * `{"<method>_response":{…},"sign":"…"}` shape signed with its own platform key (made at start), the
 * exact bytes the alipay-sdk's validateSign checks. It keeps trades and refunds, serves the H5
 * cashier for alipay.trade.wap.pay and delivers signed, form-encoded notifications until the
 * receiver answers `success`. Routes under `/__mock/` are the stand-in's own controls, unsigned.
 * An app registered in cert mode (公钥证书模式) gets a certificate chain the stand-in makes at start
 * (./certificates.ts): its requests must name their app_cert_sn and alipay_root_cert_sn, and its
 * answers carry `,"alipay_cert_sn":"…"` after the signature.
 */
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
  /** The platform's public key (PEM): the SDK's `alipayPublicKey` in key mode. */
  alipayPublicKey: string;
  /** Cert mode: Alipay's root and public certificates (PEM), and the app certificate of a cert-mode app. */
  certificates: {
    alipayRootCert: string;
    alipayPublicCert: string;
    appCertOf(appId: string): string | undefined;
  };
  /**
   * Alipay renews its public certificate (a new platform key): from now on cert-mode apps' answers and
   * notifications are signed with the new key and answers name the new alipay_cert_sn, which
   * alipay.open.app.alipaycert.download hands out. With `foreignRoot` the new certificate is issued by a
   * root nobody configured (a forged renewal). Key-mode apps keep the first key.
   */
  rotateAlipayCertificate(options?: { foreignRoot?: boolean }): { pem: string; sn: string };
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

export type PayResult = { ok: true; tradeNo: string } | { ok: false; subCode: string; subMsg: string };

export async function startAlipayStandIn(options: AlipayStandInOptions): Promise<AlipayStandIn> {
  const now = options.now ?? Date.now;
  const platform = makeRsaKeyPair();
  const platformKey = createPrivateKey(platform.privateKeyPem);
  const certificates = makeStandInCertificates(createPublicKey(platform.publicKeyPem));
  // A key that is not the platform's: what an impostor gateway or a tampered answer is signed with.
  const foreignKey = createPrivateKey(makeRsaKeyPair().privateKeyPem);
  // Alipay's public certificate in force for cert-mode apps (answers and notifications are signed with its
  // key and name its SN); rotateAlipayCertificate renews it, and alipaycert.download hands out any issued.
  let alipayCert = { key: platformKey, sn: certificates.alipayCertSn };
  const alipayCerts = new Map([[certificates.alipayCertSn, certificates.alipayPublicCert]]);
  const apps = new Map<string, App>();
  /** The key an app's answers, notifications and cashier returns are signed with. */
  const signerOf = (app: App | undefined): KeyObject => (app?.appCert ? alipayCert.key : platformKey);
  for (const app of options.apps) {
    const pem = app.appPublicKey.includes('BEGIN')
      ? app.appPublicKey
      : `-----BEGIN PUBLIC KEY-----\n${app.appPublicKey}\n-----END PUBLIC KEY-----`;
    const publicKey = createPublicKey(pem);
    apps.set(app.appId, {
      ...app,
      publicKey,
      ...(app.certMode ? { appCert: certificates.issueAppCert(app.appId, publicKey) } : {}),
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
    platformKey: (appId) => signerOf(apps.get(appId)),
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
    // Cert mode: the certificate the request names must be the one issued to the app, and the root the
    // current one (the real gateway also answers these before the signature).
    if (app.appCert && params.app_cert_sn !== app.appCert.sn)
      return refuse(invalid('isv.invalid-app-cert-sn', '应用公钥证书序列号(app_cert_sn)不匹配'));
    if (app.appCert && params.alipay_root_cert_sn !== certificates.alipayRootCertSn)
      return refuse(
        invalid('isv.invalid-alipay-root-cert-sn', '支付宝根证书序列号(alipay_root_cert_sn)不匹配'),
      );
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

  const methods = gatewayMethods({
    now,
    trades,
    codes,
    templateMessages,
    refuseTemplateMessagesTo,
    bills,
    billsSameDay: options.billsSameDay === true,
    h5ReturnOrigins: options.h5ReturnOrigins ?? [],
    baseUrl: () => baseUrl,
    notify,
    buyerFields,
    alipayCertificate: (sn) => alipayCerts.get(sn),
  });

  const page = (status: number, title: string, content: string): Reply =>
    htmlPage(options.h5ReturnOrigins ?? [], status, title, content);

  /**
   * Serialises a gateway answer exactly as signed: the signature covers the bytes of the inner object.
   * An answer to a cert-mode app names the signing certificate after the signature (alipay_cert_sn).
   */
  const signedJson = (key: string, body: Record<string, unknown>, certMode: boolean): string => {
    const inner = JSON.stringify(body);
    const signer = faults.global.badResponseSignature ? foreignKey : certMode ? alipayCert.key : platformKey;
    const sn = certMode ? `,"alipay_cert_sn":"${alipayCert.sn}"` : '';
    return `{"${key}":${inner},"sign":"${rsa2Sign(signer, inner)}"${sn}}`;
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
      return { status: 303, location: returnLocation(signerOf(app), now(), app, trade) };
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

  const sendReply = (response: ServerResponse, reply: Reply, certMode = false) => {
    if (reply.kind === 'html') {
      response.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', ...reply.headers });
      response.end(reply.html);
      return;
    }
    const text = signedJson(reply.key, reply.body, certMode);
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
    sendReply(response, gateway(params), apps.get(params.app_id ?? '')?.appCert !== undefined);
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
    certificates: {
      alipayRootCert: certificates.alipayRootCert,
      alipayPublicCert: certificates.alipayPublicCert,
      appCertOf: (appId) => apps.get(appId)?.appCert?.pem,
    },
    rotateAlipayCertificate(rotation = {}) {
      const next = makeRsaKeyPair();
      const issued = certificates.issueAlipayCert(createPublicKey(next.publicKeyPem), rotation);
      alipayCerts.set(issued.sn, issued.pem);
      alipayCert = { key: createPrivateKey(next.privateKeyPem), sn: issued.sn };
      return issued;
    },
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
