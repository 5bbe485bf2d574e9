import Router from 'koa-router';
import { z } from 'zod';
import type { BusService } from '../../bus/bus-service.ts';
import { busBookingSchema, newBusRouteSchema, newBusRunSchema } from '../../contract/bus.ts';
import { cardNo, rowId } from '../../contract/fields.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: rowId });
const ms = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The school bus (docs/visitors-meetings-bus.md): routes and runs, bookings, cancellations, counts. */
export function busRoutes(bus: BusService): Router {
  const router = new Router({ prefix: '/v1/bus' });
  router.post('/routes', async (ctx) => {
    ctx.body = await bus.addRoute(parseBody(ctx, newBusRouteSchema));
  });
  router.get('/routes', async (ctx) => {
    ctx.body = { items: await bus.routes() };
  });
  router.post('/runs', async (ctx) => {
    ctx.body = await bus.addRun(parseBody(ctx, newBusRunSchema));
  });
  router.get('/runs', async (ctx) => {
    const q = parseValue(ctx.query, z.object({ fromMs: ms, toMs: ms }));
    ctx.body = { items: await bus.runs(q.fromMs, q.toMs) };
  });
  router.get('/runs/:id', async (ctx) => {
    ctx.body = await bus.run(parseValue(ctx.params, idParam).id);
  });
  router.get('/runs/:id/counts', async (ctx) => {
    ctx.body = await bus.counts(parseValue(ctx.params, idParam).id);
  });
  router.post('/runs/:id/cancel', async (ctx) => {
    ctx.body = await bus.cancelRun(parseValue(ctx.params, idParam).id);
  });
  router.post('/bookings', async (ctx) => {
    ctx.body = await bus.book(parseBody(ctx, busBookingSchema));
  });
  router.get('/bookings', async (ctx) => {
    ctx.body = await bus.bookingsOf(parseValue(ctx.query, z.object({ cardNo })).cardNo);
  });
  router.post('/bookings/:id/cancel', async (ctx) => {
    const { cardNo: owner } = parseBody(ctx, z.strictObject({ cardNo }));
    ctx.body = await bus.cancelBooking(parseValue(ctx.params, idParam).id, owner);
  });
  router.post('/no-shows', async (ctx) => {
    parseBody(ctx, z.strictObject({}));
    ctx.body = { marked: await bus.markNoShows() };
  });
  return router;
}
