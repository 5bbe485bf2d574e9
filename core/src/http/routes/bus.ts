import Router from 'koa-router';
import { z } from 'zod';
import type { BusRides } from '../../bus/bus-rides.ts';
import type { BusService } from '../../bus/bus-service.ts';
import {
  busBookingSchema,
  busRideAnsweredSchema,
  busRideCheckSchema,
  busRidesOfCardQuerySchema,
  busRouteEditSchema,
  busRunEditSchema,
  newBusRouteSchema,
  newBusRunSchema,
} from '../../contract/bus.ts';
import { cardNo, rowId } from '../../contract/fields.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: rowId });
const ms = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * The school bus (docs/visitors-meetings-bus.md): routes and runs, bookings, cancellations, counts, the
 * readers' ride checks and run tables, rides and no-shows for the transport office.
 */
export function busRoutes(bus: BusService, rides: BusRides): Router {
  const router = new Router({ prefix: '/v1/bus' });
  router.post('/routes', async (ctx) => {
    ctx.body = await bus.addRoute(parseBody(ctx, newBusRouteSchema));
  });
  router.get('/routes', async (ctx) => {
    ctx.body = { items: await bus.routes() };
  });
  router.put('/routes/:id', async (ctx) => {
    ctx.body = await bus.editRoute(parseValue(ctx.params, idParam).id, parseBody(ctx, busRouteEditSchema));
  });
  router.put('/runs/:id', async (ctx) => {
    ctx.body = await bus.editRun(parseValue(ctx.params, idParam).id, parseBody(ctx, busRunEditSchema));
  });
  router.get('/runs/:id/table', async (ctx) => {
    ctx.body = await rides.table(parseValue(ctx.params, idParam).id);
  });
  router.get('/runs/:id/rides', async (ctx) => {
    const id = parseValue(ctx.params, idParam).id;
    await bus.run(id);
    ctx.body = { items: await rides.ridesOf(id) };
  });
  router.post('/rides', async (ctx) => {
    ctx.body = await rides.check(parseBody(ctx, busRideCheckSchema));
  });
  router.post('/rides/answer', async (ctx) => {
    const q = parseBody(ctx, busRideAnsweredSchema);
    ctx.body = { answer: await rides.answered(q.deviceId, q.sequence) };
  });
  router.get('/rides', async (ctx) => {
    ctx.body = await rides.ridesOfCard(parseValue(ctx.query, busRidesOfCardQuerySchema));
  });
  router.get('/no-shows', async (ctx) => {
    const q = parseValue(ctx.query, z.object({ fromMs: ms, toMs: ms }));
    ctx.body = { items: await bus.noShows(q.fromMs, q.toMs) };
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
    ctx.body = await bus.markNoShows();
  });
  return router;
}
