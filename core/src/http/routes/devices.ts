import Router from 'koa-router';
import { z } from 'zod';
import { devicePrices, deviceSettings } from '../../contract/device-config.ts';
import { newDeviceSchema, presenceReportSchema } from '../../contract/devices.ts';
import { deviceNo } from '../../contract/fields.ts';
import type { DeviceConfigs } from '../../devices/device-configs.ts';
import type { DeviceService } from '../../devices/device-service.ts';
import type { PresenceService } from '../../devices/presence-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const deviceId = deviceNo;
const devicePath = z.object({ deviceId });

export function deviceRoutes(
  devices: DeviceService,
  configs: DeviceConfigs,
  presence: PresenceService,
): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/devices', async (ctx) => {
    const device = await devices.register(parseBody(ctx, newDeviceSchema));
    // Never left unconfigured: the kind's default, version 1, pushed at its first sign-in.
    await configs.ensure(device.id);
    ctx.status = 201;
    ctx.body = device;
  });
  router.get('/devices', async (ctx) => {
    const { limit } = parseValue(
      ctx.query,
      z.object({ limit: z.coerce.number().int().min(1).max(1000).default(500) }),
    );
    // Each device with its live status from the gateways and the versions it should apply.
    ctx.body = await presence.merge(await devices.list(limit));
  });
  // The gateways' batched presence reports (sign-ins, heartbeats, closes), at most 1,000 devices each.
  router.post('/device-presence', async (ctx) => {
    ctx.body = await presence.report(parseBody(ctx, presenceReportSchema));
  });
  router.get('/device-presence/summary', async (ctx) => {
    ctx.body = await presence.summary();
  });
  router.get('/devices/:deviceId', async (ctx) => {
    ctx.body = await devices.get(parseValue(ctx.params, devicePath).deviceId);
  });
  // The gateway's one call at sign-in: the device, its key and its configuration.
  router.get('/devices/:deviceId/key', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, devicePath);
    ctx.body = { ...(await devices.withKey(id)), config: await configs.ensure(id) };
  });
  router.get('/devices/:deviceId/config', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, devicePath);
    await devices.get(id);
    ctx.body = await configs.get(id);
  });
  router.put('/devices/:deviceId/config', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, devicePath);
    ctx.body = await configs.put(id, parseBody(ctx, deviceSettings));
  });
  // An approved price change: price items and meter pricing over the rest of the configuration.
  router.put('/devices/:deviceId/config/prices', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, devicePath);
    ctx.body = await configs.putPrices(id, parseBody(ctx, devicePrices));
  });
  router.post('/devices/:deviceId/key', async (ctx) => {
    ctx.body = await devices.rekey(parseValue(ctx.params, devicePath).deviceId);
  });
  router.put('/devices/:deviceId/status', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, devicePath);
    const { status } = parseBody(ctx, z.strictObject({ status: z.enum(['active', 'disabled']) }));
    ctx.body = await devices.setStatus(id, status);
  });
  return router;
}
