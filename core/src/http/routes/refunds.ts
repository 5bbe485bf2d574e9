import Router from 'koa-router';
import { z } from 'zod';
import { payoutSchema, refundListQuerySchema } from '../../contract/refunds.ts';
import { operationId } from '../../ledger/operations.ts';
import type { RefundService } from '../../refunds/refund-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const entryPath = z.object({ operationId });

/**
 * The refund list (退款清单, docs/sync.md and docs/ledger.md): close-outs' main balances owed to people,
 * and their payout. Not /v1/refunds, which is a payment's refund to the wallets.
 */
export function refundRoutes(refunds: RefundService): Router {
  const router = new Router({ prefix: '/v1/refund-list' });
  router.get('/', async (ctx) => {
    const q = parseValue(ctx.query, refundListQuerySchema);
    const before =
      q.beforeAtMs !== undefined && q.beforeId !== undefined
        ? { atMs: q.beforeAtMs, operationId: q.beforeId }
        : undefined;
    const items = await refunds.list(q.status, q.limit, before);
    const last = items.at(-1);
    ctx.body = {
      items,
      next:
        items.length === q.limit && last
          ? {
              beforeAtMs: (q.status === 'due' ? last.createdAtMs : last.paidAtMs) ?? 0,
              beforeId: last.operationId,
            }
          : null,
    };
  });
  router.get('/:operationId', async (ctx) => {
    ctx.body = await refunds.get(parseValue(ctx.params, entryPath).operationId);
  });
  router.post('/:operationId/payout', async (ctx) => {
    const { operationId: id } = parseValue(ctx.params, entryPath);
    ctx.body = await refunds.payout(id, parseBody(ctx, payoutSchema));
  });
  return router;
}
