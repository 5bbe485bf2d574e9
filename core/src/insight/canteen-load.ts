/**
 * Canteen load per window and 15-minute slot: a Holt-Winters model without trend (level and
 * seasonal smoothing, multiplicative), kept separately for each window and day type (weekday,
 * weekend, holiday), since a canteen's Saturday is not its Monday and the National Day week is
 * neither. The level is the day's total payments, the season the share of the day in each slot.
 * No npm library offers Holt-Winters here (docs/analytics.md), so this is the small implementation,
 * tested against a planted term in eval:insight (MAPE on busy slots).
 *
 * Pure: daily slot counts in, forecasts out. Each day is learnt after it is forecast, so the
 * evaluation's figures are what a forecast made the evening before would have scored.
 */

export const slotMs = 15 * 60_000;
export const slotsPerDay = 96;

export type DayType = 'weekday' | 'weekend' | 'holiday';

export interface LoadOptions {
  /** Smoothing of the day's level (total payments). */
  alpha: number;
  /** Smoothing of each slot's share of the day. */
  gamma: number;
}

export const loadDefaults: Readonly<LoadOptions> = Object.freeze({ alpha: 0.3, gamma: 0.2 });

interface State {
  level: number;
  shares: number[];
}

/** A window's model: learn days in order, forecast any slot of a day from what was learnt. */
export class WindowLoadModel {
  private readonly states = new Map<DayType, State>();

  constructor(private readonly options: LoadOptions = loadDefaults) {}

  /** Learns one day's counts per slot (slotsPerDay numbers). */
  learn(type: DayType, counts: readonly number[]): void {
    const total = counts.reduce((n, c) => n + c, 0);
    const state = this.states.get(type);
    if (!state) {
      if (total > 0) this.states.set(type, { level: total, shares: counts.map((c) => c / total) });
      return;
    }
    const { alpha, gamma } = this.options;
    state.level = alpha * total + (1 - alpha) * state.level;
    if (total > 0)
      state.shares = state.shares.map((s, i) => gamma * ((counts[i] ?? 0) / total) + (1 - gamma) * s);
  }

  /** Payments expected in each slot of a day of this type (undefined before any such day was learnt). */
  forecastDay(type: DayType): number[] | undefined {
    const state = this.states.get(type) ?? (type === 'holiday' ? this.states.get('weekend') : undefined);
    return state?.shares.map((s) => s * state.level);
  }
}

/** The day type of an Asia/Shanghai day number (time.ts), given the holidays as day numbers. */
export function dayTypeOf(day: number, holidays: ReadonlySet<number>): DayType {
  if (holidays.has(day)) return 'holiday';
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6 ? 'weekend' : 'weekday';
}

export interface SlotCount {
  window: string;
  day: number;
  slot: number;
  count: number;
}

/** Daily slot arrays per window from sparse counts (InsightStore.slotCounts). */
export function dailySeries(counts: readonly SlotCount[]): Map<string, Map<number, number[]>> {
  const series = new Map<string, Map<number, number[]>>();
  for (const c of counts) {
    let days = series.get(c.window);
    if (!days) {
      days = new Map();
      series.set(c.window, days);
    }
    let slots = days.get(c.day);
    if (!slots) {
      slots = new Array<number>(slotsPerDay).fill(0);
      days.set(c.day, slots);
    }
    slots[c.slot] = (slots[c.slot] ?? 0) + c.count;
  }
  return series;
}

export interface LoadEvaluation {
  window: string;
  /** Mean absolute percentage error over busy slots of the assessed days. */
  mape: number;
  busySlots: number;
}

/**
 * One-day-ahead MAPE per window over [fromDay, toDay]: every day from firstDay is learnt in order,
 * and each assessed day is forecast before it is learnt. Busy slots are those with at least busyMin
 * payments; quiet slots are left out (a 50 % error on 2 payments says nothing).
 */
