import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Next } from 'koa';

/** The request being served, reachable from any call it makes (the core client reads the id from here). */
const current = new AsyncLocalStorage<{ requestId: string }>();

/** Runs the rest of the request inside its context; goes right after the error handler, which picks the id. */
export function requestContext() {
  return (ctx: Context, next: Next) => current.run({ requestId: String(ctx.state.requestId) }, next);
}

export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}
