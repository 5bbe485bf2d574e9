// Per-device configuration (docs/protocol.md § 7.8): prices, limits, meal windows, offline policy and meter
// pricing. The gateway sends it as CONFIG_PUSH at sign-in when the device's version differs, and at once
// when an administrator changes it (announced in process and on Redis, like the blacklist). The merchant
// comes from the device registry and the campus keys from the gateway's own configuration.

import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { CoreError } from '../errors.ts';

/** The Redis channel a changed device id is published on; every gateway instance subscribes. */
export const deviceConfigChannel = 'campus-card:device-config';

const u16 = z.number().int().min(0).max(0xffff);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const minuteOfDay = z.number().int().min(0).max(1440);

export const deviceSettings = z.strictObject({
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
});
export type DeviceSettings = z.output<typeof deviceSettings>;

export interface DeviceConfig {
  /** 0 when the device has never been configured (it then runs on its factory defaults). */
  configVersion: number;
  settings: DeviceSettings;
}

type Listener = (deviceId: string) => void;

export class DeviceConfigs {
  private readonly listeners: Listener[] = [];

  constructor(private readonly db: Database) {}

  onChanged(listener: Listener): void {
    this.listeners.push(listener);
  }

  async get(deviceId: string): Promise<DeviceConfig> {
    const rows = await this.db.select<{ config_version: number; settings: string }>(
      'SELECT config_version, settings FROM device_configs WHERE device_id = ?',
      [deviceId],
    );
    const row = rows[0];
    if (!row) return { configVersion: 0, settings: deviceSettings.parse({}) };
    return {
      configVersion: Number(row.config_version),
      settings: deviceSettings.parse(JSON.parse(row.settings)),
    };
  }

  /** Replaces the device's configuration under the next version and tells every gateway. */
  async put(deviceId: string, settings: DeviceSettings): Promise<DeviceConfig> {
    const version = await this.db.transaction(async (tx) => {
      const devices = await this.db.select<{ id: string }>(
        `SELECT id FROM devices WHERE id = ?${this.db.forUpdate}`,
        [deviceId],
        tx,
      );
      if (devices.length === 0) throw new CoreError('NOT_FOUND', 'no such device');
      const rows = await this.db.select<{ config_version: number }>(
        'SELECT config_version FROM device_configs WHERE device_id = ?',
        [deviceId],
        tx,
      );
      const next = Number(rows[0]?.config_version ?? 0) + 1;
      await this.db.execute('DELETE FROM device_configs WHERE device_id = ?', [deviceId], tx);
      await this.db.execute(
        'INSERT INTO device_configs (device_id, config_version, settings, updated_at_ms) VALUES (?, ?, ?, ?)',
        [deviceId, next, JSON.stringify(settings), Date.now()],
        tx,
      );
      return next;
    });
    for (const listener of this.listeners) listener(deviceId);
    return { configVersion: version, settings };
  }
}
