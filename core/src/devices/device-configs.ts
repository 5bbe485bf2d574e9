// Per-device configuration (docs/protocol.md § 7.8): prices, limits, meal windows, offline policy and meter
// pricing. The gateway sends it as CONFIG_PUSH at sign-in when the device's version differs, and at once
// when an administrator changes it (announced in process and on Redis, like the blacklist). The merchant
// comes from the device registry and the campus keys from the gateway's own configuration. A device gets
// its kind's default configuration (device-config-defaults.ts) when it is registered, so it is never left
// at version 0. The backoffice changes prices (price items, meter pricing) only through a second admin's
// approval (bff/src/admin/devices.ts); `putPrices` is what an approved change calls.

import { z } from 'zod';
import { personTypes } from '../credential/card.ts';
import type { Database } from '../db/database.ts';
import { type DefaultOptions, defaultDeviceSettings } from './device-config-defaults.ts';
import { DeviceConfigRepository, type StoredConfig } from './device-config-repository.ts';

/** The Redis channel a changed device id is published on; every gateway instance subscribes. */
export const deviceConfigChannel = 'campus-card:device-config';

const u16 = z.number().int().min(0).max(0xffff);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const minuteOfDay = z.number().int().min(0).max(1440);

/** The settings as the protocol carries them; stored configurations are read with this. */
export const storedDeviceSettings = z.strictObject({
  utcOffsetMinutes: z.number().int().min(-840).max(840).default(480),
  paymentMaxFen: u32.default(0),
  repeatIntervalSeconds: u16.default(3),
  offline: z
    .strictObject({
      enabled: z.boolean(),
      codeValiditySeconds: u16,
      clockSkewSeconds: u16,
      paymentMaxFen: u32,
      perCardDailyMaxFen: u32,
      deviceTotalMaxFen: u32,
      recordsMax: u16,
      durationMaxSeconds: u32,
    })
    .default({
      enabled: false,
      codeValiditySeconds: 60,
      clockSkewSeconds: 30,
      paymentMaxFen: 0,
      perCardDailyMaxFen: 0,
      deviceTotalMaxFen: 0,
      recordsMax: 0,
      durationMaxSeconds: 0,
    }),
  meter: z
    .strictObject({
      unit: z.enum(['none', 'second', 'centilitre', 'cycle']),
      priceFen: u32,
      priceUnits: u32.min(1),
      holdFen: u32,
      minBalanceFen: u32,
      reportIntervalSeconds: u16.min(1),
      silenceMaxSeconds: u16.min(1),
    })
    .default({
      unit: 'none',
      priceFen: 0,
      priceUnits: 1,
      holdFen: 0,
      minBalanceFen: 0,
      reportIntervalSeconds: 60,
      silenceMaxSeconds: 300,
    }),
  priceItems: z
    .array(
      z.strictObject({
        itemNo: z.number().int().min(1).max(255),
        priceFen: u32,
        name: z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= 24, 'at most 24 bytes of UTF-8'),
      }),
    )
    .max(16)
    .default([]),
  mealWindows: z
    .array(
      z
        .strictObject({
          meal: z.enum(['breakfast', 'lunch', 'dinner', 'late_night']),
          startMinute: minuteOfDay,
          endMinute: minuteOfDay,
          perCardMaxFen: u32,
        })
        .refine((w) => w.startMinute < w.endMinute, 'a window starts before it ends'),
    )
    .max(8)
    .default([]),
  /**
   * Who may use the device: the person types allowed, absent (or empty) for everyone. Kept by the server
   * and enforced online by the gateway wherever a card is used here; CONFIG_PUSH has no field for it, so a
   * device offline cannot enforce it, and an offline payment by another type is an exception at upload.
   */
  personTypes: z.array(z.enum(personTypes)).max(personTypes.length).optional(),
});

/** A day's minutes a window covers overlap another's: a payment would fall under two per-card caps. */
function overlapping(windows: readonly { startMinute: number; endMinute: number }[]): boolean {
  const sorted = [...windows].sort((a, b) => a.startMinute - b.startMinute);
  return sorted.some((w, i) => i > 0 && w.startMinute < (sorted[i - 1] as { endMinute: number }).endMinute);
}

/**
 * What a new configuration must be: the protocol's ranges, and no two price items on one key or meal
 * windows that overlap (a till could not tell which price or which per-card cap applies).
 */
