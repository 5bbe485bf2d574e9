// The device's configuration, pushed by the server after sign-in when the device's version is behind, and
// again whenever an administrator changes it. The device stores it and reports its version in heartbeats.

import { type Meal, type MeterUnit, meals, meterUnits } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import {
  campusKeysMax,
  campusPublicKeyBytes,
  idBytesMax,
  mealWindowsMax,
  minutesPerDay,
  priceItemNameBytesMax,
  priceItemsMax,
} from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCount,
  readEnum,
  readId,
  readText,
  writeCount,
  writeEnum,
  writeId,
  writeText,
} from './fields.ts';

/** A preset price on a fixed-price POS key. */
export interface PriceItem {
  /** 1–255, the key the cashier presses. */
  readonly itemNo: number;
  readonly priceFen: number;
  /** UTF-8, up to 24 bytes, for the device display. */
  readonly name: string;
}

/** When a canteen merchant takes payments; minutes since local midnight, start inclusive, end exclusive. */
export interface MealWindow {
  readonly meal: Meal;
  readonly startMinute: number;
  readonly endMinute: number;
  /** The most one card may spend at this merchant within the window; 0 for no cap. */
  readonly perCardMaxFen: number;
}

/** Prices units for shower and laundry meters; the server charges floor(units × priceFen / priceUnits). */
export interface MeterPricing {
  readonly unit: MeterUnit;
  readonly priceFen: number;
  /** ≥ 1: priceFen buys this many units. */
  readonly priceUnits: number;
  /** Amount held at start. */
  readonly holdFen: number;
  /** Available balance a card needs to start. */
  readonly minBalanceFen: number;
  /** How often the meter sends METER_USAGE while running. */
  readonly reportIntervalSeconds: number;
  /** A hold with no usage report for this long expires and settles at the last reported usage. */
  readonly silenceMaxSeconds: number;
}

export interface OfflinePolicy {
  /** 0: refuse every code while offline. */
  readonly enabled: boolean;
  /** How long a QR code is good for after the second it carries (docs/credential.md: 60). */
  readonly codeValiditySeconds: number;
  /** How far phone and device clocks may disagree in every time comparison (docs/credential.md: 30). */
  readonly clockSkewSeconds: number;
  /** The most one offline payment may be. */
  readonly paymentMaxFen: number;
  /** The most one card may spend offline at this device per local day. */
  readonly perCardDailyMaxFen: number;
  /** Once stored offline payments reach this total, the device refuses further offline payments. */
  readonly deviceTotalMaxFen: number;
  /** Records the device may store; above it, it refuses offline use. */
  readonly recordsMax: number;
  /** After this long without a server, the device refuses offline use. */
  readonly durationMaxSeconds: number;
}

/** A campus public key an offline device verifies QR certificates with (docs/credential.md, key rotation). */
export interface CampusKey {
  readonly kid: number;
  /** Ed25519, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** When the key stopped signing, ms; 0 while it is the active key. */
  readonly retiredAtMs: number;
}

/** S→D, unsolicited. */
export interface ConfigPush {
  readonly kind: 'config_push';
  /** Increases with every change; a device ignores a push whose version is not above its own. */
  readonly configVersion: number;
  /** The core merchant this device takes money for; empty for devices that take none (gates). */
  readonly merchantId: string;
  /** Local time = UTC + this; 480 in China. Meal windows and daily limits use local time. */
  readonly utcOffsetMinutes: number;
  /** The most one payment may be; 0 means no payments at this device. */
  readonly paymentMaxFen: number;
  /** The same card cannot pay again at this device within this many seconds (double-swipe guard). */
  readonly repeatIntervalSeconds: number;
  readonly offline: OfflinePolicy;
  readonly meter: MeterPricing;
  readonly priceItems: readonly PriceItem[];
  readonly mealWindows: readonly MealWindow[];
  /** At most 4; the device trusts exactly these for offline verification. */
  readonly campusKeys: readonly CampusKey[];
}

const utcOffsetMinutesMax = 14 * 60;

function readMeter(r: ByteReader): MeterPricing {
  return {
    unit: readEnum(r, meterUnits, 'meter.unit'),
    priceFen: r.u32('meter.priceFen'),
    priceUnits: checkRange(r.u32('meter.priceUnits'), 1, 0xffff_ffff, 'meter.priceUnits'),
    holdFen: r.u32('meter.holdFen'),
    minBalanceFen: r.u32('meter.minBalanceFen'),
    reportIntervalSeconds: checkRange(
      r.u16('meter.reportIntervalSeconds'),
      1,
      0xffff,
      'meter.reportIntervalSeconds',
    ),
    silenceMaxSeconds: checkRange(r.u16('meter.silenceMaxSeconds'), 1, 0xffff, 'meter.silenceMaxSeconds'),
  };
}

function writeMeter(w: ByteWriter, m: MeterPricing): void {
  writeEnum(w, meterUnits, m.unit, 'meter.unit');
  w.u32(m.priceFen, 'meter.priceFen');
  w.u32(checkRange(m.priceUnits, 1, 0xffff_ffff, 'meter.priceUnits'), 'meter.priceUnits');
  w.u32(m.holdFen, 'meter.holdFen');
  w.u32(m.minBalanceFen, 'meter.minBalanceFen');
  w.u16(
    checkRange(m.reportIntervalSeconds, 1, 0xffff, 'meter.reportIntervalSeconds'),
    'meter.reportIntervalSeconds',
  );
  w.u16(checkRange(m.silenceMaxSeconds, 1, 0xffff, 'meter.silenceMaxSeconds'), 'meter.silenceMaxSeconds');
}

