import Router from 'koa-router';
import type { UserState } from '../auth/require-user.ts';
import type { BindingService } from '../services/bindings.ts';
import type { MyDataService } from '../services/my-data.ts';

/** GET /my-data: what the system holds about the caller; the session's own card, never another's. */
export function myDataRoutes(bindings: BindingService, myData: MyDataService): Router {
  const router = new Router();
  router.get('/my-data', async (ctx) => {
    ctx.body = await myData.of(await bindings.require((ctx.state.user as UserState).openid));
  });
  return router;
}
