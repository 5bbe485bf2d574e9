/**
 * A device's configuration (docs/protocol.md § 7.8): prices, limits, meal windows, offline policy and
 * meter pricing, as the core serves it to the gateway (GET /v1/devices/:id/key and /config) and takes it
 * from the backoffice (PUT /v1/devices/:id/config, /config/prices).
 */
import { z } from 'zod';
import { personTypes } from '../credential/card.ts';

const u16 = z.number().int().min(0).max(0xffff);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const minuteOfDay = z.number().int().min(0).max(1440);
const utf8 = new TextEncoder();

/** Offline use off: what a device runs with until someone sets its offline limits. */
export const offlineOff = {
  enabled: false,
  codeValiditySeconds: 60,
  clockSkewSeconds: 30,
  paymentMaxFen: 0,
  perCardDailyMaxFen: 0,
  deviceTotalMaxFen: 0,
  recordsMax: 0,
  durationMaxSeconds: 0,
} as const;

/** No metering: what a device that is not a meter carries. */
export const noMeter = {
  unit: 'none',
  priceFen: 0,
  priceUnits: 1,
  holdFen: 0,
  minBalanceFen: 0,
  reportIntervalSeconds: 60,
  silenceMaxSeconds: 300,
} as const;

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
    .default(offlineOff),
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
    .default(noMeter),
  priceItems: z
    .array(
      z.strictObject({
        itemNo: z.number().int().min(1).max(255),
        priceFen: u32,
        name: z.string().refine((s) => utf8.encode(s).length <= 24, 'at most 24 bytes of UTF-8'),
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
 * PUT /v1/devices/:id/config: what a new configuration must be: the protocol's ranges, and no two price
 * items on one key or meal windows that overlap (a till could not tell which price or which per-card cap
 * applies).
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
export type DeviceSettings = z.output<typeof storedDeviceSettings>;

/** PUT /v1/devices/:id/config/prices: the part of a configuration that is a price (a second admin approves it). */
export const devicePrices = z.strictObject({
  priceItems: storedDeviceSettings.shape.priceItems.unwrap(),
  meter: storedDeviceSettings.shape.meter.unwrap(),
});
export type DevicePrices = z.output<typeof devicePrices>;

/** A device's configuration under its version (GET /v1/devices/:id/config, and with the key). */
export const deviceConfig = z.object({
  /** 0 when the device has never been configured (it then runs on its factory defaults). */
  configVersion: u32,
  settings: storedDeviceSettings,
});
export type DeviceConfig = z.output<typeof deviceConfig>;
