import { unescape as unescapeLoosely } from 'node:querystring';
import type { Context, Next } from 'koa';
import type { ZodType } from 'zod';
import { loggableError } from '../log.ts';
import { findTextProblem, textProblem } from '../text.ts';

export { findTextProblem, textProblem };

/**
 * What every HTTP service of ours does at its edge — read the body with a hard size limit, parse JSON
 * against a strict schema, say which fields are wrong — with the service's own error for each failure,
 * so the core answers CoreErrors and the BFF BffErrors from the same code.
 */
export interface EdgeErrors {
  tooLarge(message: string): Error;
  invalid(message: string, details?: Record<string, unknown>): Error;
}

/** A route allowed a larger body than the service's default: method and path, and its limit. */
export interface LargerBody {
  method: 'POST' | 'PUT';
  path: RegExp;
  bytesMax: number;
}

export interface Edge {
  /**
   * Refuses a path or query string with control characters (textProblem), then reads the body as raw
   * bytes (signatures cover them) into ctx.state.rawBody, refusing one above bytesMax, or above the
   * limit of the first larger-body route it matches (a file import).
   */
  rawBody(bytesMax: number, larger?: readonly LargerBody[]): (ctx: Context, next: Next) => Promise<void>;
  /** Parses the JSON body against a schema; any problem (control characters too) names the fields. */
  parseBody<T>(ctx: Context, schema: ZodType<T>): T;
  /** Parses a query string, path parameters or any value against a schema, text checked as above. */
  parseValue<T>(value: unknown, schema: ZodType<T>): T;
}

export function createEdge(errors: EdgeErrors): Edge {
  const refuse = (issues: { path: string; message: string }[]) =>
    errors.invalid(issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '), { issues });
  const checkText = (value: unknown, lineBreaks: boolean) => {
    const problem = findTextProblem(value, { lineBreaks });
    if (problem) throw refuse([problem]);
  };
  /** The path's segments and the query string, decoded as the router and the routes will read them. */
  const checkUrl = (ctx: Context) => {
    const segments = ctx.path.split('/').map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return unescapeLoosely(segment);
      }
    });
    for (const segment of segments) {
      const message = textProblem(segment, { lineBreaks: false });
      if (message) throw refuse([{ path: 'path', message }]);
    }
    const problem = findTextProblem(ctx.query, { lineBreaks: false });
    if (problem) throw refuse([{ path: `query.${problem.path}`, message: problem.message }]);
  };
  const parseValue = <T>(value: unknown, schema: ZodType<T>): T => {
    checkText(value, true);
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw refuse(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  };
  return {
    rawBody(defaultBytesMax, larger = []) {
      return async (ctx, next) => {
        // Every request passes here before any route reads its parameters.
        checkUrl(ctx);
        const bytesMax =
          larger.find((l) => l.method === ctx.method && l.path.test(ctx.path))?.bytesMax ?? defaultBytesMax;
        const tooLarge = () => {
          // The rest of the body is not read: the connection ends with the answer.
          ctx.set('connection', 'close');
          return errors.tooLarge(`bodies are at most ${bytesMax} bytes`);
        };
        if (Number(ctx.get('content-length') || 0) > bytesMax) throw tooLarge();
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > bytesMax) throw tooLarge();
          chunks.push(chunk);
        }
        ctx.state.rawBody = Buffer.concat(chunks);
        await next();
      };
    },
    parseBody(ctx, schema) {
      let json: unknown;
      try {
        const raw = ctx.state.rawBody as Buffer;
        json = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw errors.invalid('the body is not valid JSON');
      }
      return parseValue(json, schema);
    },
    parseValue,
  };
}

/**
 * What of an unexpected error may be logged: its kind, message and stack, but not the properties
 * drivers attach (mysql2 puts the whole SQL with its values on the error, names and card numbers
 * included) nor the values a driver's message quotes. The loggers' `err` serializer is the same rule.
 */
export const loggable = loggableError;

/**
 * What of a request's address may be logged: the route template it matched ("/v1/cards/:cardNo",
 * "/sms/replies/:token"), never the raw path, which carries card numbers, person numbers and the secret
 * path parts of provider callbacks; `unmatched` when no route matched.
 */
export function loggableRoute(ctx: object): string {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof route === 'string' ? route : 'unmatched';
}

export { acceptedRequestId, currentRequestId, requestIdHeader, withRequestId } from './request-id.ts';