function readOffline(r: ByteReader): OfflinePolicy {
  const enabled = checkRange(r.u8('offline.enabled'), 0, 1, 'offline.enabled') === 1;
  return {
    enabled,
    codeValiditySeconds: r.u16('offline.codeValiditySeconds'),
    clockSkewSeconds: r.u16('offline.clockSkewSeconds'),
    paymentMaxFen: r.u32('offline.paymentMaxFen'),
    perCardDailyMaxFen: r.u32('offline.perCardDailyMaxFen'),
    deviceTotalMaxFen: r.u32('offline.deviceTotalMaxFen'),
    recordsMax: r.u16('offline.recordsMax'),
    durationMaxSeconds: r.u32('offline.durationMaxSeconds'),
  };
}

function writeOffline(w: ByteWriter, m: OfflinePolicy): void {
  w.u8(m.enabled ? 1 : 0, 'offline.enabled');
  w.u16(m.codeValiditySeconds, 'offline.codeValiditySeconds');
  w.u16(m.clockSkewSeconds, 'offline.clockSkewSeconds');
  w.u32(m.paymentMaxFen, 'offline.paymentMaxFen');
  w.u32(m.perCardDailyMaxFen, 'offline.perCardDailyMaxFen');
  w.u32(m.deviceTotalMaxFen, 'offline.deviceTotalMaxFen');
  w.u16(m.recordsMax, 'offline.recordsMax');
  w.u32(m.durationMaxSeconds, 'offline.durationMaxSeconds');
}

function checkWindow(startMinute: number, endMinute: number): void {
  if (startMinute >= endMinute || endMinute > minutesPerDay) {
    throw new ProtocolError(
      'BAD_FIELD',
      `meal window [${startMinute}, ${endMinute}) must satisfy start < end ≤ ${minutesPerDay}`,
    );
  }
}

export function parseConfigPush(r: ByteReader): ConfigPush {
  const configVersion = r.u32('configVersion');
  const merchantId = readId(r, 0, idBytesMax, 'merchantId');
  const utcOffsetMinutes = checkRange(
    r.i16('utcOffsetMinutes'),
    -utcOffsetMinutesMax,
    utcOffsetMinutesMax,
    'utcOffsetMinutes',
  );
  const paymentMaxFen = r.u32('paymentMaxFen');
  const repeatIntervalSeconds = r.u16('repeatIntervalSeconds');
  const offline = readOffline(r);
  const meter = readMeter(r);
  const priceItems: PriceItem[] = [];
  const itemCount = readCount(r, priceItemsMax, 'priceItemCount');
  for (let i = 0; i < itemCount; i++) {
    priceItems.push({
      itemNo: checkRange(r.u8('itemNo'), 1, 0xff, 'itemNo'),
      priceFen: r.u32('priceFen'),
      name: readText(r, priceItemNameBytesMax, 'name'),
    });
  }
  const mealWindows: MealWindow[] = [];
  const windowCount = readCount(r, mealWindowsMax, 'mealWindowCount');
  for (let i = 0; i < windowCount; i++) {
    const meal = readEnum(r, meals, 'meal');
    const startMinute = r.u16('startMinute');
    const endMinute = r.u16('endMinute');
    checkWindow(startMinute, endMinute);
    mealWindows.push({ meal, startMinute, endMinute, perCardMaxFen: r.u32('perCardMaxFen') });
  }
  const campusKeys: CampusKey[] = [];
  const keyCount = readCount(r, campusKeysMax, 'campusKeyCount');
  for (let i = 0; i < keyCount; i++) {
    campusKeys.push({
      kid: r.u16('kid'),
      publicKey: r.bytesOf(campusPublicKeyBytes, 'publicKey'),
      retiredAtMs: r.u64('retiredAtMs'),
    });
  }
  r.end('CONFIG_PUSH');
  return {
    kind: 'config_push',
    configVersion,
    merchantId,
    utcOffsetMinutes,
    paymentMaxFen,
    repeatIntervalSeconds,
    offline,
    meter,
    priceItems,
    mealWindows,
    campusKeys,
  };
}

export function serializeConfigPush(w: ByteWriter, m: ConfigPush): void {
  w.u32(m.configVersion, 'configVersion');
  writeId(w, m.merchantId, 0, idBytesMax, 'merchantId');
  checkRange(m.utcOffsetMinutes, -utcOffsetMinutesMax, utcOffsetMinutesMax, 'utcOffsetMinutes');
  w.i16(m.utcOffsetMinutes, 'utcOffsetMinutes');
  w.u32(m.paymentMaxFen, 'paymentMaxFen');
  w.u16(m.repeatIntervalSeconds, 'repeatIntervalSeconds');
  writeOffline(w, m.offline);
  writeMeter(w, m.meter);
  writeCount(w, m.priceItems.length, priceItemsMax, 'priceItemCount');
  for (const item of m.priceItems) {
    w.u8(checkRange(item.itemNo, 1, 0xff, 'itemNo'), 'itemNo');
    w.u32(item.priceFen, 'priceFen');
    writeText(w, item.name, priceItemNameBytesMax, 'name');
  }
  writeCount(w, m.mealWindows.length, mealWindowsMax, 'mealWindowCount');
  for (const window of m.mealWindows) {
    writeEnum(w, meals, window.meal, 'meal');
    checkWindow(window.startMinute, window.endMinute);
    w.u16(window.startMinute, 'startMinute');
    w.u16(window.endMinute, 'endMinute');
    w.u32(window.perCardMaxFen, 'perCardMaxFen');
  }
  writeCount(w, m.campusKeys.length, campusKeysMax, 'campusKeyCount');
  for (const key of m.campusKeys) {
    w.u16(key.kid, 'kid');
    w.fixedBytes(key.publicKey, campusPublicKeyBytes, 'publicKey');
    w.u64(key.retiredAtMs, 'retiredAtMs');
  }
}
