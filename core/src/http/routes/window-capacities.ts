import Router from 'koa-router';
import { z } from 'zod';
import { windowCapacityBody } from '../../contract/insight.ts';
import type { WindowCapacityService } from '../../insight/window-capacities.ts';
import { parseBody, parseValue } from '../middleware.ts';

const merchantPath = z.object({ merchantId: z.string().min(1).max(26) });

/** Canteen window capacities (the app's canteen levels): read all, set or clear one. */
export function windowCapacityRoutes(capacities: WindowCapacityService): Router {
  const router = new Router({ prefix: '/v1/window-capacities' });
  router.get('/', async (ctx) => {
    ctx.body = { items: await capacities.list() };
  });
  router.put('/:merchantId', async (ctx) => {
    const { merchantId } = parseValue(ctx.params, merchantPath);
    ctx.body = { items: await capacities.set(merchantId, parseBody(ctx, windowCapacityBody)) };
  });
  return router;
}
