import Router from 'koa-router';
import type { UserState } from '../auth/require-user.ts';
import type { BindingService } from '../services/bindings.ts';
import type { CanteenLoad } from '../services/canteen-load.ts';

/**
 * GET /canteen-load: how busy each canteen window is now and in 30 minutes, for a bound card holder
 * (the same answer for everyone: aggregated payments, nothing about any person).
 */
export function canteenLoadRoutes(bindings: BindingService, load: CanteenLoad): Router {
  const router = new Router();
  router.get('/canteen-load', async (ctx) => {
    await bindings.require((ctx.state.user as UserState).openid);
    ctx.body = await load.current();
  });
  return router;
}
