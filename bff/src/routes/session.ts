import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { BffError } from '../errors.ts';
import { parseBody } from '../http/middleware.ts';
import type { AlipayLogin } from '../services/alipay-login.ts';
import type { SessionService } from '../services/sessions.ts';

const logInBody = z.strictObject({ code: z.string().min(1).max(128) });
const refreshBody = z.strictObject({ refreshToken: z.string().min(40).max(200) });

/**
 * Logging in and refreshing: the routes that make a session, so they need none. `alipay` is
 * undefined unless ALIPAY_APP_ID is set; its route then answers NOT_FOUND.
 */
export function sessionOpenRoutes(service: SessionService, alipay?: AlipayLogin): Router {
  const router = new Router();
  router.post('/session', async (ctx) => {
    ctx.body = await service.logIn(parseBody(ctx, logInBody).code);
  });
  router.post('/session/alipay', async (ctx) => {
    const { code } = parseBody(ctx, logInBody);
    if (alipay === undefined) throw new BffError('NOT_FOUND', 'Alipay login is not enabled');
    ctx.body = await service.open(await alipay.subjectOf(code));
  });
  router.post('/session/refresh', async (ctx) => {
    ctx.body = await service.refresh(parseBody(ctx, refreshBody).refreshToken);
  });
  return router;
}

/** The signed-in user's own session: who the access token says they are, and logging out. */
export function sessionRoutes(service: SessionService): Router {
  const router = new Router();
  router.get('/session', (ctx) => {
    const user = ctx.state.user as UserState;
    ctx.body = { openid: user.openid, sessionId: user.sessionId };
  });
  router.delete('/session', async (ctx) => {
    await service.logOut((ctx.state.user as UserState).sessionId);
    ctx.status = 204;
  });
  return router;
}
