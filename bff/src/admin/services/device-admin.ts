import {
  type Approval,
  type CoreClient,
  type DeviceConfig,
  type DevicePrices,
  type DeviceSettings,
  deviceSettings,
} from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import { parseValue } from '../../http/middleware.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { Approvals } from './approvals.ts';
import type { AuditTrail } from './audit-trail.ts';

// Devices (register, rotate a key, disable, configure) and the live dashboard (computed in
// dashboard.ts). A device's key leaves the system only in the answer to register or rotate, once; the
// audit records that it was issued, never the key. A configuration change applies at once, except its
// prices (price items and meter pricing): those wait for a second admin's approval (approvals.ts, kind
// device_config) and reach the device when approved. Who may use the device (`personTypes`) is kept by the
// server alone and enforced online by the gateway (docs/admin.md).

/** Meal windows are read and written as HH:MM in Asia/Shanghai (no daylight saving: UTC+8 all year). */
const shanghaiUtcOffsetMinutes = 480;
const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
const timeOf = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** A configuration as the backoffice sends it (the route's schema): meal windows as HH:MM. */
export interface ConfigInput {
  requestId: string;
  reason?: string | undefined;
  paymentMaxFen: number;
  repeatIntervalSeconds: number;
  offline: Record<string, unknown>;
  meter: Record<string, unknown>;
  priceItems: { itemNo: number; priceFen: number; name: string }[];
  mealWindows: { meal: string; start: string; end: string; perCardMaxFen: number }[];
  personTypes?: string[] | undefined;
}

function settingsOf(body: ConfigInput): DeviceSettings {
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

/** Devices as the device admin manages them: register, re-key, enable/disable, configure. */
export class DeviceAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
    private readonly approvals: Approvals,
  ) {}

  /** Each device with its campus: its door's where it serves one, else its own (docs/campuses.md). */
  /**
   * The devices with their live status, campus and merchant's name (#19: the page showed the merchant's
   * id), and the merchants a new device may be registered to, by name.
   */
  async list() {
    const [devices, campuses, merchants] = await Promise.all([
      this.core.devices(),
      this.core.deviceCampuses(),
      this.core.merchants(),
    ]);
    const byDevice = new Map(campuses.items.map((c) => [c.deviceId, c]));
    const names = new Map(merchants.map((m) => [m.id, m.name]));
    return {
      ...devices,
      items: devices.items.map((d) => ({
        ...d,
        merchantName: d.merchantId === null ? null : (names.get(d.merchantId) ?? null),
        campusId: byDevice.get(d.id)?.campusId ?? null,
        campusSource: byDevice.get(d.id)?.source ?? null,
      })),
      // Each with its campus, so a campus admin's answer keeps only its own (campus-scope.ts).
      merchants: merchants
        .filter((m) => m.status === 'active')
        .map((m) => ({ id: m.id, name: m.name, campusId: m.campusId })),
    };
  }

  async register(admin: AdminSession, input: Parameters<CoreClient['registerDevice']>[0]) {
    const device = await this.core.registerDevice(input);
    await this.audit.record(admin, 'device.register', 'device', device.id, {
      kind: device.kind,
      merchantId: device.merchantId,
      campusId: device.campusId ?? null,
      keyVersion: device.keyVersion,
    });
    return device;
  }

  async rekey(admin: AdminSession, id: string) {
    const device = await this.core.rekeyDevice(id);
    await this.audit.record(admin, 'device.rekey', 'device', id, { keyVersion: device.keyVersion });
    return device;
  }

  /** Enables or disables a device; audited only when it changed. */
  async setStatus(admin: AdminSession, id: string, status: 'active' | 'disabled') {
    const before = await this.core.getDevice(id);
    const device = await this.core.setDeviceStatus(id, status);
    if (before.status !== status)
      await this.audit.record(admin, `device.${status === 'active' ? 'enable' : 'disable'}`, 'device', id);
    return device;
  }

  /** The configuration as the drawer shows it, with the price changes waiting for approval. */
  async config(id: string) {
    const [device, config, pending] = await Promise.all([
      this.core.getDevice(id),
      this.core.deviceConfig(id),
      pendingPrices(this.core, id),
    ]);
    return { deviceId: id, kind: device.kind, ...configView(config), pendingPrices: pending };
  }

  /** Applies at once what is not a price; a change of prices waits for a second admin (maker–checker). */
  async configure(admin: AdminSession, id: string, body: ConfigInput) {
    const wanted = settingsOf(body);
    await this.core.getDevice(id);
    const current = await this.core.deviceConfig(id);
    const priced = !same(pricesOf(current.settings), pricesOf(wanted));
    if (priced && body.reason === undefined)
      throw new BffError('VALIDATION_FAILED', 'a price change needs a reason for the admin who approves it');
    // One price change waits per device: approving an older one after a newer would put old prices back.
    const waiting = priced ? await pendingPrices(this.core, id) : [];
    if (waiting.some((w) => w.makerId !== admin.adminId || !same(w.prices, pricesOf(wanted))))
      throw new BffError(
        'CONFLICT',
        'a price change of this device is waiting for approval; decide it first',
      );
    const direct: DeviceSettings = { ...wanted, ...pricesOf(current.settings) };
    let config = current;
    if (!same(direct, current.settings)) {
      config = await this.core.putDeviceConfig(id, direct);
      await this.audit.record(admin, 'device.configure', 'device', id, {
        configVersion: config.configVersion,
        changed: changedFields(current.settings, direct),
      });
    }
    if (!priced) return { status: 'applied' as const, ...configView(config) };
    const approval = await this.approvals.propose(
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
  }
}
