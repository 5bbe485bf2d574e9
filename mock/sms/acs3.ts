import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Alibaba Cloud's request signature V3 (ACS3-HMAC-SHA256), checked the way the API gateway documents it,
 * independently of the SDK that makes it:
 *
 *   CanonicalRequest = method \n path \n canonical query \n canonical headers \n signed headers \n hashed payload
 *   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
 *   Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;…>,Signature=hex(HMAC-SHA256(secret, StringToSign))
 *
 * The canonical query is every parameter, decoded and percent-encoded again (RFC 3986: space as %20,
 * `~` kept, `!'()*` encoded), sorted by name; the canonical headers are the signed ones, lower-cased
 * and sorted, `name:value` each on its own line. Every `x-acs-*` header sent, `host` and `content-type`
 * must be among the signed ones, and `x-acs-content-sha256` must be the hex SHA-256 of the body sent.
 */
export const acs3Algorithm = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  /** The request's path and query as sent (`/?PhoneNumbers=…`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Acs3Check =
  | { ok: true; accessKeyId: string }
  | { ok: false; status: number; code: string; message: string };

const encode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value)
    ? value
        .map((v) => v.trim())
        .sort()
        .join(',')
    : value?.trim();
};

/** Checks the request's V3 signature against `secretOf(accessKeyId)`; the failure names the provider's code. */
export function checkAcs3(
  request: Acs3Request,
  secretOf: (accessKeyId: string) => string | undefined,
): Acs3Check {
  const fail = (status: number, code: string, message: string): Acs3Check => ({
    ok: false,
    status,
    code,
    message,
  });
  const authorization = headerValue(request.headers, 'authorization') ?? '';
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (match === null)
    return fail(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  const [, accessKeyId = '', signedList = '', signature = ''] = match;
  const secret = secretOf(accessKeyId);
  if (secret === undefined)
    return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

  const signed = signedList.split(';');
  const sorted = [...signed].sort();
  const sent = Object.keys(request.headers);
  const mustSign = sent.filter((h) => h.startsWith('x-acs-') || h === 'host' || h === 'content-type');
  if (
    signed.join(';') !== sorted.join(';') ||
    signed.some((h) => h !== h.toLowerCase() || headerValue(request.headers, h) === undefined) ||
    mustSign.some((h) => !signed.includes(h)) ||
    ![
      'host',
      'x-acs-action',
      'x-acs-version',
      'x-acs-date',
      'x-acs-signature-nonce',
      'x-acs-content-sha256',
    ].every((h) => signed.includes(h))
  )
    return fail(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');

  const hashedPayload = headerValue(request.headers, 'x-acs-content-sha256') ?? '';
  if (hashedPayload !== sha256Hex(request.body))
    return fail(
      400,
      'SignatureDoesNotMatch',
      'The x-acs-content-sha256 header does not match the request body.',
    );

  const url = new URL(request.url, 'http://stand-in');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${headerValue(request.headers, h)}\n`).join('');
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signed.join(';'),
    hashedPayload,
  ].join('\n');
  const stringToSign = `${acs3Algorithm}\n${sha256Hex(canonicalRequest)}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  return { ok: true, accessKeyId };
}
