import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Devices (register, rotate a key, disable) and the live dashboard. A device's key leaves the
// system only in the answer to register or rotate, once; the audit records that it was issued,
// never the key.

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

/** A device that answered within this long counts as live on the dashboard. */
const liveWindowMs = 5 * 60_000;
const shanghaiOffsetMs = 8 * 3_600_000;
/** The per-minute chart's window. */
const dashboardMinutes = 60;

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
    handle: async (_ctx, _admin, s) => {
      // Today in Asia/Shanghai, from the same report queries finance reads, so the figures agree.
      const nowMs = Date.now();
      const local = new Date(nowMs + shanghaiOffsetMs);
      const today = local.toISOString().slice(0, 10);
      const weekday = (local.getUTCDay() + 6) % 7;
      const range = { from: today, to: today };
      const [turnover, channels, hours, devices, minutes] = await Promise.all([
        s.core.report<{ paymentCount: number; netAmount: number }>('turnover/daily', range),
        s.core.report<{ channel: string; count: number; amount: number }>('top-up-channels', range),
        s.core.report<{ weekday: number; hour: number; count: number; amount: number }>('peak-hours', range),
        s.core.report<{ acceptedCount: number; refusedCount: number; lastAtMs: number }>(
          'device-usage',
          range,
        ),
        s.core.reportPerMinute(dashboardMinutes),
      ]);
      const day = turnover.items[0];
      const operations = devices.items.reduce((n, d) => n + d.acceptedCount + d.refusedCount, 0);
      const refused = devices.items.reduce((n, d) => n + d.refusedCount, 0);
      return {
        atMs: nowMs,
        day: today,
        paymentCount: day?.paymentCount ?? 0,
        turnoverAmount: day?.netAmount ?? 0,
        topUpCount: channels.items.reduce((n, c) => n + c.count, 0),
        topUpAmount: channels.items.reduce((n, c) => n + c.amount, 0),
        devicesLive: devices.items.filter((d) => nowMs - d.lastAtMs <= liveWindowMs).length,
        devicesUsedToday: devices.items.length,
        refusedRateBp: operations ? Math.round((refused * 10_000) / operations) : 0,
        perMinute: minutes.items,
        paymentsByHour: hours.items
          .filter((c) => c.weekday === weekday)
          .map((c) => ({ hour: c.hour, count: c.count, amount: c.amount })),
      };
    },
  },
];
