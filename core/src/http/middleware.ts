import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ZodType } from 'zod';
import { CoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { signatureHeaders, signatureMatches, signatureSkewMsMax, signRequest } from './signature.ts';

export interface CoreState {
  requestId: string;
  caller: string;
  rawBody: Buffer;
}

/**
 * The one error path: CoreErrors answer { code, message } with their status; anything else is a
 * 500 internal_error, logged once here with the request id and never shown to the caller.
 */
export function errorHandler(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const requestId = String(ctx.get('x-request-id') || randomUUID()).slice(0, 64);
    ctx.state.requestId = requestId;
    ctx.set('x-request-id', requestId);
    try {
      await next();
    } catch (error) {
      if (error instanceof CoreError) {
        ctx.status = error.status;
        ctx.body = {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        };
        return;
      }
      log.error({ err: loggable(error), requestId, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = { code: 'INTERNAL_ERROR', message: 'internal error' };
    }
  };
}

/**
 * What of an unexpected error may be logged: its kind, message and stack, but not the properties
 * drivers attach (mysql2 puts the whole SQL with its values on the error, names and card numbers
 * included).
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

/** Reads the body as raw bytes (the signature covers them) with a hard size limit. */
export function rawBody(bytesMax: number) {
  return async (ctx: Context, next: Next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > bytesMax) throw new CoreError('PAYLOAD_TOO_LARGE', `bodies are at most ${bytesMax} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > bytesMax) throw new CoreError('PAYLOAD_TOO_LARGE', `bodies are at most ${bytesMax} bytes`);
      chunks.push(chunk);
    }
    ctx.state.rawBody = Buffer.concat(chunks);
    await next();
  };
}

/** Refuses any request not signed by a known service key within the allowed clock skew. */
export function serviceAuth(keys: ReadonlyMap<string, string>) {
  return async (ctx: Context, next: Next) => {
    const keyId = ctx.get(signatureHeaders.keyId);
    const timestamp = Number(ctx.get(signatureHeaders.timestamp));
    const signature = ctx.get(signatureHeaders.signature);
    const secret = keys.get(keyId);
    if (!secret || !Number.isFinite(timestamp) || !signature)
      throw new CoreError('UNAUTHENTICATED', 'this API needs a signed request');
    if (Math.abs(Date.now() - timestamp) > signatureSkewMsMax)
      throw new CoreError('UNAUTHENTICATED', 'the request timestamp is outside the allowed window');
    const expected = signRequest(secret, ctx.method, ctx.url, timestamp, ctx.state.rawBody as Buffer);
    if (!signatureMatches(expected, signature))
      throw new CoreError('UNAUTHENTICATED', 'bad request signature');
    ctx.state.caller = keyId;
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
    throw new CoreError('VALIDATION_FAILED', 'the body is not valid JSON');
  }
  return parseValue(json, schema);
}

export function parseValue<T>(value: unknown, schema: ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new CoreError(
      'VALIDATION_FAILED',
      issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '),
      { issues },
    );
  }
  return parsed.data;
}
