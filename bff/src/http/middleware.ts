import { randomUUID } from 'node:crypto';
import { CoreError } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import type { Context, Next } from 'koa';
import type { ZodType } from 'zod';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';

/**
 * The one error path: BffErrors and the core's refusals answer { code, message } with their
 * status; anything else is a 500 INTERNAL_ERROR, logged once here with the request id and never
 * shown to the caller.
 */
export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const requestId = /^[\w-]{1,64}$/.test(ctx.get('x-request-id')) ? ctx.get('x-request-id') : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('x-request-id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new BffError('NOT_FOUND', 'no such route');
    } catch (error) {
      const answer = publicError(error);
      if (answer.status >= 500)
        log.error({ err: loggable(error), requestId, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = answer.status;
      ctx.body = {
        code: answer.code,
        message: answer.message,
        ...(answer.details ? { details: answer.details } : {}),
      };
    }
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
  return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
}

/**
 * What of an unexpected error may be logged: its kind, message and stack, but not the properties
 * drivers attach (they carry SQL values and request bodies).
 */
function loggable(error: unknown): { name: string; message: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
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

/** Reads the body as raw bytes with a hard size limit (the WeChat Pay notify signature covers them). */
export function rawBody(bytesMax: number) {
  return async (ctx: Context, next: Next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > bytesMax) throw new BffError('PAYLOAD_TOO_LARGE', `bodies are at most ${bytesMax} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > bytesMax) throw new BffError('PAYLOAD_TOO_LARGE', `bodies are at most ${bytesMax} bytes`);
      chunks.push(chunk);
    }
    ctx.state.rawBody = Buffer.concat(chunks);
    await next();
  };
}

/** Parses the JSON body against a strict schema; any problem is a 400 that names the fields. */
export function parseBody<T>(ctx: Context, schema: ZodType<T>): T {
  let json: unknown;
  try {
    const raw = ctx.state.rawBody as Buffer;
    json = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BffError('VALIDATION_FAILED', 'the body is not valid JSON');
  }
  return parseValue(json, schema);
}

/** Parses a query string or path parameters against a schema. */
export function parseValue<T>(value: unknown, schema: ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new BffError(
      'VALIDATION_FAILED',
      issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '),
      {
        issues,
      },
    );
  }
  return parsed.data;
}

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
      const count = await kv.increment(`rate:${options.name}:${key}:${window}`, 61_000);
      if (count > options.perMinuteMax) {
        ctx.set('retry-after', String(60 - Math.floor((Date.now() / 1000) % 60)));
        throw new BffError('RATE_LIMITED', 'too many requests, try again in a minute');
      }
    }
    await next();
  };
}
