import { pin } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { CardActions } from '../services/cards.ts';
import { identityProof } from './binding.ts';

/** Cancelling a loss or unfreezing takes the card PIN, and after someone else's report an identity proof. */
const proof = { pin: pin.optional(), identity: identityProof.optional() };
const actionBody = z.strictObject({
  action: z.enum(['report_loss', 'cancel_loss', 'freeze', 'unfreeze']),
  ...proof,
});
const actionPaths = [
  ['/report-loss', 'report_loss'],
  ['/cancel-loss', 'cancel_loss'],
  ['/freeze', 'freeze'],
  ['/unfreeze', 'unfreeze'],
] as const;
const pinBody = z.strictObject({
  pin,
  currentPin: pin.optional(),
  identity: identityProof.optional(),
});
const limitBody = z.strictObject({
  dailyLimit: z.number().int().min(0).max(100_000_000),
  pin: pin.optional(),
});

/** The caller's own card: view it, report it lost or freeze it, set its PIN and daily limit. */
export function cardRoutes(bindings: BindingService, cards: CardActions): Router {
  const router = new Router({ prefix: '/card' });
  const userOf = (ctx: Router.RouterContext) => {
    const user = ctx.state.user as UserState;
    return { openid: user.openid, sessionId: user.sessionId, address: ctx.ip };
  };
  router.get('/', async (ctx) => {
    ctx.body = await cards.view(await bindings.require((ctx.state.user as UserState).openid));
  });
  router.post('/actions', async (ctx) => {
    const user = userOf(ctx);
    const { action, ...given } = parseBody(ctx, actionBody);
    ctx.body = await cards.change(await bindings.require(user.openid), user, action, given);
  });
  // The same actions, one path each, for clients that prefer the action in the URL.
  for (const [path, action] of actionPaths) {
    router.post(path, async (ctx) => {
      const user = userOf(ctx);
      const reopens = action === 'cancel_loss' || action === 'unfreeze';
      const given = parseBody(ctx, reopens ? z.strictObject(proof) : z.strictObject({}));
      ctx.body = await cards.change(await bindings.require(user.openid), user, action, given);
    });
  }
  // Changing the PIN takes the current one; the first PIN and a forgotten one's reset the identity proof.
  router.put('/pin', async (ctx) => {
    const user = userOf(ctx);
    const { pin: next, ...proof } = parseBody(ctx, pinBody);
    await cards.setPin(await bindings.require(user.openid), user, next, proof);
    ctx.status = 204;
  });
  router.put('/daily-limit', async (ctx) => {
    const { dailyLimit, pin: given } = parseBody(ctx, limitBody);
    const { openid } = ctx.state.user as UserState;
    ctx.body = await cards.setDailyLimit(await bindings.require(openid), openid, dailyLimit, given);
  });
  return router;
}
