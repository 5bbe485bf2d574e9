// The configuration a device gets the moment it is registered, so that no registered device is ever left
// unconfigured (protocol § 7.3: a device at configuration version 0 would otherwise never be pushed one).
// Derived from the kind alone; the card centre then sets the real prices, windows and limits from the
// backoffice (docs/admin.md, "Device configuration"). Offline use is off for every kind until someone
// sets its limits: an offline device spends money the server cannot check, so it is never a default.

import { type DeviceSettings, noMeter, offlineOff } from '../contract/device-config.ts';
import type { DeviceKind } from './device-service.ts';

export interface DefaultOptions {
  /** The largest single payment a till takes by default: the core's own PAYMENT_AMOUNT_MAX. */
  paymentMaxFen: number;
  /** The double-swipe guard, seconds: the core's PAY_INTERVAL_MS_MIN rounded up. */
  repeatIntervalSeconds: number;
}

/**
 * Meters are priced 1 fen a second of flow or run time (what the gateway charged a meter without a
 * configuration, METER_FEN_PER_UNIT's default) and hold at most ¥20 (shower) or ¥10 (laundry).
 */
const meterBy: Partial<Record<DeviceKind, DeviceSettings['meter']>> = {
  shower: { ...noMeter, unit: 'second', priceFen: 1, priceUnits: 1, holdFen: 2_000 },
  laundry: { ...noMeter, unit: 'second', priceFen: 1, priceUnits: 1, holdFen: 1_000 },
};

/**
 * pos: payments up to the core's maximum, at any time, no preset prices. shower, laundry: the metered
 * price above (a meter takes money through holds, so no single payments). gate, attendance, kiosk: no
 * payments. Every kind: local time Asia/Shanghai (UTC+480 min), offline off.
 */
export function defaultDeviceSettings(kind: DeviceKind, options: DefaultOptions): DeviceSettings {
  return {
    utcOffsetMinutes: 480,
    paymentMaxFen: kind === 'pos' ? options.paymentMaxFen : 0,
    repeatIntervalSeconds: options.repeatIntervalSeconds,
    offline: { ...offlineOff },
    meter: { ...(meterBy[kind] ?? noMeter) },
    priceItems: [],
    mealWindows: [],
  };
}
