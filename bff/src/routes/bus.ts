import { busRideCursor, day, requestId, rowId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { Bus } from '../services/bus.ts';

const bookBody = z.strictObject({ requestId, runId: rowId });

/** The school bus (docs/visitors-meetings-bus.md): the card is the caller's bound card, never the body's. */
export function busRoutes(bus: Bus): Router {
  const router = new Router();
  const openid = (state: unknown) => (state as { user: UserState }).user.openid;
  router.get('/bus/runs', async (ctx) => {
    ctx.body = await bus.timetable(openid(ctx.state), parseValue({ ...ctx.query }, z.object({ day })).day);
  });
  router.post('/bus/bookings', async (ctx) => {
    const { runId, requestId: key } = parseBody(ctx, bookBody);
    ctx.body = await bus.book(openid(ctx.state), runId, key);
  });
  router.get('/bus/bookings', async (ctx) => {
    ctx.body = await bus.mine(openid(ctx.state));
  });
  router.get('/bus/rides', async (ctx) => {
    const q = parseValue({ ...ctx.query }, z.object({ before: busRideCursor.optional() }));
    ctx.body = await bus.rides(openid(ctx.state), q.before);
  });
  router.post('/bus/bookings/:id/cancel', async (ctx) => {
    ctx.body = await bus.cancel(openid(ctx.state), parseValue(ctx.params, z.object({ id: rowId })).id);
  });
  return router;
}
