import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import Pay from 'wechatpay-node-v3';
import { close, listen, readRawBody } from './http.ts';
import { decryptResource } from './pay/aead.ts';
import { TIMESTAMP_SKEW_SECONDS_MAX } from './pay/signing.ts';
import { type CertifiedKey, makeCertifiedKey } from './x509.ts';

/**
 * Test-only helpers: a merchant identity made at runtime, the real SDK pointed at the stand-in through
 * a verifying transport, and a notification receiver that does what our BFF's notify route must do.
 * The transport is the BFF's own (below), so these tests drive the same code that talks to WeChat.
 */
export const APPID = 'wx0123456789abcdef';
export const MCHID = '1900000109';
export const API_V3_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

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
 * The BFF's production transport (bff/src/services/top-ups/wechat-pay.ts): it sends to the stand-in instead of
 * WeChat's host and verifies every response's signature and timestamp. One transport, so what these
 * tests prove about the stand-in holds for the code that talks to WeChat.
 */
export { VerifyingTransport } from '../../bff/src/services/top-ups/wechat-pay.ts';

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
