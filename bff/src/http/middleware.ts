import { CoreError } from '@campus-card/core/client';
import {
  acceptedRequestId,
  createEdge,
  loggable,
  loggableRoute,
  requestIdHeader,
  withRequestId,
} from '@campus-card/core/http';
import type { Logger } from '@campus-card/core/log';
import type { Context, Next } from 'koa';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';

/**
 * The one error path: BffErrors and the core's refusals answer { code, message, requestId } with their
 * status; anything else is a 500 INTERNAL_ERROR, logged once here and never shown to the caller. It
 * first settles the request's id (the client's x-request-id when well formed, else a new one), answers
 * it in the same header and runs the rest of the request under it: every log line of the request
 * carries it and every core call made for it sends it (docs/operations.md § Request ids).
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
        if (ctx.status === 404 && ctx.body === undefined) throw new BffError('NOT_FOUND', 'no such route');
      } catch (error) {
        const answer = publicError(error);
        if (answer.status >= 500)
          log.error(
            { err: loggable(error), method: ctx.method, route: loggableRoute(ctx) },
            'request failed',
          );
        ctx.status = answer.status;
        ctx.body = {
          code: answer.code,
          message: answer.message,
          ...(answer.details ? { details: answer.details } : {}),
          requestId,
        };
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

function publicError(error: unknown): { status: number; code: string; message: string; details?: unknown } {
  if (error instanceof BffError)
    return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error instanceof CoreError) {
    // The core refusing our own signature or failing inside is our fault, not the caller's.
    if (error.status === 401)
      return { status: 502, code: 'UPSTREAM_FAILED', message: 'the card system refused us' };
    if (error.status >= 500)
      return { status: 503, code: 'UNAVAILABLE', message: 'the card system is unavailable' };
    return { status: error.status, code: error.code, message: error.message, details: error.details };
  }
  // The core (or another service called on the request's behalf) not answering in time, or not at
  // all, is an outage the caller may retry, not a fault in this request: 503 like a core 5xx.
  if (unanswered(error))
    return { status: 503, code: 'UNAVAILABLE', message: 'a service this needs did not answer' };
  return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
}

/** Connection-level failures of an outgoing call: undici's timeouts and closed sockets, refused or reset connections. */
function unanswered(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('UND_ERR_') || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code);
}

/** Headers every answer carries: no sniffing, no framing, no referrer leaks, HTTPS remembered. */
export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('x-frame-options', 'DENY');
    ctx.set('referrer-policy', 'no-referrer');
    ctx.set('strict-transport-security', 'max-age=31536000');
    ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.set('cache-control', 'no-store');
    await next();
  };
}

/** CORS for the H5 build's origin only; every other origin gets no CORS headers at all. */
export function cors(origin: string) {
  return async (ctx: Context, next: Next) => {
    const requested = ctx.get('origin');
    if (origin !== '' && requested === origin) {
      ctx.set('access-control-allow-origin', origin);
      ctx.set('vary', 'origin');
      if (ctx.method === 'OPTIONS') {
        ctx.set('access-control-allow-methods', 'GET,POST,PUT,DELETE');
        ctx.set('access-control-allow-headers', 'authorization,content-type,x-request-id,idempotency-key');
        ctx.set('access-control-max-age', '600');
        ctx.status = 204;
        return;
      }
    }
    await next();
  };
}

const edge = createEdge({
  tooLarge: (message) => new BffError('PAYLOAD_TOO_LARGE', message),
  invalid: (message, details) => new BffError('VALIDATION_FAILED', message, details),
});

/** Reads the body as raw bytes with a hard size limit (the WeChat Pay notify signature covers them). */
export const rawBody = edge.rawBody;
/** Parses the JSON body against a strict schema; any problem is a 400 that names the fields. */
export const parseBody = edge.parseBody;
/** Parses a query string or path parameters against a schema. */
export const parseValue = edge.parseValue;

/**
 * A fixed-window request limit per key (client address, or signed-in user), counted in the kv so
 * every instance shares it.
 */
export function rateLimit(
  kv: Kv,
  options: { name: string; perMinuteMax: number; keyOf: (ctx: Context) => string | undefined },
) {
  return async (ctx: Context, next: Next) => {
    const key = options.keyOf(ctx);
    if (key !== undefined) {
      const window = Math.floor(Date.now() / 60_000);
      // Reserved before the request runs: a refused request is not counted, and no burst gets past.
      const reserved = await kv.reserveAttempt(
        [{ key: `rate:${options.name}:${key}:${window}`, max: options.perMinuteMax }],
        61_000,
      );
      if (!reserved.allowed) {
        ctx.set('retry-after', String(60 - Math.floor((Date.now() / 1000) % 60)));
        throw new BffError('RATE_LIMITED', 'too many requests, try again in a minute');
      }
    }
    await next();
  };
}
