import Router from 'koa-router';
import { z } from 'zod';
import { cardNo } from '../../contract/fields.ts';
import {
  dormRoomInput,
  utilityOrderId,
  utilityOrderStatuses,
  utilityPurchase,
  utilityServices,
  utilityTarget,
} from '../../contract/utilities.ts';
import type { UtilityPurchases } from '../../utilities/utility-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const listQuery = z.object({
  service: z.enum(utilityServices).optional(),
  cardNo: cardNo.optional(),
  target: utilityTarget.optional(),
  status: z.enum(utilityOrderStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  beforeAtMs: z.coerce.number().int().nonnegative().optional(),
  beforeId: utilityOrderId.optional(),
});
const roomsQuery = z.object({
  building: z.string().min(1).max(32).optional(),
  personId: z.string().min(1).max(26).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Dorm electricity and the network fee (docs/funds.md): orders, rooms, accounts. */
export function utilityRoutes(utilities: UtilityPurchases): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/utility-orders', async (ctx) => {
    ctx.body = await utilities.purchase(parseBody(ctx, utilityPurchase));
  });
  router.get('/utility-orders', async (ctx) => {
    const q = parseValue(ctx.query, listQuery);
    const items = await utilities.list({
      ...q,
      before:
        q.beforeAtMs !== undefined && q.beforeId !== undefined
          ? { atMs: q.beforeAtMs, id: q.beforeId }
          : undefined,
    });
    const last = items.at(-1);
    ctx.body = {
      items,
      next: items.length === q.limit && last ? { beforeAtMs: last.createdAtMs, beforeId: last.id } : null,
    };
  });
  router.get('/utility-orders/summary', async (ctx) => {
    const { service } = parseValue(ctx.query, z.object({ service: z.enum(utilityServices) }));
    ctx.body = { items: await utilities.summary(service) };
  });
  router.post('/utility-orders/reconcile', async (ctx) => {
    // An order still 'created' is given up after a minute, unless the caller (after a restart) says sooner.
    const body = parseBody(
      ctx,
      z.strictObject({ createdGraceMs: z.number().int().min(0).max(3_600_000).optional() }),
    );
    ctx.body = { ended: await utilities.runReconcileNow(body.createdGraceMs) };
  });
  router.get('/utility-orders/:id', async (ctx) => {
    ctx.body = await utilities.get(parseValue(ctx.params, z.object({ id: utilityOrderId })).id);
  });
  router.get('/dorm-rooms', async (ctx) => {
    const q = parseValue(ctx.query, roomsQuery);
    ctx.body = { items: await utilities.rooms(q, q.limit) };
  });
  router.post('/dorm-rooms/check', async (ctx) => {
    ctx.body = { alerted: await utilities.checkRooms() };
  });
  router.put('/dorm-rooms/:roomId', async (ctx) => {
    const { roomId } = parseValue(ctx.params, z.object({ roomId: utilityTarget }));
    ctx.body = await utilities.saveRoom(roomId, parseBody(ctx, dormRoomInput));
  });
  router.get('/dorm-rooms/:roomId', async (ctx) => {
    const { roomId } = parseValue(ctx.params, z.object({ roomId: utilityTarget }));
    const { usageDays } = parseValue(
      ctx.query,
      z.object({ usageDays: z.coerce.number().int().min(1).max(31).default(7) }),
    );
    ctx.body = await utilities.room(roomId, usageDays);
  });
  router.get('/network-accounts/:accountId', async (ctx) => {
    const { accountId } = parseValue(ctx.params, z.object({ accountId: utilityTarget }));
    ctx.body = await utilities.networkAccount(accountId);
  });
  return router;
}