export function evaluateLoad(
  series: Map<string, Map<number, number[]>>,
  firstDay: number,
  fromDay: number,
  toDay: number,
  holidays: ReadonlySet<number>,
  busyMin: number,
  options: LoadOptions = loadDefaults,
): LoadEvaluation[] {
  const results: LoadEvaluation[] = [];
  for (const [window, days] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
    const model = new WindowLoadModel(options);
    let errorSum = 0;
    let busy = 0;
    for (let day = firstDay; day <= toDay; day++) {
      const type = dayTypeOf(day, holidays);
      const actual = days.get(day) ?? new Array<number>(slotsPerDay).fill(0);
      if (day >= fromDay) {
        const forecast = model.forecastDay(type);
        if (forecast)
          for (let s = 0; s < slotsPerDay; s++) {
            const a = actual[s] ?? 0;
            if (a < busyMin) continue;
            errorSum += Math.abs((forecast[s] ?? 0) - a) / a;
            busy += 1;
          }
      }
      model.learn(type, actual);
    }
    results.push({ window, mape: busy === 0 ? 0 : errorSum / busy, busySlots: busy });
  }
  return results;
}

export interface WindowLoadNow {
  window: string;
  /** Payments expected in the slot now and in the slot 30 minutes on. */
  nowExpected: number;
  in30Expected: number;
  /** Payments so far in the slot now. */
  nowSoFar: number;
}

/**
 * How busy each window is now and in 30 minutes: the model learns the days before today (from the
 * counts given, weeks of them) and forecasts today's two slots.
 */
export function loadNow(
  counts: readonly SlotCount[],
  today: number,
  slotNow: number,
  holidays: ReadonlySet<number> = new Set(),
): WindowLoadNow[] {
  const answers: WindowLoadNow[] = [];
  for (const [window, days] of [...dailySeries(counts)].sort(([a], [b]) => a.localeCompare(b))) {
    const model = new WindowLoadModel();
    const first = Math.min(...days.keys());
    for (let day = first; day < today; day++)
      model.learn(dayTypeOf(day, holidays), days.get(day) ?? new Array<number>(slotsPerDay).fill(0));
    const forecast = model.forecastDay(dayTypeOf(today, holidays));
    const round1 = (n: number) => Math.round(n * 10) / 10;
    answers.push({
      window,
      nowExpected: round1(forecast?.[slotNow] ?? 0),
      in30Expected: round1(forecast?.[Math.min(slotsPerDay - 1, slotNow + 2)] ?? 0),
      nowSoFar: days.get(today)?.[slotNow] ?? 0,
    });
  }
  return answers;
}

/** One window's day: the payments forecast for each slot (learnt from the days before) and those made. */
export interface WindowLoadDay {
  window: string;
  /** slotsPerDay numbers, one decimal; all 0 where the window has no history of that day type. */
  forecast: number[];
  /** Accepted payments per slot (so far, for today). */
  actual: number[];
}

/**
 * A day's forecast against what happened, per window (the backoffice's chart): the model learns the
 * days before `day` from the counts given, forecasts `day` whole, and the day's own counts are set
 * beside it.
 */
export function loadDay(
  counts: readonly SlotCount[],
  day: number,
  holidays: ReadonlySet<number> = new Set(),
): WindowLoadDay[] {
  const answers: WindowLoadDay[] = [];
  for (const [window, days] of [...dailySeries(counts)].sort(([a], [b]) => a.localeCompare(b))) {
    const model = new WindowLoadModel();
    const first = Math.min(...days.keys());
    for (let d = first; d < day; d++)
      model.learn(dayTypeOf(d, holidays), days.get(d) ?? new Array<number>(slotsPerDay).fill(0));
    const forecast = model.forecastDay(dayTypeOf(day, holidays));
    answers.push({
      window,
      forecast: Array.from({ length: slotsPerDay }, (_, i) => Math.round((forecast?.[i] ?? 0) * 10) / 10),
      actual: days.get(day) ?? new Array<number>(slotsPerDay).fill(0),
    });
  }
  return answers;
}
