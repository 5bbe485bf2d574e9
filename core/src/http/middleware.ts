import type { Context, Next } from 'koa';
import type { ReplayGuard } from '../credential/replay-guard.ts';
import { CoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createEdge, type LargerBody, loggable, loggableRoute } from './edge.ts';
import { acceptedRequestId, requestIdHeader, withRequestId } from './request-id.ts';
import {
  noncePattern,
  signatureAgeMsMax,
  signatureFutureMsMax,
  signatureHeaders,
  signatureMatches,
  signRequest,
  signRequestWithHash,
} from './signature.ts';

export interface CoreState {
  requestId: string;
  caller: string;
  rawBody: Buffer;
}

/**
 * The one error path: CoreErrors answer { code, message, requestId } with their status; anything else
 * is a 500 internal_error, logged once here and never shown to the caller. It first settles the
 * request's id (the caller's x-request-id when well formed, else a new one), answers it in the same
 * header and runs the rest of the request under it, so every log line of the request carries it.
 */
export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const requestId = acceptedRequestId(ctx.get(requestIdHeader) || undefined);
    ctx.state.requestId = requestId;
    ctx.set(requestIdHeader, requestId);
    const started = Date.now();
    await withRequestId(requestId, async () => {
      try {
        await next();
      } catch (error) {
        if (error instanceof CoreError) {
          ctx.status = error.status;
          ctx.body = {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
            requestId,
          };
        } else {
          log.error(
            { err: loggable(error), method: ctx.method, route: loggableRoute(ctx) },
            'request failed',
          );
          ctx.status = 500;
          ctx.body = { code: 'INTERNAL_ERROR', message: 'internal error', requestId };
        }
      }
      // At debug level one line per request: by route template, never the raw path (card numbers).
      log.debug(
        {
          method: ctx.method,
          route: loggableRoute(ctx),
          status: ctx.status,
          ms: Date.now() - started,
        },
        'request answered',
      );
    });
  };
}

/**
 * The most a request whose signature could not be checked before its body (it carries no
 * contentHash header: a caller signing by hand) may send; our own clients always send the hash.
 */
export const unverifiedBodyBytesMax = 64 * 1024;

/**
 * Checks everything of a signed request that needs no body, before the body is read: a known key id,
 * a timestamp inside the window, a well-formed nonce and a signature of the right shape, and, when the
 * body's hash comes in its header (every CoreClient request), the HMAC itself. A request failing them is
 * refused at once (401) and, when it announced a body, the connection is closed instead of read to its
 * end, so nobody without a service key's secret can make the core read a body (a subsidy import may be
 * megabytes); without the hash header the body is read only up to unverifiedBodyBytesMax. serviceAuth,
 * after the body, checks the signature again over the body as read.
 */
export function serviceAuthBeforeBody(keys: ReadonlyMap<string, string>, now = Date.now) {
  return async (ctx: Context, next: Next) => {
    const refuse = (error: CoreError) => {
      if (ctx.get('content-length') || ctx.get('transfer-encoding')) ctx.set('connection', 'close');
      return error;
    };
    const timestampText = ctx.get(signatureHeaders.timestamp);
    if (
      !keys.has(ctx.get(signatureHeaders.keyId)) ||
      !/^\d{1,15}$/.test(timestampText) ||
      !noncePattern.test(ctx.get(signatureHeaders.nonce)) ||
      !/^[0-9a-f]{64}$/i.test(ctx.get(signatureHeaders.signature))
    )
      throw refuse(new CoreError('UNAUTHENTICATED', 'this API needs a signed request'));
    const age = now() - Number(timestampText);
    if (age > signatureAgeMsMax || age < -signatureFutureMsMax) {
      throw refuse(
        new CoreError('REQUEST_STALE', 'the request timestamp is outside the allowed window', {
          ageMsMax: signatureAgeMsMax,
          futureMsMax: signatureFutureMsMax,
        }),
      );
    }
    const bodyHash = ctx.get(signatureHeaders.contentHash);
    if (bodyHash) {
      const secret = keys.get(ctx.get(signatureHeaders.keyId)) as string;
      const expected = signRequestWithHash(
        secret,
        ctx.method,
        ctx.url,
        Number(timestampText),
        ctx.get(signatureHeaders.nonce),
        bodyHash.toLowerCase(),
      );
      if (
        !/^[0-9a-f]{64}$/i.test(bodyHash) ||
        !signatureMatches(expected, ctx.get(signatureHeaders.signature))
      )
        throw refuse(new CoreError('UNAUTHENTICATED', 'bad request signature'));
      ctx.state.signatureChecked = true;
    }
    await next();
  };
}

