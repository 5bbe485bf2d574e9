import { campusId, deviceKinds, deviceNo, requestId, rowId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';
import { computeDashboard } from './services/dashboard.ts';

// Devices (register, rotate a key, disable, configure) and the live dashboard; the rules (audit, the
// configuration's maker–checker for prices) are in services/device-admin.ts.

export { handleDevicePriceApprovals } from './services/device-admin.ts';

const dashboardQuery = z.object({ campusId: campusId.optional() });

/** The protocol's u32 device id as decimal text, as the core wants it. */
const deviceId = deviceNo;
const devicePath = z.object({ deviceId });
const registerBody = z.strictObject({
  id: deviceId,
  kind: z.enum(deviceKinds),
  merchantId: rowId.nullable().default(null),
  /** Its campus where it serves no door (docs/campuses.md); null: centre-wide. A campus admin names their own. */
  campusId: campusId.nullable().default(null),
});
const statusBody = z.strictObject({ status: z.enum(['active', 'disabled']) });

/** Meal windows are HH:MM in Asia/Shanghai. */
const hhmm = z
  .string()
  .regex(
    /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/,
    'a time of day is HH:MM, 00:00 … 24:00 (Asia/Shanghai)',
  );
const fen = z.number().int('fen are whole numbers').min(0);

/**
 * A configuration as the backoffice edits it: the protocol's settings (docs/protocol.md § 7.8) with meal
 * windows as HH:MM; the ranges are checked by the core's own schema once converted. `reason` is what the
 * checker reads when the change includes prices; `requestId` makes a retry propose once.
 */
const configBody = z.strictObject({
  requestId,
  reason: z.string().trim().min(1).max(200).optional(),
  paymentMaxFen: fen,
  repeatIntervalSeconds: z.number().int(),
  offline: z.record(z.string(), z.unknown()),
  meter: z.record(z.string(), z.unknown()),
  priceItems: z
    .array(z.strictObject({ itemNo: z.number().int(), priceFen: fen.min(1), name: z.string().trim().min(1) }))
    .max(16),
  mealWindows: z
    .array(z.strictObject({ meal: z.string(), start: hhmm, end: hhmm, perCardMaxFen: fen }))
    .max(8),
  /** Who may use the device (enforced online by the gateway); absent or empty: everyone. */
  personTypes: z.array(z.string()).max(8).optional(),
});

export const deviceRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/devices',
    right: 'device.read',
    handle: (_ctx, _admin, s) => s.devices.list(),
  },
  {
    method: 'POST',
    path: '/devices',
    right: 'device.manage',
    handle: async (ctx, admin, s) => {
      const input = parseBody(ctx, registerBody);
      await s.campuses.known(input.campusId);
      const device = await s.devices.register(admin, input);
      ctx.status = 201;
      return device;
    },
  },
  {
    method: 'POST',
    path: '/devices/:deviceId/key',
    right: 'device.manage',
    handle: (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      return s.devices.rekey(admin, id);
    },
  },
  {
    method: 'POST',
    path: '/devices/:deviceId/status',
    right: 'device.manage',
    handle: (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      return s.devices.setStatus(admin, id, parseBody(ctx, statusBody).status);
    },
  },
  {
    method: 'GET',
    path: '/devices/:deviceId/config',
    right: 'device.read',
    handle: (ctx, _admin, s) => s.devices.config(parseValue(ctx.params, devicePath).deviceId),
  },
  {
    method: 'PUT',
    path: '/devices/:deviceId/config',
    right: 'device.manage',
    handle: (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      return s.devices.configure(admin, id, parseBody(ctx, configBody));
    },
  },
  {
    method: 'GET',
    path: '/dashboard',
    right: 'monitor.read',
    // The first paint, the page's fallback while its live socket is down, and a picked campus's figures
    // (a campus admin's are narrowed to their campus by ./campus-scope.ts).
    handle: (ctx, _admin, s) =>
      computeDashboard(s.core, parseValue({ ...ctx.query }, dashboardQuery).campusId ?? null),
  },
];
