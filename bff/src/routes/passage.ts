import Router from 'koa-router';
import type { UserState } from '../auth/require-user.ts';
import { BffError } from '../errors.ts';
import type { PassageRights } from '../services/passage.ts';

/** 我的通行: the signed-in holder's own card's passage rights; no card number is taken from the request. */
export function passageRoutes(passage: PassageRights): Router {
  const router = new Router();
  router.get('/passage/rights', async (ctx) => {
    if (Object.keys(ctx.query).length > 0) throw new BffError('VALIDATION_FAILED', 'no parameters here');
    ctx.body = await passage.mine((ctx.state as { user: UserState }).user.openid);
  });
  return router;
}
