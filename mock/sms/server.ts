import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen, readRawBody, sendJson } from '../wechat/http.ts';
import { checkAcs3 } from './acs3.ts';

/**
 * Stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25) as the official SDK `@alicloud/dysmsapi20170525`
 * calls it: `POST /` with the action and version in `x-acs-action`/`x-acs-version`, the parameters in the
 * query (or a form body), signed with request signature V3 (ACS3-HMAC-SHA256, ./acs3.ts) by a known
 * AccessKey. It answers as the real API does: `{Code:'OK', Message:'OK', BizId, RequestId}` when taken;
 * business refusals (isv.*) with HTTP 200 and their Code; gateway refusals (signature, key, time, nonce,
 * Throttling.User) with HTTP 4xx and `{RequestId, HostId, Code, Message}`; 503 ServiceUnavailable when down.
 * QuerySendDetails (PhoneNumber, SendDate yyyyMMdd within the last 30 days, PageSize 1–50, CurrentPage)
 * answers the messages sent to that number that day, newest first, as the real API does:
 * `{Code:'OK', TotalCount, SmsSendDetailDTOs:{SmsSendDetailDTO:[{PhoneNum, SendStatus (1 waiting for the
 * receipt, 2 failed, 3 delivered), ErrCode, TemplateCode, Content, SendDate, ReceiveDate, OutId}]}}`.
 * Fault switches: business limit control (isv.BUSINESS_LIMIT_CONTROL), API throttling (Throttling.User),
 * down, late (the message is taken but the answer comes after a delay), lost (the request is held and
 * the message never taken), pending receipts (taken, the carrier's receipt not in yet: SendStatus 1). It keeps the messages so tests
 * can read them; it prints nothing (phone numbers stay out of logs). Each message taken gets its
 * delivery report (SmsReport: success, err_code DELIVERED or UNDELIV, biz_id, out_id) pushed to
 * `reportUrl`; `undeliverable(phone)` makes the carrier fail that number.
 * A text sent back to the account's number (上行短信, e.g. 退订) is pushed, as the provider's HTTP batch
 * push of SmsUp reports does, to `replyUrl`: a JSON array of {phone_number, send_time, content,
 * sign_name, dest_code, sequence_id}, answered {code: 0, msg: '成功'} when taken (else pushed again).
 */
export interface SmsStandInOptions {
  host?: string;
  port?: number;
  /** AccessKeyId → AccessKey secret. */
  keys: Record<string, string>;
  /** Sign names the account has approved. */
  signNames: readonly string[];
  /** Where texts sent back (SmsUp reports) are pushed. */
  replyUrl?: string;
  /** Where each message's delivery report (SmsReport) is pushed, soon after it is taken. */
  reportUrl?: string;
}

export interface SentSms {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  /** The caller's OutId (its own id of the message), '' when none was given. */
  outId: string;
  bizId: string;
  /** When it was taken. */
  atMs: number;
  /** What QuerySendDetails says: 1 waiting for the receipt, 2 not delivered, 3 delivered. */
  sendStatus: 1 | 2 | 3;
}

