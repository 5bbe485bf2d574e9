import { ACCESS_TOKEN_TTL_S, type AuthCodes, REFRESH_TOKEN_TTL_S } from './auth.ts';
import { type BillFile, billOf } from './bill.ts';
import { escapeHtml, page as htmlPage, returnAllowed } from './cashier.ts';
import {
  type Buyer,
  fenToYuan,
  refundedFen,
  type Trade,
  type TradeBook,
  tradeView,
  yuanToFen,
} from './orders.ts';
import {
  type App,
  alipayCertBiz,
  billBiz,
  bizOf,
  business,
  createBiz,
  failure,
  invalid,
  ok,
  parseJson,
  type Reply,
  refundBiz,
  type TemplateMessage,
  templateMessageBiz,
  tradeRef,
  wapBiz,
} from './protocol.ts';
import { beijingTime } from './signing.ts';

export const BILL_URL_TTL_MS = 30_000;
export const BILLS_KEPT_MAX = 1_000;

/** One signed gateway method (`method=`): the authenticated app and the request's parameters. */
export type GatewayMethod = (app: App, params: Record<string, string>) => Reply;

/** What the gateway's methods read and change: the stand-in's books, owned by startAlipayStandIn. */
export interface GatewayState {
  now: () => number;
  trades: TradeBook;
  codes: AuthCodes;
  templateMessages: TemplateMessage[];
  refuseTemplateMessagesTo: Set<string>;
  bills: Map<string, { file: BillFile; expiresAtMs: number }>;
  /** Alipay publishes a day's bill on the next day; true serves it at once. */
  billsSameDay: boolean;
  h5ReturnOrigins: readonly string[];
  baseUrl: () => string;
  /** Sends the notification of a trade's current state; refund fields when a refund caused it. */
  notify: (app: App, trade: Trade, cause?: { outRequestNo: string; atMs: number }) => void;
  buyerFields: (app: App, buyer: Buyer) => Record<string, string>;
  /** An Alipay public certificate (PEM) the stand-in issued, by its SN. */
  alipayCertificate: (sn: string) => string | undefined;
}

/**
 * The open-platform methods the stand-in answers: oauth.token, template messages, trade create /
 * query / close / refund, the bill download URL and the wap.pay cashier.
 */
export function gatewayMethods(state: GatewayState): Record<string, GatewayMethod> {
  const {
    now,
    trades,
    codes,
    templateMessages,
    refuseTemplateMessagesTo,
    bills,
    billsSameDay,
    h5ReturnOrigins,
    baseUrl,
    notify,
    buyerFields,
    alipayCertificate,
  } = state;

  const findTrade = (app: App, ref: { out_trade_no?: string | undefined; trade_no?: string | undefined }) =>
    trades.find(
      app.appId,
      ref.trade_no !== undefined ? { tradeNo: ref.trade_no } : { outTradeNo: ref.out_trade_no ?? '' },
    );

  const page = (status: number, title: string, content: string): Reply =>
    htmlPage(h5ReturnOrigins, status, title, content);

  /**
   * alipay.trade.wap.pay: the signed page request opens the trade and shows the cashier; its button
   * posts to /__mock/cashier, which pays, notifies and sends the payer back to return_url.
   */
  const cashier = (app: App, params: Record<string, string>): Reply => {
    const biz = bizOf(wapBiz, params);
    if (!biz.ok) return page(400, '参数错误', `<p id="code">${escapeHtml(String(biz.body.sub_code))}</p>`);
    const returnUrl = params.return_url ?? '';
    if (returnUrl !== '' && !returnAllowed(returnUrl, h5ReturnOrigins))
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

  const methods: Record<string, GatewayMethod> = {
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
    // Alipay's public certificate by its SN, base64 of the PEM, for an app that met a renewed one.
    'alipay.open.app.alipaycert.download': (_app, params) => {
      const key = 'alipay_open_app_alipaycert_download_response';
      const biz = bizOf(alipayCertBiz, params);
      if (!biz.ok) return { kind: 'json', key, body: biz.body };
      const pem = alipayCertificate(biz.value.alipay_cert_sn);
      // The stand-in's sub-code: Alipay publishes none for an unknown SN.
      if (pem === undefined) return { kind: 'json', key, body: business('CERT_NOT_EXIST', '证书不存在') };
      return { kind: 'json', key, body: ok({ alipay_cert_content: Buffer.from(pem).toString('base64') }) };
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
        sameDay: billsSameDay,
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
        body: ok({ bill_download_url: `${baseUrl()}/__bill/download?token=${file.token}` }),
      };
    },
    'alipay.trade.wap.pay': (app, params) => cashier(app, params),
  };
  return methods;
}
