// Bills and statements are by Asia/Shanghai calendar month (UTC+8, no daylight saving), whatever the
// phone's own time zone is.

const shanghaiOffsetMs = 8 * 3_600_000;

export interface Month {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
}

export function monthOf(atMs: number): Month {
  const shifted = new Date(atMs + shanghaiOffsetMs);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1 };
}

export function addMonths(base: Month, delta: number): Month {
  const index = base.year * 12 + (base.month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** "2026-03", the form the BFF takes in URLs. */
export function monthKey(value: Month): string {
  return `${value.year}-${String(value.month).padStart(2, '0')}`;
}

/** The month's first instant and the next month's first instant, epoch ms. */
export function monthRangeMs(value: Month): { fromMs: number; toMs: number } {
  const next = addMonths(value, 1);
  return {
    fromMs: Date.UTC(value.year, value.month - 1, 1) - shanghaiOffsetMs,
    toMs: Date.UTC(next.year, next.month - 1, 1) - shanghaiOffsetMs,
  };
}

/** True when `value` is after the month containing `nowMs`: the switcher stops at the current month. */
export function isFutureMonth(value: Month, nowMs: number): boolean {
  const now = monthOf(nowMs);
  return value.year * 12 + value.month > now.year * 12 + now.month;
}

/** "03-14 12:05" in Shanghai time, for list rows. */
export function formatShortTime(atMs: number): string {
  const d = new Date(atMs + shanghaiOffsetMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** "2026-03-14 12:05:09" in Shanghai time, for detail pages. */
export function formatFullTime(atMs: number): string {
  const d = new Date(atMs + shanghaiOffsetMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
