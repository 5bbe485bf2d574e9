import Router from 'koa-router';
import { z } from 'zod';
import { type BlacklistService, changesPerPageMax } from '../../devices/blacklist-service.ts';
import { parseValue } from '../middleware.ts';

const changesQuery = z.object({
  since: z.coerce.number().int().min(0).max(0xffff_ffff),
  limit: z.coerce.number().int().min(1).max(changesPerPageMax).default(changesPerPageMax),
});

/** For the device gateways: the whole list, and the changes above a version. */
export function blacklistRoutes(blacklist: BlacklistService): Router {
  const router = new Router({ prefix: '/v1/blacklist' });
  router.get('/', async (ctx) => {
    ctx.body = await blacklist.snapshot();
  });
  router.get('/changes', async (ctx) => {
    const q = parseValue(ctx.query, changesQuery);
    ctx.body = await blacklist.changesSince(q.since, q.limit);
  });
  return router;
}
