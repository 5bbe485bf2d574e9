// Where a session finds a device and its key at sign-in: the core's device registry.

import { type CoreClient, CoreError } from '@campus-card/core/client';
import type { DeviceConfig } from '@campus-card/core/contract';
import { type DeviceKind, deviceKinds } from './protocol/index.ts';

export interface RegisteredDevice {
  readonly deviceId: number;
  readonly kind: DeviceKind;
  readonly merchantId: string | null;
  readonly disabled: boolean;
  /** Bumped by every re-key; the device's counters restart with each key. */
  readonly keyVersion: number;
  readonly key: Uint8Array;
  /** What CONFIG_PUSH carries for this device (version 0: never configured, nothing to push). */
  readonly config: DeviceConfig;
}

/** How the core's records name a device under its current key (see RequestContext.deviceRef). */
export function deviceRefOf(device: { readonly deviceId: number; readonly keyVersion: number }): string {
  return device.keyVersion === 1 ? String(device.deviceId) : `${device.deviceId}-${device.keyVersion}`;
}

export interface DeviceDirectory {
  /** undefined for a device id nobody registered. */
  find(deviceId: number): Promise<RegisteredDevice | undefined>;
}

export function coreDeviceDirectory(core: CoreClient): DeviceDirectory {
  return {
    async find(deviceId) {
      try {
        const device = await core.deviceKey(String(deviceId));
        if (!Object.hasOwn(deviceKinds, device.kind)) return undefined;
        return {
          deviceId,
          kind: device.kind as DeviceKind,
          merchantId: device.merchantId,
          disabled: device.status !== 'active',
          keyVersion: device.keyVersion,
          key: new Uint8Array(Buffer.from(device.keyHex, 'hex')),
          config: device.config,
        };
      } catch (error) {
        if (error instanceof CoreError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}
