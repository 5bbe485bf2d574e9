import { networkPackageId, utilityOrderId, utilityTarget } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { UtilitiesService } from '../services/utilities.ts';

/** One purchase of electricity: 1 to 500 yuan. */
const electricityBody = z.strictObject({
  id: utilityOrderId,
  roomId: utilityTarget,
  amount: z.number().int().min(100).max(50_000),
});
const networkBody = z.strictObject({
  id: utilityOrderId,
  packageId: networkPackageId,
  amount: z.number().int().positive().max(100_000),
});

/** Dorm electricity and the network fee for the signed-in student. */
export function utilityRoutes(bindings: BindingService, utilities: UtilitiesService): Router {
  const router = new Router();
  const me = (ctx: { state: Record<string, unknown> }) =>
    bindings.require((ctx.state.user as UserState).openid);
  router.get('/electricity/rooms', async (ctx) => {
    ctx.body = { items: await utilities.myRooms(await me(ctx)) };
  });
  router.get('/electricity/rooms/:roomId', async (ctx) => {
    await me(ctx);
    ctx.body = await utilities.room(parseValue(ctx.params, z.object({ roomId: utilityTarget })).roomId);
  });
  router.post('/electricity/orders', async (ctx) => {
    ctx.body = await utilities.buyElectricity(await me(ctx), parseBody(ctx, electricityBody));
  });
  router.get('/electricity/orders', async (ctx) => {
    ctx.body = { items: await utilities.orders(await me(ctx), 'electricity') };
  });
  router.get('/network', async (ctx) => {
    ctx.body = await utilities.network(await me(ctx));
  });
  router.post('/network/orders', async (ctx) => {
    ctx.body = await utilities.buyNetwork(await me(ctx), parseBody(ctx, networkBody));
  });
  router.get('/network/orders', async (ctx) => {
    ctx.body = { items: await utilities.orders(await me(ctx), 'network') };
  });
  router.get('/utility-orders/:id', async (ctx) => {
    ctx.body = await utilities.order(
      await me(ctx),
      parseValue(ctx.params, z.object({ id: utilityOrderId })).id,
    );
  });
  return router;
}
