import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import Pay from 'wechatpay-node-v3';
import type { Output } from 'wechatpay-node-v3/dist/lib/interface-v2';
import type { IPayRequest } from 'wechatpay-node-v3/dist/lib/pay-request.interface';
import { close, listen, readRawBody } from './http.ts';
import { decryptResource } from './pay/aead.ts';
import { TIMESTAMP_SKEW_SECONDS_MAX } from './pay/signing.ts';
import { type CertifiedKey, makeCertifiedKey } from './x509.ts';

/**
 * Test-only helpers: a merchant identity made at runtime, the real SDK pointed at the stand-in through
 * a verifying transport, and a notification receiver that does what our BFF's notify route must do.
 * The production transport belongs to the BFF (see docs/mock-wechat.md); this one is its test twin.
 */
export const APPID = 'wx0123456789abcdef';
export const MCHID = '1900000109';
export const API_V3_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const WECHAT_PAY_ORIGIN = 'https://api.mch.weixin.qq.com';

export function makeMerchant(): CertifiedKey {
  return makeCertifiedKey(MCHID, 'Campus Card test merchant');
}

export function makePay(merchant: CertifiedKey, privateKeyPem = merchant.privateKeyPem): Pay {
  return new Pay({
    appid: APPID,
    mchid: MCHID,
    publicKey: Buffer.from(merchant.certificatePem),
    privateKey: Buffer.from(privateKeyPem),
    key: API_V3_KEY,
  });
}

/**
 * An IPayRequest that sends to `baseUrl` instead of WeChat's host (the signature covers only the
 * path, so rewriting the host is safe) and verifies every response's signature and timestamp, which
 * the SDK's stock client never does. Certificates are exempt (verifying them needs them); bill
 * downloads are unsigned by WeChat and checked by their SHA1 instead.
 */
export class VerifyingTransport implements IPayRequest {
  readonly #baseUrl: string;
  #pay: Pay | undefined;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
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
    return Promise.reject(new Error('uploads are not part of the stand-in'));
  }

  async #send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Output> {
    if (!url.startsWith(WECHAT_PAY_ORIGIN)) throw new Error(`not a WeChat Pay URL: ${url}`);
    const path = url.slice(WECHAT_PAY_ORIGIN.length);
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers,
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
    const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
    if (!(skew <= TIMESTAMP_SKEW_SECONDS_MAX)) throw new Error('response timestamp outside the 300 s window');
    const valid = await pay.verifySign({
      timestamp,
      nonce: headers.get('wechatpay-nonce') ?? '',
      serial: headers.get('wechatpay-serial') ?? '',
      signature: headers.get('wechatpay-signature') ?? '',
      body: text,
    });
    if (!valid) throw new Error('response signature does not verify');
  }
}

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  rawBody: string;
  atMs: number;
  verdict: Verdict;
  /** The decrypted resource when the verdict is ok. */
  resource?: Record<string, unknown>;
  envelope: {
    id: string;
    event_type: string;
    resource: { associated_data: string; nonce: string; ciphertext: string };
  };
}

export type Verdict = 'ok' | 'bad_signature' | 'stale' | 'tampered';

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/** What the BFF's notify route must do, in order: freshness, signature over the raw body, then decrypt with the tag checked. */
export async function judge(pay: Pay, headers: IncomingHttpHeaders, rawBody: string) {
  const envelope = JSON.parse(rawBody) as ReceivedNotification['envelope'];
  const timestamp = header(headers, 'wechatpay-timestamp');
  if (!(Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) <= TIMESTAMP_SKEW_SECONDS_MAX)) {
    return { verdict: 'stale' as const, envelope };
  }
  const signed = await pay.verifySign({
    timestamp,
    nonce: header(headers, 'wechatpay-nonce'),
    serial: header(headers, 'wechatpay-serial'),
    signature: header(headers, 'wechatpay-signature'),
    body: rawBody,
  });
  if (!signed) return { verdict: 'bad_signature' as const, envelope };
  try {
    const resource = JSON.parse(decryptResource(API_V3_KEY, envelope.resource)) as Record<string, unknown>;
    return { verdict: 'ok' as const, envelope, resource };
  } catch {
    return { verdict: 'tampered' as const, envelope };
  }
}

export interface Receiver {
  url: string;
  received: ReceivedNotification[];
  /** Statuses to answer with, in order; once used up, the receiver answers 204 when the verdict is ok and 401 otherwise. */
  statuses: number[];
  close(): Promise<void>;
}

export async function startReceiver(pay: Pay): Promise<Receiver> {
  const received: ReceivedNotification[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const rawBody = await readRawBody(request);
      const judged = await judge(pay, request.headers, rawBody);
      received.push({ headers: request.headers, rawBody, atMs: Date.now(), ...judged });
      const status = statuses.shift() ?? (judged.verdict === 'ok' ? 204 : 401);
      response.writeHead(status);
      response.end();
    })();
  });
  const baseUrl = await listen(server, '127.0.0.1', 0);
  return { url: `${baseUrl}/notify`, received, statuses, close: () => close(server) };
}

export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
