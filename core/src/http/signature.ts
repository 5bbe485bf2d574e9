import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service authentication: every request to the core carries an HMAC-SHA256 over
 * method, path with query, timestamp and the body's SHA-256, under a key shared with one caller.
 * The client and the server build the signed string with this one function.
 */
export const signatureHeaders = {
  keyId: 'x-cc-key-id',
  timestamp: 'x-cc-timestamp',
  signature: 'x-cc-signature',
} as const;

export const signatureSkewMsMax = 5 * 60_000;

export function signRequest(
  secret: string,
  method: string,
  pathWithQuery: string,
  timestampMs: number,
  body: Uint8Array | string,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}\n${pathWithQuery}\n${timestampMs}\n${bodyHash}`)
    .digest('hex');
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