/**
 * Refuses any request not signed by a known service key, older than signatureAgeMsMax or more than
 * signatureFutureMsMax ahead (REQUEST_STALE), or whose signed nonce was already seen (REQUEST_REPLAYED):
 * a captured request cannot be sent again. The nonce is claimed only after the signature checks, so
 * nobody without a key can fill the cache; it is kept until the timestamp has left the window.
 */
export function serviceAuth(keys: ReadonlyMap<string, string>, nonces: ReplayGuard, now = Date.now) {
  return async (ctx: Context, next: Next) => {
    const keyId = ctx.get(signatureHeaders.keyId);
    const timestampText = ctx.get(signatureHeaders.timestamp);
    const timestamp = Number(timestampText);
    const nonce = ctx.get(signatureHeaders.nonce);
    const signature = ctx.get(signatureHeaders.signature);
    const secret = keys.get(keyId);
    if (!secret || !/^\d{1,15}$/.test(timestampText) || !noncePattern.test(nonce) || !signature)
      throw new CoreError('UNAUTHENTICATED', 'this API needs a signed request');
    const expected = signRequest(secret, ctx.method, ctx.url, timestamp, nonce, ctx.state.rawBody as Buffer);
    if (!signatureMatches(expected, signature))
      throw new CoreError('UNAUTHENTICATED', 'bad request signature');
    const age = now() - timestamp;
    if (age > signatureAgeMsMax || age < -signatureFutureMsMax) {
      throw new CoreError('REQUEST_STALE', 'the request timestamp is outside the allowed window', {
        ageMsMax: signatureAgeMsMax,
        futureMsMax: signatureFutureMsMax,
      });
    }
    if (!(await nonces.claim(`${keyId}:${nonce}`, signatureAgeMsMax + signatureFutureMsMax + 1_000)))
      throw new CoreError('REQUEST_REPLAYED', 'this signed request was already received');
    ctx.state.caller = keyId;
    await next();
  };
}

const edge = createEdge({
  tooLarge: (message) => new CoreError('PAYLOAD_TOO_LARGE', message),
  invalid: (message, details) => new CoreError('VALIDATION_FAILED', message, details),
});

/**
 * Reads the body as raw bytes (the signature covers them) with a hard size limit: the route's own
 * (a larger-body route's, else bytesMax) once serviceAuthBeforeBody has checked the signature, else at
 * most unverifiedBodyBytesMax. Past the limit: 413, before buffering when Content-Length says so.
 */
export function rawBody(bytesMax: number, larger: readonly LargerBody[] = []) {
  const checked = edge.rawBody(bytesMax, larger);
  const cap = (n: number) => Math.min(n, unverifiedBodyBytesMax);
  const unchecked = edge.rawBody(
    cap(bytesMax),
    larger.map((l) => ({ ...l, bytesMax: cap(l.bytesMax) })),
  );
  return (ctx: Context, next: Next) => (ctx.state.signatureChecked === true ? checked : unchecked)(ctx, next);
}
/** Parses the JSON body against a strict schema; any problem is a 400 that names the fields. */
export const parseBody = edge.parseBody;
export const parseValue = edge.parseValue;
