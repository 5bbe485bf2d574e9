import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service authentication: every request to the core carries an HMAC-SHA256 over
 * method, path with query, timestamp, a fresh random nonce and the body's SHA-256, under a key
 * shared with one caller. The client and the server build the signed string with this one function.
 * The core accepts a signed request once (the nonce is remembered while the timestamp is in the
 * window) and only within a one-sided window: at most signatureAgeMsMax old, at most
 * signatureFutureMsMax ahead of the core's clock.
 */
export const signatureHeaders = {
  keyId: 'x-cc-key-id',
  timestamp: 'x-cc-timestamp',
  nonce: 'x-cc-nonce',
  signature: 'x-cc-signature',
} as const;

export const signatureAgeMsMax = 60_000;
export const signatureFutureMsMax = 5_000;
/** A nonce: 16 to 64 characters of A-Z a-z 0-9 _ - (the client sends 22, base64url of 16 random bytes). */
export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;

export function signRequest(
  secret: string,
  method: string,
  pathWithQuery: string,
  timestampMs: number,
  nonce: string,
  body: Uint8Array | string,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}\n${pathWithQuery}\n${timestampMs}\n${nonce}\n${bodyHash}`)
    .digest('hex');
}

/** The four signature headers of one request, with a new nonce and the current time. */
export function signedHeaders(
  key: { keyId: string; secret: string },
  method: string,
  pathWithQuery: string,
  body: Uint8Array | string,
  timestampMs = Date.now(),
): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  return {
    [signatureHeaders.keyId]: key.keyId,
    [signatureHeaders.timestamp]: String(timestampMs),
    [signatureHeaders.nonce]: nonce,
    [signatureHeaders.signature]: signRequest(key.secret, method, pathWithQuery, timestampMs, nonce, body),
  };
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
