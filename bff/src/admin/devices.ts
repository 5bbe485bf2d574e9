import {
  type Approval,
  type CoreClient,
  type DeviceConfig,
  type DevicePrices,
  type DeviceSettings,
  deviceSettings,
} from '@campus-card/core/client';
import { deviceKinds, deviceNo, requestId, rowId } from '@campus-card/core/contract';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';
import type { Approvals } from './services/approvals.ts';
import { computeDashboard } from './services/dashboard.ts';

// Devices (register, rotate a key, disable, configure) and the live dashboard (computed in
// dashboard.ts). A device's key leaves the system only in the answer to register or rotate, once; the
// audit records that it was issued, never the key. A configuration change applies at once, except its
// prices (price items and meter pricing): those wait for a second admin's approval (approvals.ts, kind
// device_config) and reach the device when approved. Who may use the device (`personTypes`) is kept by the
// server alone and enforced online by the gateway (docs/admin.md).

/** The protocol's u32 device id as decimal text, as the core wants it. */
const deviceId = deviceNo;
const devicePath = z.object({ deviceId });
const registerBody = z.strictObject({
  id: deviceId,
  kind: z.enum(deviceKinds),
  merchantId: rowId.nullable().default(null),
});
const statusBody = z.strictObject({ status: z.enum(['active', 'disabled']) });

/** Meal windows are read and written as HH:MM in Asia/Shanghai (no daylight saving: UTC+8 all year). */
const shanghaiUtcOffsetMinutes = 480;
const hhmm = z
  .string()
  .regex(
    /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/,
    'a time of day is HH:MM, 00:00 … 24:00 (Asia/Shanghai)',
  );
const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
const timeOf = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
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

function settingsOf(body: z.output<typeof configBody>): DeviceSettings {
  const settings = parseValue(
    {
      utcOffsetMinutes: shanghaiUtcOffsetMinutes,
      paymentMaxFen: body.paymentMaxFen,
      repeatIntervalSeconds: body.repeatIntervalSeconds,
      offline: body.offline,
      meter: body.meter,
      priceItems: body.priceItems,
      mealWindows: body.mealWindows.map((w) => ({
        meal: w.meal,
        startMinute: minuteOf(w.start),
        endMinute: minuteOf(w.end),
        perCardMaxFen: w.perCardMaxFen,
      })),
      // Stored only when it restricts: an empty list and none both mean everyone.
      ...(body.personTypes === undefined || body.personTypes.length === 0
        ? {}
        : { personTypes: body.personTypes }),
    },
    deviceSettings,
  );
  // A preset key the till itself would refuse to charge is a mistake, not a price.
  const above = settings.priceItems.find((i) => i.priceFen > settings.paymentMaxFen);
  if (above)
    throw new BffError(
      'VALIDATION_FAILED',
      `price item ${above.itemNo} is above the device's payment maximum`,
    );
  return settings;
}

/** The configuration as the backoffice shows it: meal windows in HH:MM, Asia/Shanghai. */
function configView(config: DeviceConfig) {
  const { mealWindows, ...rest } = config.settings;
  return {
    configVersion: config.configVersion,
    settings: {
      ...rest,
      mealWindows: mealWindows.map((w) => ({
        meal: w.meal,
        start: timeOf(w.startMinute),
        end: timeOf(w.endMinute),
        perCardMaxFen: w.perCardMaxFen,
      })),
    },
  };
}

const pricesOf = (s: DeviceSettings): DevicePrices => ({ priceItems: s.priceItems, meter: s.meter });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The configuration fields one change touched, for the audit (names, not values). */
function changedFields(before: DeviceSettings, after: DeviceSettings): string[] {
  return (Object.keys(after) as (keyof DeviceSettings)[]).filter((k) => !same(before[k], after[k]));
}

async function pendingPrices(core: CoreClient, deviceId: string) {
  const page = await core.approvals({ status: 'pending', limit: 100 });
  return page.items
    .filter((a) => a.kind === 'device_config' && a.targetId === deviceId)
    .map((a) => ({
      approvalId: a.id,
      makerId: a.makerId,
      reason: a.reason,
      createdAtMs: a.createdAtMs,
      prices: (a.payload as { prices: DevicePrices }).prices,
    }));
}

/** How an approved price change is carried out: its prices over the device's configuration now. */
export function handleDevicePriceApprovals(approvals: Approvals, core: CoreClient): void {
  approvals.handle('device_config', async (approval: Approval) => {
    const { deviceId: id, prices } = approval.payload as { deviceId: string; prices: DevicePrices };
    return configView(await core.putDevicePrices(id, prices));
  });
}

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
    path: '/devices/:deviceId/config',
    right: 'device.read',
    handle: async (ctx, _admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      const [device, config, pending] = await Promise.all([
        s.core.getDevice(id),
        s.core.deviceConfig(id),
        pendingPrices(s.core, id),
      ]);
      return { deviceId: id, kind: device.kind, ...configView(config), pendingPrices: pending };
    },
  },
  {
    method: 'PUT',
    path: '/devices/:deviceId/config',
    right: 'device.manage',
    // Applies at once what is not a price; a change of prices waits for a second admin (maker–checker).
    handle: async (ctx, admin, s) => {
      const { deviceId: id } = parseValue(ctx.params, devicePath);
      const body = parseBody(ctx, configBody);
      const wanted = settingsOf(body);
      await s.core.getDevice(id);
      const current = await s.core.deviceConfig(id);
      const priced = !same(pricesOf(current.settings), pricesOf(wanted));
      if (priced && body.reason === undefined)
        throw new BffError(
          'VALIDATION_FAILED',
          'a price change needs a reason for the admin who approves it',
        );
      // One price change waits per device: approving an older one after a newer would put old prices back.
      const waiting = priced ? await pendingPrices(s.core, id) : [];
      if (waiting.some((w) => w.makerId !== admin.adminId || !same(w.prices, pricesOf(wanted))))
        throw new BffError(
          'CONFLICT',
          'a price change of this device is waiting for approval; decide it first',
        );
      const direct: DeviceSettings = { ...wanted, ...pricesOf(current.settings) };
      let config = current;
      if (!same(direct, current.settings)) {
        config = await s.core.putDeviceConfig(id, direct);
        await s.audit.record(admin, 'device.configure', 'device', id, {
          configVersion: config.configVersion,
          changed: changedFields(current.settings, direct),
        });
      }
      if (!priced) return { status: 'applied' as const, ...configView(config) };
      const approval = await s.approvals.propose(
        admin,
        {
          kind: 'device_config',
          payload: { deviceId: id, prices: pricesOf(wanted) },
          amount: 0,
          reason: body.reason ?? '',
          targetId: id,
          requestId: body.requestId,
        },
        { before: pricesOf(current.settings), after: pricesOf(wanted) },
      );
      return { status: 'pending_approval' as const, approval, ...configView(config) };
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
