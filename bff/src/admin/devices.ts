import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import { computeDashboard } from './dashboard.ts';
import type { AdminRoute } from './routes.ts';

// Devices (register, rotate a key, disable) and the live dashboard (computed in dashboard.ts). A
// device's key leaves the system only in the answer to register or rotate, once; the audit records
// that it was issued, never the key.

/** The protocol's u32 device id as decimal text, as the core wants it. */
const deviceId = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'a device id is 1 … 4294967295')
  .refine((id) => Number(id) <= 0xffff_ffff, 'above u32');
const devicePath = z.object({ deviceId });
const registerBody = z.strictObject({
  id: deviceId,
  kind: z.enum(['pos', 'gate', 'attendance', 'shower', 'laundry', 'kiosk']),
  merchantId: z
    .string()
    .regex(/^[0-9A-Z]{26}$/)
    .nullable()
    .default(null),
});
const statusBody = z.strictObject({ status: z.enum(['active', 'disabled']) });

export const deviceRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/devices',
    right: 'device.read',
    handle: (_ctx, _admin, s) => s.core.devices(),
  },
  {
    method: 'POST',
    path: '/devices',
    right: 'device.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, registerBody);
      const device = await s.core.registerDevice(body);
      await s.audit.record(admin, 'device.register', 'device', device.id, {
        kind: device.kind,
        merchantId: device.merchantId,
        keyVersion: device.keyVersion,
      });
      ctx.status = 201;
      return device;
    },
  },
  {
    method: 'POST',
    path: '/devices/:deviceId/key',
    right: 'device.manage',
    handle: async (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      const device = await s.core.rekeyDevice(id);
      await s.audit.record(admin, 'device.rekey', 'device', id, { keyVersion: device.keyVersion });
      return device;
    },
  },
  {
    method: 'POST',
    path: '/devices/:deviceId/status',
    right: 'device.manage',
    handle: async (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      const { status } = parseBody(ctx, statusBody);
      const before = await s.core.getDevice(id);
      const device = await s.core.setDeviceStatus(id, status);
      if (before.status !== status)
        await s.audit.record(admin, `device.${status === 'active' ? 'enable' : 'disable'}`, 'device', id);
      return device;
    },
  },
  {
    method: 'GET',
    path: '/dashboard',
    right: 'monitor.read',
    // The first paint, and the page's fallback while its live socket is down.
    handle: (_ctx, _admin, s) => computeDashboard(s.core),
  },
];
