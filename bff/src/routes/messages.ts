import { messageKindNames, messagePreferences } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import type { MessageSettings } from '../services/message-settings.ts';

const consentBody = z.strictObject({
  kinds: z.array(z.enum(messageKindNames)).min(1).max(messageKindNames.length),
});

const openidOf = (ctx: Router.RouterContext) => (ctx.state.user as UserState).openid;

/** 消息设置: the caller's message preferences, and the one-time consents they accepted in the app. */
export function messageRoutes(settings: MessageSettings): Router {
  const router = new Router({ prefix: '/messages' });
  router.get('/templates', async (ctx) => {
    ctx.body = await settings.templates(openidOf(ctx));
  });
  router.get('/preferences', async (ctx) => {
    ctx.body = await settings.preferences(openidOf(ctx));
  });
  router.put('/preferences', async (ctx) => {
    ctx.body = await settings.setPreferences(openidOf(ctx), parseBody(ctx, messagePreferences));
  });
  router.post('/consents', async (ctx) => {
    ctx.body = await settings.consent(openidOf(ctx), parseBody(ctx, consentBody).kinds);
  });
  return router;
}
