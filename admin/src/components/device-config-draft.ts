// The device configuration drawer's form model (DeviceConfigDrawer.tsx): the settings as the API
// answers them, the draft the admin edits (amounts in yuan as typed) and the check that turns a draft
// back into settings or says, in Chinese, what is wrong with it.
import { yuan } from '../api.ts';
import { deviceConfigText as t } from '../strings.ts';

export type Meal = 'breakfast' | 'lunch' | 'dinner' | 'late_night';
export type Unit = 'none' | 'second' | 'centilitre' | 'cycle';
export type PersonType = 'student' | 'staff' | 'alumnus' | 'visitor';

/**
 * Who may use the device (server-side only: the device is not told, the gateway refuses others online and
 * an offline payment by another type becomes an exception at upload). None ticked: everyone.
 */
export const personTypeText = {
  label: '可用人员类型',
  hint: '不勾选表示所有人可用。此限制由服务器在线核验；设备离线时无法判断，离线交易上传时不符合的记为异常（无权使用）。',
  options: [
    { value: 'student', label: '学生' },
    { value: 'staff', label: '教职工' },
    { value: 'alumnus', label: '校友' },
    { value: 'visitor', label: '访客' },
  ] satisfies { value: PersonType; label: string }[],
};

export interface Settings {
  paymentMaxFen: number;
  repeatIntervalSeconds: number;
  offline: {
    enabled: boolean;
    codeValiditySeconds: number;
    clockSkewSeconds: number;
    paymentMaxFen: number;
    perCardDailyMaxFen: number;
    deviceTotalMaxFen: number;
    recordsMax: number;
    durationMaxSeconds: number;
  };
  meter: {
    unit: Unit;
    priceFen: number;
    priceUnits: number;
    holdFen: number;
    minBalanceFen: number;
    reportIntervalSeconds: number;
    silenceMaxSeconds: number;
  };
  priceItems: { itemNo: number; priceFen: number; name: string }[];
  mealWindows: { meal: Meal; start: string; end: string; perCardMaxFen: number }[];
  personTypes?: PersonType[];
}

export interface ConfigView {
  deviceId: string;
  kind: string;
  configVersion: number;
  settings: Settings & { utcOffsetMinutes?: number };
  pendingPrices: {
    approvalId: string;
    reason: string;
    createdAtMs: number;
    prices: Pick<Settings, 'priceItems' | 'meter'>;
  }[];
}

/** Whole fen from what the admin typed in yuan ("12", "12.5", "12.50"); undefined when it is not an amount. */
export function fenOf(text: string): number | undefined {
  const m = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
export const yuanText = (fen: number) => (fen / 100).toFixed(2);

/** A price change as the checker reads it: each preset key's price, and the meter's unit price. */
export function devicePricesText(prices: Pick<Settings, 'priceItems' | 'meter'>): string {
  const { priceItems, meter } = prices;
  return t.pendingPrices(
    priceItems.map((i) => `${i.itemNo} ${i.name} ${yuan(i.priceFen)}`).join('，'),
    meter.unit === 'none' ? '' : `${yuan(meter.priceFen)} / ${meter.priceUnits} ${t.units[meter.unit]}`,
  );
}
export const hhmm = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
export const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

/** Money fields of the form, in yuan as typed. */
export interface Draft {
  paymentMax: string;
  repeatIntervalSeconds: number;
  offline: Omit<Settings['offline'], 'paymentMaxFen' | 'perCardDailyMaxFen' | 'deviceTotalMaxFen'> & {
    paymentMax: string;
    perCardDailyMax: string;
    deviceTotalMax: string;
  };
  meter: Omit<Settings['meter'], 'priceFen' | 'holdFen' | 'minBalanceFen'> & {
    price: string;
    hold: string;
    minBalance: string;
  };
  priceItems: { itemNo: number; price: string; name: string }[];
  mealWindows: { meal: Meal; start: string; end: string; perCardMax: string }[];
  personTypes: PersonType[];
  reason: string;
}

export function draftOf(s: Settings): Draft {
  return {
    paymentMax: yuanText(s.paymentMaxFen),
    repeatIntervalSeconds: s.repeatIntervalSeconds,
    offline: {
      ...s.offline,
      paymentMax: yuanText(s.offline.paymentMaxFen),
      perCardDailyMax: yuanText(s.offline.perCardDailyMaxFen),
      deviceTotalMax: yuanText(s.offline.deviceTotalMaxFen),
    },
    meter: {
      ...s.meter,
      price: yuanText(s.meter.priceFen),
      hold: yuanText(s.meter.holdFen),
      minBalance: yuanText(s.meter.minBalanceFen),
    },
    priceItems: s.priceItems.map((i) => ({ itemNo: i.itemNo, name: i.name, price: yuanText(i.priceFen) })),
    mealWindows: s.mealWindows.map((w) => ({ ...w, perCardMax: yuanText(w.perCardMaxFen) })),
    personTypes: s.personTypes ?? [],
    reason: '',
  };
}

/** The settings the draft stands for, or the first thing wrong with it (in Chinese, for the admin). */
export function settingsOf(d: Draft): { settings: Settings } | { error: string } {
  const money = (text: string, label: string): number => {
    const fen = fenOf(text);
    if (fen === undefined) throw new Error(t.badAmount(label));
    return fen;
  };
  try {
    const paymentMaxFen = money(d.paymentMax, t.paymentMax);
    const priceItems = d.priceItems.map((i) => {
      const priceFen = money(i.price, t.itemPrice(i.itemNo));
      if (priceFen < 1 || priceFen > paymentMaxFen) throw new Error(t.itemAboveMax(i.itemNo));
      if (!i.name.trim()) throw new Error(t.itemNameMissing(i.itemNo));
      return { itemNo: i.itemNo, priceFen, name: i.name.trim() };
    });
    if (new Set(priceItems.map((i) => i.itemNo)).size !== priceItems.length) throw new Error(t.itemKeyTwice);
    const mealWindows = d.mealWindows.map((w) => {
      if (!hhmm.test(w.start) || !hhmm.test(w.end)) throw new Error(t.badTime);
      if (minuteOf(w.start) >= minuteOf(w.end)) throw new Error(t.windowBackwards);
      return { meal: w.meal, start: w.start, end: w.end, perCardMaxFen: money(w.perCardMax, t.perCardMax) };
    });
    const sorted = [...mealWindows].sort((a, b) => minuteOf(a.start) - minuteOf(b.start));
    if (sorted.some((w, i) => i > 0 && minuteOf(w.start) < minuteOf((sorted[i - 1] as typeof w).end)))
      throw new Error(t.windowsOverlap);
    const { paymentMax, perCardDailyMax, deviceTotalMax, ...offline } = d.offline;
    const { price, hold, minBalance, ...meter } = d.meter;
    return {
      settings: {
        paymentMaxFen,
        repeatIntervalSeconds: d.repeatIntervalSeconds,
        offline: {
          ...offline,
          paymentMaxFen: money(paymentMax, t.offlinePaymentMax),
          perCardDailyMaxFen: money(perCardDailyMax, t.offlinePerCardDailyMax),
          deviceTotalMaxFen: money(deviceTotalMax, t.offlineDeviceTotalMax),
        },
        meter: {
          ...meter,
          priceFen: money(price, t.meterPrice),
          holdFen: money(hold, t.meterHold),
          minBalanceFen: money(minBalance, t.meterMinBalance),
        },
        priceItems,
        mealWindows,
        personTypes: d.personTypes,
      },
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export const pricesOf = (s: Settings) => JSON.stringify({ priceItems: s.priceItems, meter: s.meter });
