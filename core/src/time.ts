/**
 * Days and months are cut in Asia/Shanghai — on the server and in every browser and phone, whatever
 * the machine's own time zone. China has kept UTC+8 without daylight saving since 1991, so a fixed
 * offset is exact for every date this system will store. Nothing here reads the local zone (no
 * getHours, getDate, toLocale… without a timeZone), and nothing imports from node: the backoffice
 * and the mini-program import this file as `@campus-card/core/time`.
 */
export const shanghaiOffsetMs = 8 * 3600_000;
const dayMs = 86_400_000;

const two = (n: number) => String(n).padStart(2, '0');

/** Day number (days since 1970-01-01 in Asia/Shanghai) of an instant. */
export function shanghaiDay(atMs: number): number {
  return Math.floor((atMs + shanghaiOffsetMs) / dayMs);
}

/** 'YYYY-MM-DD' of a Shanghai day number. */
export function formatDay(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/** Day number of a 'YYYY-MM-DD' date, or undefined when it is not a real date. */
export function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / dayMs;
}

/** The UTC instants [start, end) of a Shanghai day. */
export function dayBoundsMs(day: number): { startMs: number; endMs: number } {
  const startMs = day * dayMs - shanghaiOffsetMs;
  return { startMs, endMs: startMs + dayMs };
}

/** Today in Shanghai as 'YYYY-MM-DD' (the default of every day picker). */
export function shanghaiToday(nowMs: number = Date.now()): string {
  return formatDay(shanghaiDay(nowMs));
}

/** The 'YYYY-MM-DD' date `days` days after (or before, negative) a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  const day = parseDay(date);
  if (day === undefined) throw new RangeError(`not a date: ${date}`);
  return formatDay(day + days);
}

/** The UTC instants [startMs, endMs) of the Shanghai days from..to ('YYYY-MM-DD', both inclusive). */
export function daysBoundsMs(from: string, to: string): { startMs: number; endMs: number } {
  const first = parseDay(from);
  const last = parseDay(to);
  if (first === undefined || last === undefined) throw new RangeError(`not a date: ${from}..${to}`);
  return { startMs: dayBoundsMs(first).startMs, endMs: dayBoundsMs(last).endMs };
}

/** The Shanghai wall-clock parts of an instant (month 1–12, weekday 0 = Monday). */
export interface ShanghaiParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

export function shanghaiParts(atMs: number): ShanghaiParts {
  const d = new Date(atMs + shanghaiOffsetMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

/** 'YYYY-MM-DD HH:mm:ss' in Shanghai. */
export function formatDateTime(atMs: number): string {
  return new Date(atMs + shanghaiOffsetMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** 'YYYY-MM-DD HH:mm' in Shanghai. */
export function formatMinute(atMs: number): string {
  return formatDateTime(atMs).slice(0, 16);
}

/** 'MM-DD HH:mm' in Shanghai, for list rows. */
export function formatShortTime(atMs: number): string {
  return formatDateTime(atMs).slice(5, 16);
}

/**
 * The instant of a Shanghai wall-clock date and time: 'YYYY-MM-DD', 'YYYY-MM-DD HH:mm' or
 * 'YYYY-MM-DD HH:mm:ss' (a 'T' may stand for the space), or undefined when it is not one. What an
 * editor types as a publishing time means this, whatever the browser's zone.
 */
export function shanghaiDateTimeMs(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!match) return undefined;
  const day = parseDay(match[1] as string);
  const [hour, minute, second] = [match[2], match[3], match[4]].map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
  ];
  if (day === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  return dayBoundsMs(day).startMs + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** A Shanghai calendar month. */
export interface Month {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
}

/** The Shanghai month an instant falls in. */
export function monthOf(atMs: number): Month {
  const { year, month } = shanghaiParts(atMs);
  return { year, month };
}

export function addMonths(base: Month, delta: number): Month {
  const index = base.year * 12 + (base.month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** "2026-03", the form URLs and statements use. */
export function monthKey(value: Month): string {
  return `${value.year}-${two(value.month)}`;
}

/** The month of a 'YYYY-MM' key, or undefined when it is not one. */
export function parseMonth(key: string): Month | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  return match ? { year: Number(match[1]), month: Number(match[2]) } : undefined;
}

/** The month's first instant and the next month's first instant, epoch ms. */
export function monthRangeMs(value: Month): { fromMs: number; toMs: number } {
  const next = addMonths(value, 1);
  return {
    fromMs: Date.UTC(value.year, value.month - 1, 1) - shanghaiOffsetMs,
    toMs: Date.UTC(next.year, next.month - 1, 1) - shanghaiOffsetMs,
  };
}

/** The month's first and last days, 'YYYY-MM-DD'. */
export function monthDays(value: Month): { first: string; last: string } {
  const { fromMs, toMs } = monthRangeMs(value);
  return { first: shanghaiToday(fromMs), last: shanghaiToday(toMs - 1) };
}

/** 'YYYY-MM' of the Shanghai month an instant falls in. */
export function monthKeyOf(atMs: number): string {
  return monthKey(monthOf(atMs));
}

/** The UTC instants [fromMs, toMs) of a 'YYYY-MM' Shanghai month, or undefined if it is not one. */
export function monthKeyRangeMs(key: string): { fromMs: number; toMs: number } | undefined {
  const month = parseMonth(key);
  return month && monthRangeMs(month);
}

/** The 'YYYY-MM' month `delta` months after (negative: before) a 'YYYY-MM' month. */
export function addMonthsToKey(key: string, delta: number): string {
  const month = parseMonth(key);
  if (!month) throw new RangeError(`not a month: ${key}`);
  return monthKey(addMonths(month, delta));
}

/** True when `value` is after the Shanghai month containing `nowMs`. */
export function isFutureMonth(value: Month, nowMs: number): boolean {
  const now = monthOf(nowMs);
  return value.year * 12 + value.month > now.year * 12 + now.month;
}
