import Router from 'koa-router';
import { blacklistChangesQuerySchema } from '../../contract/devices.ts';
import type { BlacklistService } from '../../devices/blacklist-service.ts';
import { parseValue } from '../middleware.ts';

/** For the device gateways: the whole list, and the changes above a version. */
export function blacklistRoutes(blacklist: BlacklistService): Router {
  const router = new Router({ prefix: '/v1/blacklist' });
  router.get('/', async (ctx) => {
    ctx.body = await blacklist.snapshot();
  });
  router.get('/changes', async (ctx) => {
    const q = parseValue(ctx.query, blacklistChangesQuerySchema);
    ctx.body = await blacklist.changesSince(q.since, q.limit);
  });
  return router;
}
