import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { CardActions } from '../services/cards.ts';

const actionBody = z.strictObject({ action: z.enum(['report_loss', 'cancel_loss', 'freeze', 'unfreeze']) });
const actionPaths = [
  ['/report-loss', 'report_loss'],
  ['/cancel-loss', 'cancel_loss'],
  ['/freeze', 'freeze'],
  ['/unfreeze', 'unfreeze'],
] as const;
const pin = z.string().regex(/^\d{6}$/, 'a PIN is 6 digits');
const pinBody = z.strictObject({ pin, currentPin: pin.optional() });
const limitBody = z.strictObject({ dailyLimit: z.number().int().min(0).max(100_000_000) });

/** The caller's own card: view it, report it lost or freeze it, set its PIN and daily limit. */
export function cardRoutes(bindings: BindingService, cards: CardActions): Router {
  const router = new Router({ prefix: '/card' });
  router.get('/', async (ctx) => {
    ctx.body = await cards.view(await bindings.require((ctx.state.user as UserState).openid));
  });
  router.post('/actions', async (ctx) => {
    const user = ctx.state.user as UserState;
    const { action } = parseBody(ctx, actionBody);
    ctx.body = await cards.change(await bindings.require(user.openid), user.openid, user.sessionId, action);
  });
  // The same actions, one path each, for clients that prefer the action in the URL.
  for (const [path, action] of actionPaths) {
    router.post(path, async (ctx) => {
      const user = ctx.state.user as UserState;
      parseBody(ctx, z.strictObject({}));
      ctx.body = await cards.change(await bindings.require(user.openid), user.openid, user.sessionId, action);
    });
  }
  router.put('/pin', async (ctx) => {
    const body = parseBody(ctx, pinBody);
    await cards.setPin(
      await bindings.require((ctx.state.user as UserState).openid),
      body.pin,
      body.currentPin,
    );
    ctx.status = 204;
  });
  router.put('/daily-limit', async (ctx) => {
    const { dailyLimit } = parseBody(ctx, limitBody);
    ctx.body = await cards.setDailyLimit(
      await bindings.require((ctx.state.user as UserState).openid),
      dailyLimit,
    );
  });
  return router;
}
