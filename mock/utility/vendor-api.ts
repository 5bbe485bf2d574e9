import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen, readRawBody, sendJson } from '../wechat/http.ts';

/**
 * The envelope the campus meter and network-billing systems share in their third-party payment
 * interfaces (the "第三方缴费接口" the card centre integrates): a JSON POST of the business fields
 * plus appId, timestamp (ms), nonce and sign = upper-case hex HMAC-SHA256 over the fields other
 * than sign, sorted by name, as `k=v&k=v` (empty values left out); the answer is
 * `{ code, msg, data }` with code '0000' for success. A request more than 5 minutes off the
 * clock, signed with another key or replaying a nonce is answered 4001 and changes nothing.
 */
export const codes = {
  ok: '0000',
  notFound: '1001',
  duplicate: '2001',
  orderNotFound: '3001',
  badRequest: '4000',
  badSign: '4001',
} as const;

export function vendorSign(fields: Record<string, unknown>, secret: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== undefined && fields[k] !== null && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${String(fields[k])}`)
    .join('&');
  return createHmac('sha256', secret).update(text).digest('hex').toUpperCase();
}

export type Handler = (fields: Record<string, unknown>) => Promise<VendorAnswer | 'no-answer'>;
export interface VendorAnswer {
  code: string;
  msg: string;
  data?: Record<string, unknown>;
}

const clockSkewMsMax = 5 * 60_000;

/** A vendor server: signed POST routes by path, and unsigned /__mock/… control routes for tests. */
export async function startVendorServer(options: {
  appId: string;
  secret: string;
  host?: string;
  port?: number;
  routes: Record<string, Handler>;
  control: (method: string, path: string, body: unknown) => Promise<unknown> | unknown;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const nonces = new Map<string, number>();
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { code: '5000', msg: '系统繁忙' });
    });
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const raw = await readRawBody(request);
    if (path.startsWith('/__mock/')) {
      const answer = await options.control(request.method ?? 'GET', path, raw ? JSON.parse(raw) : undefined);
      sendJson(response, answer === undefined ? 404 : 200, answer ?? { error: 'no such control' });
      return;
    }
    const route = options.routes[path];
    if (request.method !== 'POST' || route === undefined) {
      sendJson(response, 404, { code: '4004', msg: '接口不存在' });
      return;
    }
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      sendJson(response, 200, { code: codes.badRequest, msg: '报文格式错误' });
      return;
    }
    const now = Date.now();
    const ts = Number(fields.timestamp);
    const nonce = String(fields.nonce ?? '');
    const expected = Buffer.from(vendorSign(fields, options.secret));
    const given = Buffer.from(String(fields.sign ?? ''));
    const signed = expected.length === given.length && timingSafeEqual(expected, given);
    if (
      fields.appId !== options.appId ||
      !signed ||
      !Number.isFinite(ts) ||
      Math.abs(now - ts) > clockSkewMsMax ||
      nonce.length < 8 ||
      nonces.has(nonce)
    ) {
      sendJson(response, 200, { code: codes.badSign, msg: '签名错误' });
      return;
    }
    nonces.set(nonce, now);
    for (const [n, at] of nonces) if (now - at > clockSkewMsMax) nonces.delete(n);
    const answer = await route(fields);
    // A lost answer: the socket is held open unanswered until the caller gives up (or the server closes).
    if (answer === 'no-answer') return;
    sendJson(response, 200, answer);
  }
  const url = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return { url, server, close: () => close(server) };
}
