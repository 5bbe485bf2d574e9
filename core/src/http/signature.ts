import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service authentication: every request to the core carries an HMAC-SHA256 over
 * method, path with query, timestamp, a fresh random nonce and the body's SHA-256, under a key
 * shared with one caller. The client and the server build the signed string with this one function.
 * The core accepts a signed request once (the nonce is remembered while the timestamp is in the
 * window) and only within a one-sided window: at most signatureAgeMsMax old, at most
 * signatureFutureMsMax ahead of the core's clock.
 *
 * The body's SHA-256 also travels in its own header (contentHash), so the core can check the HMAC
 * before it reads a single body byte: a request naming a real key id with a fresh timestamp but a
 * forged signature is refused without its body being read. After the body is read the signature is
 * checked again over the real body, so a body that is not the one hashed is refused too.
 */
export const signatureHeaders = {
  keyId: 'x-cc-key-id',
  timestamp: 'x-cc-timestamp',
  nonce: 'x-cc-nonce',
  signature: 'x-cc-signature',
  /** Hex SHA-256 of the body, the same hash the signature covers. */
  contentHash: 'x-cc-content-sha256',
} as const;

export const signatureAgeMsMax = 60_000;
export const signatureFutureMsMax = 5_000;
/** A nonce: 16 to 64 characters of A-Z a-z 0-9 _ - (the client sends 22, base64url of 16 random bytes). */
export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;

/** Hex SHA-256 of a body, as signed and as sent in the contentHash header. */
export function bodyHashOf(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signRequest(
  secret: string,
  method: string,
  pathWithQuery: string,
  timestampMs: number,
  nonce: string,
  body: Uint8Array | string,
): string {
  return signRequestWithHash(secret, method, pathWithQuery, timestampMs, nonce, bodyHashOf(body));
}

/** The same signature from the body's hash alone (what the core checks before reading a body). */
export function signRequestWithHash(
  secret: string,
  method: string,
  pathWithQuery: string,
  timestampMs: number,
  nonce: string,
  bodyHash: string,
): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}\n${pathWithQuery}\n${timestampMs}\n${nonce}\n${bodyHash}`)
    .digest('hex');
}

/** The signature headers of one request (with the body's hash), with a new nonce and the current time. */
export function signedHeaders(
  key: { keyId: string; secret: string },
  method: string,
  pathWithQuery: string,
  body: Uint8Array | string,
  timestampMs = Date.now(),
): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  const bodyHash = bodyHashOf(body);
  return {
    [signatureHeaders.keyId]: key.keyId,
    [signatureHeaders.timestamp]: String(timestampMs),
    [signatureHeaders.nonce]: nonce,
    [signatureHeaders.contentHash]: bodyHash,
    [signatureHeaders.signature]: signRequestWithHash(
      key.secret,
      method,
      pathWithQuery,
      timestampMs,
      nonce,
      bodyHash,
    ),
  };
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