export const deviceSettings = storedDeviceSettings.superRefine((s, ctx) => {
  const keys = s.priceItems.map((i) => i.itemNo);
  if (new Set(keys).size !== keys.length)
    ctx.addIssue({ code: 'custom', path: ['priceItems'], message: 'two price items on one key' });
  if (overlapping(s.mealWindows))
    ctx.addIssue({ code: 'custom', path: ['mealWindows'], message: 'meal windows overlap' });
  if (s.personTypes !== undefined && new Set(s.personTypes).size !== s.personTypes.length)
    ctx.addIssue({ code: 'custom', path: ['personTypes'], message: 'a person type listed twice' });
});

/** Whether a card of this person type may be used at a device with these settings (absent, empty: all). */
export function personTypeAllowed(settings: DeviceSettings, personType: string): boolean {
  const allowed = settings.personTypes;
  return allowed === undefined || allowed.length === 0 || (allowed as readonly string[]).includes(personType);
}
export type DeviceSettings = z.output<typeof storedDeviceSettings>;

/** The part of a configuration that is a price: changed only with a second admin's approval. */
export const devicePrices = z.strictObject({
  priceItems: storedDeviceSettings.shape.priceItems.unwrap(),
  meter: storedDeviceSettings.shape.meter.unwrap(),
});
export type DevicePrices = z.output<typeof devicePrices>;

export interface DeviceConfig {
  /** 0 when the device has never been configured (it then runs on its factory defaults). */
  configVersion: number;
  settings: DeviceSettings;
}

type Listener = (deviceId: string) => void;

function configOf(stored: StoredConfig): DeviceConfig {
  return { configVersion: stored.configVersion, settings: storedDeviceSettings.parse(stored.settings) };
}

export class DeviceConfigs {
  private readonly listeners: Listener[] = [];
  private readonly repo: DeviceConfigRepository;

  constructor(
    db: Database,
    private readonly defaults: DefaultOptions = { paymentMaxFen: 100_000, repeatIntervalSeconds: 3 },
  ) {
    this.repo = new DeviceConfigRepository(db);
  }

  onChanged(listener: Listener): void {
    this.listeners.push(listener);
  }

  private announce(deviceId: string): void {
    for (const listener of this.listeners) listener(deviceId);
  }

  /** The stored configuration; version 0 (and the protocol's defaults) for a device that has none. */
  async get(deviceId: string): Promise<DeviceConfig> {
    const stored = await this.repo.find(deviceId);
    return stored ? configOf(stored) : { configVersion: 0, settings: storedDeviceSettings.parse({}) };
  }

  /**
   * The device's configuration, giving it its kind's default (version 1) first if it has none: called
   * at registration, and at every sign-in for a device registered before defaults existed.
   */
  async ensure(deviceId: string): Promise<DeviceConfig> {
    const stored = await this.repo.find(deviceId);
    if (stored) return configOf(stored);
    const { stored: after, written } = await this.repo.change(deviceId, (device, current) =>
      current === undefined ? defaultDeviceSettings(device.kind, this.defaults) : undefined,
    );
    if (written) this.announce(deviceId);
    return configOf(after);
  }

  /** Replaces the device's configuration under the next version and tells every gateway. */
  async put(deviceId: string, settings: DeviceSettings): Promise<DeviceConfig> {
    const valid = deviceSettings.parse(settings);
    const { stored } = await this.repo.change(deviceId, () => valid);
    this.announce(deviceId);
    return configOf(stored);
  }

  /**
   * Sets the device's prices (price items and meter pricing) over whatever else its configuration holds
   * now; an approved change calls this, so a retry (prices already in force) writes no new version.
   */
  async putPrices(deviceId: string, prices: DevicePrices): Promise<DeviceConfig> {
    const valid = devicePrices.parse(prices);
    const { stored, written } = await this.repo.change(deviceId, (device, current) => {
      const base =
        current === undefined
          ? defaultDeviceSettings(device.kind, this.defaults)
          : storedDeviceSettings.parse(current.settings);
      const next = deviceSettings.parse({ ...base, ...valid });
      const same =
        current !== undefined &&
        JSON.stringify({ priceItems: base.priceItems, meter: base.meter }) === JSON.stringify(valid);
      return same ? undefined : next;
    });
    if (written) this.announce(deviceId);
    return configOf(stored);
  }
}
