/**
 * Days and months are cut in Asia/Shanghai. China has kept UTC+8 without daylight saving since
 * 1991, so a fixed offset is exact for every date this system will store.
 */
export const shanghaiOffsetMs = 8 * 3600_000;
const dayMs = 86_400_000;

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
