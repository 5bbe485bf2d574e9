import Router from 'koa-router';
import {
  campusAssignmentSchema,
  campusIdPath,
  campusPlaceSchema,
  deviceAssignmentPath,
  merchantAssignmentPath,
  newCampusSchema,
} from '../contract/campuses.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { CampusService } from './campus-service.ts';

/** Campuses within one centre (docs/campuses.md), for the backoffice through the BFF. */
export function campusRoutes(campuses: CampusService): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/campuses', async (ctx) => {
    ctx.body = { items: await campuses.list() };
  });
  router.post('/campuses', async (ctx) => {
    ctx.status = 201;
    ctx.body = await campuses.create(parseBody(ctx, newCampusSchema));
  });
  // Every device with a campus: by its door's place tree, else its own row.
  router.get('/campuses/devices', async (ctx) => {
    ctx.body = { items: await campuses.deviceCampuses() };
  });
  router.get('/campuses/:id', async (ctx) => {
    ctx.body = await campuses.get(parseValue(ctx.params, campusIdPath).id);
  });
  router.put('/campuses/:id/place', async (ctx) => {
    const { id } = parseValue(ctx.params, campusIdPath);
    ctx.body = await campuses.linkPlace(id, parseBody(ctx, campusPlaceSchema).placeId);
  });
  router.get('/campuses/:id/scope', async (ctx) => {
    ctx.body = await campuses.scope(parseValue(ctx.params, campusIdPath).id);
  });
  router.put('/campus-assignments/merchants/:merchantId', async (ctx) => {
    const { merchantId } = parseValue(ctx.params, merchantAssignmentPath);
    const { campusId } = parseBody(ctx, campusAssignmentSchema);
    await campuses.assignMerchant(merchantId, campusId);
    ctx.body = { merchantId, campusId };
  });
  router.put('/campus-assignments/devices/:deviceId', async (ctx) => {
    const { deviceId } = parseValue(ctx.params, deviceAssignmentPath);
    const { campusId } = parseBody(ctx, campusAssignmentSchema);
    const effective = await campuses.assignDevice(deviceId, campusId);
    ctx.body = { deviceId, campusId: effective?.campusId ?? null, source: effective?.source ?? null };
  });
  return router;
}
