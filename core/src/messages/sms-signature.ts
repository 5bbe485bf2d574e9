import { createHmac } from 'node:crypto';

/**
 * Alibaba Cloud's RPC signature, version 1.0 (HMAC-SHA1), as its SMS API (dysmsapi 2017-05-25)
 * documents it: parameters sorted by name, each name and value percent-encoded (RFC 3986, with
 * `~` kept and space as %20), joined with `&`, then `GET&%2F&` + the encoded query, keyed with the
 * AccessKey secret followed by `&`. Shared by the sender and the stand-in (mock/sms).
 */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function rpcSignature(method: 'GET' | 'POST', params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}
