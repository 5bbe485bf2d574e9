// SQL for device configurations (table device_configs, one row per device: the version and the settings
// as JSON). Every write runs with the device's registry row locked, so two changes of one device are one
// after the other and each gets its own version.

import type { Database } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { DeviceKind } from './device-service.ts';

export interface StoredConfig {
  configVersion: number;
  /** The settings as stored (JSON text parsed, not yet validated). */
  settings: unknown;
}

/** What a change decides from the device and its current configuration: new settings, or none. */
export type Change<T> = (device: { kind: DeviceKind }, current: StoredConfig | undefined) => T | undefined;

export class DeviceConfigRepository {
  constructor(private readonly db: Database) {}

  async find(deviceId: string): Promise<StoredConfig | undefined> {
    const rows = await this.db.select<{ config_version: number; settings: string }>(
      'SELECT config_version, settings FROM device_configs WHERE device_id = ?',
      [deviceId],
    );
    const row = rows[0];
    return row
      ? { configVersion: Number(row.config_version), settings: JSON.parse(row.settings) }
      : undefined;
  }

  /**
   * Locks the device, reads its configuration and, when `change` answers settings, stores them under the
   * next version. Answers the configuration in force afterwards and whether this call wrote it.
   */
  async change<T>(deviceId: string, change: Change<T>): Promise<{ stored: StoredConfig; written: boolean }> {
    return this.db.transaction(async (tx) => {
      const devices = await this.db.select<{ kind: DeviceKind }>(
        `SELECT kind FROM devices WHERE id = ?${this.db.forUpdate}`,
        [deviceId],
        tx,
      );
      const device = devices[0];
      if (!device) throw new CoreError('NOT_FOUND', 'no such device');
      const rows = await this.db.select<{ config_version: number; settings: string }>(
        'SELECT config_version, settings FROM device_configs WHERE device_id = ?',
        [deviceId],
        tx,
      );
      const row = rows[0];
      const current =
        row === undefined
          ? undefined
          : { configVersion: Number(row.config_version), settings: JSON.parse(row.settings) as unknown };
      const next = change({ kind: device.kind }, current);
      if (next === undefined) {
        if (current === undefined) return { stored: { configVersion: 0, settings: {} }, written: false };
        return { stored: current, written: false };
      }
      const version = (current?.configVersion ?? 0) + 1;
      if (current === undefined) {
        await this.db.execute(
          'INSERT INTO device_configs (device_id, config_version, settings, updated_at_ms) VALUES (?, ?, ?, ?)',
          [deviceId, version, JSON.stringify(next), Date.now()],
          tx,
        );
      } else {
        await this.db.execute(
          'UPDATE device_configs SET config_version = ?, settings = ?, updated_at_ms = ? WHERE device_id = ? AND config_version = ?',
          [version, JSON.stringify(next), Date.now(), deviceId, current.configVersion],
          tx,
        );
      }
      return { stored: { configVersion: version, settings: next }, written: true };
    });
  }
}
