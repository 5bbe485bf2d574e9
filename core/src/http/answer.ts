import type { Context } from 'koa';
import { errorStatus } from '../errors.ts';
import type { Answer } from '../ledger/results.ts';

/** Answers an operation: 200 when accepted, the code's status when refused; a replay says so in a header. */
export function answer(ctx: Context, result: Answer): void {
  ctx.status = result.status === 'ok' ? 200 : errorStatus[result.code];
  if (result.replayed) ctx.set('idempotent-replayed', 'true');
  ctx.body = result;
}
