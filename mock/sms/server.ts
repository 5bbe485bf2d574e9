import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rpcSignature } from '../../core/src/messages/sms-signature.ts';
import { close, listen, sendJson } from '../wechat/http.ts';

/**
 * Stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25, RPC style): `GET /?Action=SendSms&…` signed with
 * signature v1 (HMAC-SHA1) by a known AccessKey, answering `{Code:'OK', Message, BizId, RequestId}` or an
 * error code as the real API does. Fault switches: business limit control (rate), down (503). It keeps
 * the messages so tests can read them; it prints nothing (phone numbers stay out of logs).
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
}

export interface SentSms {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
}

export interface SmsStandIn {
  baseUrl: string;
  sent: SentSms[];
  faults: { limit(count: number): void; down(on: boolean): void };
  /** A text the person with `phone` sends back: pushed to replyUrl; answers what the receiver said. */
  reply(phone: string, content: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startSmsStandIn(options: SmsStandInOptions): Promise<SmsStandIn> {
  const sent: SentSms[] = [];
  const nonces = new Set<string>();
  let limitLeft = 0;
  let isDown = false;
  let sequence = 0;

  const answer = (url: URL): Record<string, string> => {
    const requestId = randomUUID();
    const fail = (Code: string, Message: string) => ({ Code, Message, RequestId: requestId });
    const p = Object.fromEntries(url.searchParams);
    const secret = options.keys[p.AccessKeyId ?? ''];
    if (secret === undefined)
      return fail('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (
      p.SignatureMethod !== 'HMAC-SHA1' ||
      p.SignatureVersion !== '1.0' ||
      p.Signature !== rpcSignature('GET', p, secret)
    )
      return fail('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    const stamp = Date.parse(p.Timestamp ?? '');
    if (!Number.isFinite(stamp) || Math.abs(stamp - Date.now()) > 15 * 60_000)
      return fail('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    if (nonces.has(p.SignatureNonce ?? ''))
      return fail('SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(p.SignatureNonce ?? '');
    if (p.Action !== 'SendSms' || p.Version !== '2017-05-25')
      return fail('InvalidAction.NotFound', 'Specified api is not found');
    if (!options.signNames.includes(p.SignName ?? '')) return fail('isv.SMS_SIGNATURE_ILLEGAL', '签名不合法');
    if (!/^1\d{10}$/.test(p.PhoneNumbers ?? '')) return fail('isv.MOBILE_NUMBER_ILLEGAL', '手机号码格式错误');
    if (limitLeft > 0) {
      limitLeft -= 1;
      return fail('isv.BUSINESS_LIMIT_CONTROL', '触发流控');
    }
    let params: Record<string, string>;
    try {
      params = JSON.parse(p.TemplateParam ?? '{}') as Record<string, string>;
    } catch {
      return fail('isv.INVALID_JSON_PARAM', 'JSON参数不合法');
    }
    sent.push({
      phone: p.PhoneNumbers ?? '',
      signName: p.SignName ?? '',
      templateCode: p.TemplateCode ?? '',
      params,
    });
    return { Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0`, RequestId: requestId };
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (isDown) {
      response.writeHead(503, { 'Content-Length': 0 });
      response.end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method === 'GET' && url.pathname === '/') {
      sendJson(response, 200, answer(url));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/__mock/sent') {
      // Only the tail of each number: the demo shows that a message went out, not to whom.
      sendJson(response, 200, {
        sent: sent.slice(-50).map((s) => ({ ...s, phone: `*******${s.phone.slice(-4)}` })),
      });
      return;
    }
    sendJson(response, 404, { Code: 'NotFound', Message: 'not found' });
  };

  const server: Server = createServer(handle);
  const baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    sent,
    faults: {
      limit: (count) => {
        limitLeft = count;
      },
      down: (on) => {
        isDown = on;
      },
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
