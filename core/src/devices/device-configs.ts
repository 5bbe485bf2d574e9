// Per-device configuration (docs/protocol.md § 7.8): prices, limits, meal windows, offline policy and meter
// pricing. The gateway sends it as CONFIG_PUSH at sign-in when the device's version differs, and at once
// when an administrator changes it (announced in process and on Redis, like the blacklist). The merchant
// comes from the device registry and the campus keys from the gateway's own configuration. A device gets
// its kind's default configuration (device-config-defaults.ts) when it is registered, so it is never left
// at version 0. The backoffice changes prices (price items, meter pricing) only through a second admin's
// approval (bff/src/admin/devices.ts); `putPrices` is what an approved change calls. The settings' schema
// is the contract's (contract/device-config.ts).

import {
  type DeviceConfig,
  type DevicePrices,
  type DeviceSettings,
  devicePrices,
  deviceSettings,
  storedDeviceSettings,
} from '../contract/device-config.ts';
import type { Database } from '../db/database.ts';
import { type DefaultOptions, defaultDeviceSettings } from './device-config-defaults.ts';
import { DeviceConfigRepository, type StoredConfig } from './device-config-repository.ts';

/** Whether a card of this person type may be used at a device with these settings (absent, empty: all). */
export function personTypeAllowed(settings: DeviceSettings, personType: string): boolean {
  const allowed = settings.personTypes;
  return allowed === undefined || allowed.length === 0 || (allowed as readonly string[]).includes(personType);
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
