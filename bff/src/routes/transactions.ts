import { month, operationId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseValue } from '../http/middleware.ts';
import type { Bills } from '../services/bills.ts';
import { transactionFilters } from '../services/bills.ts';
import type { BindingService } from '../services/bindings.ts';

export const listQuery = z.strictObject({
  month: month.optional(),
  kind: z.enum(Object.keys(transactionFilters) as [keyof typeof transactionFilters]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const idPath = z.object({ id: operationId });

/** The caller's bill: filtered by month and kind, paged with an opaque cursor; and one transaction. */
export function transactionRoutes(bindings: BindingService, bills: Bills): Router {
  const router = new Router({ prefix: '/transactions' });
  router.get('/', async (ctx) => {
    const query = parseValue({ ...ctx.query }, listQuery);
    ctx.body = await bills.list(await bindings.require((ctx.state.user as UserState).openid), query);
  });
  router.get('/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    ctx.body = await bills.detail(await bindings.require((ctx.state.user as UserState).openid), id);
  });
  return router;
}
