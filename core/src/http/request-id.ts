import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * Request ids: one id per request served, taken from a caller's `x-request-id` when it is well formed
 * (at most 64 of A–Z a–z 0–9 . _ -), else made here. While the request runs the id is the current one:
 * every log line carries it (log.ts) and every core call made for it sends it (client/transport.ts),
 * so the BFF's, the gateway's and the core's lines of one request are found by one id.
 */
export const requestIdHeader = 'x-request-id';
const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

const current = new AsyncLocalStorage<string>();

/** The caller's id when it is well formed, else a fresh one (a bad id is replaced, never trimmed). */
export function acceptedRequestId(offered: string | undefined): string {
  return offered !== undefined && requestIdPattern.test(offered) ? offered : randomUUID();
}

/** Runs `work` with `requestId` as the current request's id. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return current.run(requestId, work);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}
