import { activationCode, idTail, personNo } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { CardActions } from '../services/cards.ts';

const name = z.string().trim().min(1).max(64);
const secret = z.string().trim().pipe(idTail);

/** Proof of identity: the activation code, or (where the campus allows it) the ID number's last 6. */
export const identityProof = z.union([
  z.strictObject({ name, secret }),
  z.strictObject({ name, activationCode }),
]);

const bindBody = z.union([
  z.strictObject({ personNo: z.string().trim().pipe(personNo), name, secret }),
  z.strictObject({ personNo: z.string().trim().pipe(personNo), name, activationCode }),
]);

/** Binding this WeChat account to a campus identity, and undoing it. */
export function bindingRoutes(bindings: BindingService, cards: CardActions): Router {
  const router = new Router();
  router.post('/binding', async (ctx) => {
    const user = ctx.state.user as UserState;
    const bound = await bindings.bind(user.openid, parseBody(ctx, bindBody), ctx.ip);
    ctx.status = bound.created ? 201 : 200;
    ctx.body = { created: bound.created, card: await cards.view(bound) };
  });
  router.get('/binding', async (ctx) => {
    const binding = await bindings.require((ctx.state.user as UserState).openid);
    ctx.body = { personNo: binding.personNo, cardNo: binding.cardNo, boundAtMs: binding.createdAtMs };
  });
  router.delete('/binding', async (ctx) => {
    ctx.body = await bindings.unbind((ctx.state.user as UserState).openid);
  });
  return router;
}
