import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseValue } from '../http/middleware.ts';
import type { Bills } from '../services/bills.ts';
import type { BindingService } from '../services/bindings.ts';

const pageQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

/** The caller's showers and laundry runs (the card's holds), newest first. */
export function meterSessionRoutes(bindings: BindingService, bills: Bills): Router {
  const router = new Router();
  router.get('/meter-sessions', async (ctx) => {
    const query = parseValue({ ...ctx.query }, pageQuery);
    ctx.body = await bills.meterSessions(await bindings.require((ctx.state.user as UserState).openid), query);
  });
  return router;
}
