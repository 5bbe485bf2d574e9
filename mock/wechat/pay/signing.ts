import { createSign, createVerify, type KeyObject, randomBytes } from 'node:crypto';

/**
 * WeChat Pay v3 signatures, both ways. Requests from merchants carry
 * `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`
 * over `METHOD\n/path?query\ntimestamp\nnonce\nbody\n`; responses and notifications carry
 * `Wechatpay-*` headers over `timestamp\nnonce\nbody\n`, signed with the platform key.
 */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const TIMESTAMP_SKEW_SECONDS_MAX = 300;

export interface MerchantAuthorization {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

export function parseAuthorization(header: string | undefined): MerchantAuthorization | undefined {
  if (header === undefined || !header.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const fields = new Map<string, string>();
  for (const match of header.slice(AUTH_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    fields.set(match[1] ?? '', match[2] ?? '');
  }
  const get = (name: string) => fields.get(name);
  const mchid = get('mchid');
  const nonce_str = get('nonce_str');
  const timestamp = get('timestamp');
  const serial_no = get('serial_no');
  const signature = get('signature');
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}

export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
) {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function signText(privateKey: KeyObject, text: string): string {
  return createSign('RSA-SHA256').update(text).sign(privateKey, 'base64');
}

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(text).verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** WeChat's nonces are 32 upper-case alphanumerics; ours are the same shape. */
export function makeNonce(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

export interface SignedHeaderFaults {
  /** Sign something other than the body, so a verifier must refuse it. */
  badSignature?: boolean;
  /** Shift the timestamp (seconds) but sign it honestly, so only a freshness check catches it. */
  timestampOffsetSeconds?: number;
}

export interface Platform {
  serialNo: string;
  privateKey: KeyObject;
}

export function signedHeaders(
  platform: Platform,
  body: string,
  nowMs: number,
  faults: SignedHeaderFaults = {},
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000) + (faults.timestampOffsetSeconds ?? 0));
  const nonce = makeNonce();
  const signed = faults.badSignature ? `${body} ` : body;
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': platform.serialNo,
    'Wechatpay-Signature': signText(platform.privateKey, `${timestamp}\n${nonce}\n${signed}\n`),
    'Wechatpay-Signature-Type': AUTH_SCHEME,
    'Request-ID': randomBytes(16).toString('hex'),
  };
}
