import Router from 'koa-router';
import type { UserState } from '../auth/require-user.ts';

/** The signed-in user's own session: who the access token says they are. */
export function sessionRoutes(): Router {
  const router = new Router();
  router.get('/session', (ctx) => {
    const user = ctx.state.user as UserState;
    ctx.body = { openid: user.openid, sessionId: user.sessionId };
  });
  return router;
}