export interface SmsStandIn {
  baseUrl: string;
  sent: SentSms[];
  faults: {
    /** The next `count` SendSms are refused with isv.BUSINESS_LIMIT_CONTROL (HTTP 200). */
    limit(count: number): void;
    /** The next `count` requests are refused by the gateway with Throttling.User (HTTP 400). */
    throttle(count: number): void;
    /** Every request is answered 503 ServiceUnavailable. */
    down(on: boolean): void;
    /** The next `count` messages are taken (sent) but answered only after `delayMs`. */
    late(count: number, delayMs: number): void;
    /** Messages to this number are taken but the carrier does not deliver them (report UNDELIV). */
    undeliverable(phone: string): void;
    /** The next `count` SendSms are held `delayMs` and never taken (the caller's answer is lost). */
    lost(count: number, delayMs: number): void;
    /** Receipts stay out: messages taken now read SendStatus 1 (waiting) and no report is pushed. */
    receiptsPending(on: boolean): void;
  };
  /** Delivery reports pushed so far and what the receiver answered each push. */
  reports: { outId: string; success: boolean; status: number }[];
  /** Resolves once every report push started so far has been answered. */
  reportsSettled(): Promise<void>;
  /** A text the person with `phone` sends back: pushed to replyUrl; answers what the receiver said. */
  reply(phone: string, content: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Beijing wall-clock `yyyy-MM-dd HH:mm:ss`, as the provider writes times. */
const beijing = (ms: number): string => {
  const t = new Date(ms + 8 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
};

/** How far x-acs-date may be from the stand-in's clock, as the provider allows. */
const clockSkewMaxMs = 15 * 60_000;

export async function startSmsStandIn(options: SmsStandInOptions): Promise<SmsStandIn> {
  const sent: SentSms[] = [];
  const nonces = new Set<string>();
  let limitLeft = 0;
  let throttleLeft = 0;
  let isDown = false;
  let late = { left: 0, delayMs: 0 };
  let lost = { left: 0, delayMs: 0 };
  let receiptsPending = false;
  let sequence = 0;
  const undeliverable = new Set<string>();
  const reports: SmsStandIn['reports'] = [];
  const pushes = new Set<Promise<void>>();

  /** The SmsReport the provider pushes for a message it took, as its HTTP batch push does. */
  const pushReport = (message: SentSms): void => {
    if (options.reportUrl === undefined) return;
    const url = options.reportUrl;
    if (message.sendStatus === 1) return;
    const success = message.sendStatus === 3;
    const at = beijing(message.atMs);
    const report = {
      phone_number: message.phone,
      send_time: at,
      report_time: at,
      success,
      err_code: success ? 'DELIVERED' : 'UNDELIV',
      err_msg: success ? '用户接收成功' : '用户无法接收',
      sms_size: '1',
      biz_id: message.bizId,
      out_id: message.outId,
    };
    const push = fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([report]),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        reports.push({ outId: message.outId, success, status: response.status });
      })
      .catch(() => {
        reports.push({ outId: message.outId, success, status: 0 });
      })
      .finally(() => pushes.delete(push));
    pushes.add(push);
  };

  /** QuerySendDetails over what was taken, with the real API's checks and page arithmetic. */
  const querySendDetails = (
    p: Record<string, string>,
    refuse: (code: string, message: string) => { status: number; body: Record<string, string> },
  ): Record<string, unknown> => {
    const phone = p.PhoneNumber ?? '';
    if (!/^1\d{10}$/.test(phone)) return refuse('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号').body;
    const day = /^(\d{4})(\d{2})(\d{2})$/.exec(p.SendDate ?? '');
    const dayMs = day ? Date.parse(`${day[1]}-${day[2]}-${day[3]}T00:00:00+08:00`) : Number.NaN;
    if (!Number.isFinite(dayMs) || dayMs > Date.now() || Date.now() - dayMs > 31 * 86_400_000)
      return refuse('isv.INVALID_PARAMETERS', 'SendDate 须为最近30天内的 yyyyMMdd').body;
    const pageSize = Number(p.PageSize);
    const currentPage = Number(p.CurrentPage);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50)
      return refuse('isv.INVALID_PARAMETERS', 'PageSize 须为 1-50').body;
    if (!Number.isInteger(currentPage) || currentPage < 1)
      return refuse('isv.INVALID_PARAMETERS', 'CurrentPage 须从 1 开始').body;
    const ofDay = sent
      .filter((m) => m.phone === phone && m.atMs >= dayMs && m.atMs < dayMs + 86_400_000)
      .filter((m) => p.BizId === undefined || p.BizId === '' || m.bizId === p.BizId)
      .reverse();
    const page = ofDay.slice((currentPage - 1) * pageSize, currentPage * pageSize);
    return {
      Code: 'OK',
      Message: 'OK',
      TotalCount: String(ofDay.length),
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: page.map((m) => ({
          PhoneNum: m.phone,
          SendStatus: m.sendStatus,
          ErrCode: m.sendStatus === 3 ? 'DELIVERED' : m.sendStatus === 2 ? 'UNDELIV' : '',
          TemplateCode: m.templateCode,
          Content: `【${m.signName}】${Object.values(m.params).join(' ')}`,
          SendDate: beijing(m.atMs),
          ReceiveDate: m.sendStatus === 1 ? '' : beijing(m.atMs),
          OutId: m.outId,
        })),
      },
    };
  };

  const answer = (
    request: IncomingMessage,
    body: string,
  ): { status: number; body: Record<string, unknown>; holdMs?: number } => {
    const RequestId = randomUUID().toUpperCase();
    const gateway = (status: number, Code: string, Message: string) => ({
      status,
      body: { RequestId, HostId: 'dysmsapi.aliyuncs.com', Code, Message },
    });
    const refuse = (Code: string, Message: string) => ({ status: 200, body: { Code, Message, RequestId } });
    if (request.method !== 'POST' && request.method !== 'GET')
      return gateway(400, 'UnsupportedHTTPMethod', 'Specified HTTP method is not supported.');
    const check = checkAcs3(
      { method: request.method, url: request.url ?? '/', headers: request.headers, body },
      (id) => options.keys[id],
    );
    if (!check.ok) return gateway(check.status, check.code, check.message);
    const date = Date.parse(String(request.headers['x-acs-date'] ?? ''));
    if (!Number.isFinite(date) || Math.abs(date - Date.now()) > clockSkewMaxMs)
      return gateway(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const nonce = String(request.headers['x-acs-signature-nonce']);
    if (nonces.has(nonce))
      return gateway(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(nonce);
    const action = request.headers['x-acs-action'];
    if (
      (action !== 'SendSms' && action !== 'QuerySendDetails') ||
      request.headers['x-acs-version'] !== '2017-05-25'
    )
      return gateway(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
    if (throttleLeft > 0) {
      throttleLeft -= 1;
      return gateway(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const form = String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body)
      : new URLSearchParams();
    const p: Record<string, string> = {
      ...Object.fromEntries(url.searchParams),
      ...Object.fromEntries(form),
    };
    if (action === 'QuerySendDetails')
      return { status: 200, body: { ...querySendDetails(p, refuse), RequestId } };
    if (!options.signNames.includes(p.SignName ?? ''))
      return refuse('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    if (!/^1\d{10}$/.test(p.PhoneNumbers ?? '')) return refuse('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if ((p.TemplateCode ?? '') === '') return refuse('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    if (limitLeft > 0) {
      limitLeft -= 1;
      return refuse('isv.BUSINESS_LIMIT_CONTROL', '触发号码天级流控Permits:10');
    }
    let params: Record<string, string>;
    try {
      params = JSON.parse(p.TemplateParam ?? '{}') as Record<string, string>;
    } catch {
      return refuse('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    const BizId = `${Date.now() % 1_000_000}${String(sent.length).padStart(9, '0')}^0`;
    const phone = p.PhoneNumbers ?? '';
    const message: SentSms = {
      phone,
      signName: p.SignName ?? '',
      templateCode: p.TemplateCode ?? '',
      params,
      outId: p.OutId ?? '',
      bizId: BizId,
      atMs: Date.now(),
      sendStatus: receiptsPending ? 1 : undeliverable.has(phone) ? 2 : 3,
    };
    if (lost.left > 0) {
      // Held and dropped: the caller waits out its timeout; nothing was taken.
      lost = { ...lost, left: lost.left - 1 };
      return {
        status: 503,
        body: { Code: 'ServiceUnavailable', Message: 'lost', RequestId },
        holdMs: lost.delayMs,
      };
    }
    sent.push(message);
    pushReport(message);
    return { status: 200, body: { Code: 'OK', Message: 'OK', BizId, RequestId } };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readRawBody(request);
    if (isDown) {
      sendJson(response, 503, {
        RequestId: randomUUID().toUpperCase(),
        Code: 'ServiceUnavailable',
        Message: 'The request has failed due to a temporary failure of the server.',
      });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method === 'GET' && url.pathname === '/__mock/sent') {
      // Only the tail of each number: the demo shows that a message went out, not to whom.
      sendJson(response, 200, {
        sent: sent.slice(-50).map((s) => ({ ...s, phone: `*******${s.phone.slice(-4)}` })),
      });
      return;
    }
    if (url.pathname !== '/') {
      sendJson(response, 404, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found.' });
      return;
    }
    const before = sent.length;
    const result = answer(request, body);
    if (result.holdMs !== undefined) await new Promise((resolve) => setTimeout(resolve, result.holdMs));
    if (sent.length > before && late.left > 0) {
      late = { ...late, left: late.left - 1 };
      await new Promise((resolve) => setTimeout(resolve, late.delayMs));
    }
    sendJson(response, result.status, result.body, 'application/json;charset=utf-8');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent)
        sendJson(response, 400, { Code: 'InvalidParameter', Message: 'bad request' });
      else response.destroy();
    });
  });
  const baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    sent,
    faults: {
      limit: (count) => {
        limitLeft = count;
      },
      throttle: (count) => {
        throttleLeft = count;
      },
      down: (on) => {
        isDown = on;
      },
      late: (count, delayMs) => {
        late = { left: count, delayMs };
      },
      undeliverable: (phone) => {
        undeliverable.add(phone);
      },
      lost: (count, delayMs) => {
        lost = { left: count, delayMs };
      },
      receiptsPending: (on) => {
        receiptsPending = on;
      },
    },
    reports,
    reportsSettled: async () => {
      while (pushes.size > 0) await Promise.all([...pushes]);
    },
    reply: async (phone, content) => {
      if (options.replyUrl === undefined) throw new Error('the SMS stand-in has no replyUrl');
      sequence += 1;
      const shanghai = new Date(Date.now() + 8 * 3_600_000).toISOString();
      const report = {
        phone_number: phone,
        send_time: `${shanghai.slice(0, 10)} ${shanghai.slice(11, 19)}`,
        content,
        sign_name: options.signNames[0] ?? '',
        dest_code: '1234',
        sequence_id: sequence,
      };
      const response = await fetch(options.replyUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([report]),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: response.status, body };
    },
    close: () => close(server),
  };
}
