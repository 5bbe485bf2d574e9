// CONFIG_PUSH for a device (docs/protocol.md § 7.8): the core's per-device settings, the merchant from the
// registry, and the campus keys this gateway trusts (the ones an offline device verifies codes with).

import type { RegisteredDevice } from './devices.ts';
import type { ConfigPush } from './protocol/index.ts';

export function configPushFor(
  device: RegisteredDevice,
  campusKeys: readonly { readonly kid: number; readonly publicKey: Uint8Array }[],
): ConfigPush {
  const s = device.config.settings;
  return {
    kind: 'config_push',
    configVersion: device.config.configVersion,
    merchantId: device.merchantId ?? '',
    utcOffsetMinutes: s.utcOffsetMinutes,
    paymentMaxFen: s.paymentMaxFen,
    repeatIntervalSeconds: s.repeatIntervalSeconds,
    offline: s.offline,
    meter: s.meter,
    priceItems: s.priceItems,
    mealWindows: s.mealWindows,
    campusKeys: campusKeys.slice(0, 4).map((k) => ({ kid: k.kid, publicKey: k.publicKey, retiredAtMs: 0 })),
  };
}
