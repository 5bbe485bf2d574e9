import Router from 'koa-router';
import { z } from 'zod';
import { type DeviceService, deviceKinds } from '../../devices/device-service.ts';
import { entityId } from '../../ledger/operations.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** Device ids are the protocol's u32, 1 … 4,294,967,295, as decimal text. */
const deviceId = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/)
  .refine((id) => Number(id) <= 0xffff_ffff, 'above u32');
const devicePath = z.object({ deviceId });
const registerDevice = z.strictObject({
  id: deviceId,
  kind: z.enum(deviceKinds),
  merchantId: entityId.nullable().optional(),
});

export function deviceRoutes(devices: DeviceService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/devices', async (ctx) => {
    ctx.status = 201;
    ctx.body = await devices.register(parseBody(ctx, registerDevice));
  });
  router.get('/devices/:deviceId', async (ctx) => {
    ctx.body = await devices.get(parseValue(ctx.params, devicePath).deviceId);
  });
  router.get('/devices/:deviceId/key', async (ctx) => {
    ctx.body = await devices.withKey(parseValue(ctx.params, devicePath).deviceId);
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
