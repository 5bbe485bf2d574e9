import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { formatDateTime, shanghaiDateTimeMs } from '@campus-card/core/time';

/**
 * RSA2 (SHA256withRSA) the way the Alipay open platform uses it: requests are signed by the app over
 * its sorted `k=v&…` parameters, answers and notifications by the platform. Keys are PKCS#1 PEM, the
 * alipay-sdk's default format.
 */
export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh 2048-bit pair: the stand-in makes its platform key at start, tests make app keys. */
export function makeRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function rsa2Sign(privateKey: string | KeyObject, text: string): string {
  return createSign('RSA-SHA256').update(text, 'utf8').sign(privateKey, 'base64');
}

export function rsa2Verify(publicKey: string | KeyObject, text: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(text, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/**
 * The signed text of a parameter set: every key but the excluded ones, empty values dropped, sorted in
 * ASCII order, `k=v` with raw (not URL-encoded) values, joined by `&`. Requests exclude `sign`;
 * notifications exclude `sign` and `sign_type`.
 */
export function signContent(params: Readonly<Record<string, string>>, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && params[key] !== '' && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, no offset: the gateway's timestamp and notification times. */
export function beijingTime(atMs: number): string {
  return formatDateTime(atMs);
}

/** Parses a Beijing `yyyy-MM-dd HH:mm:ss` (exactly that shape) into epoch ms, or undefined. */
export function parseBeijingTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  return shanghaiDateTimeMs(text);
}
