// Ant Design's pickers hold dayjs values in the browser's own zone; the system's days are
// Asia/Shanghai days (@campus-card/core/time). So a picker's value is only ever a calendar date or a
// wall-clock time, made from and read back as Shanghai text; no instant is taken from dayjs itself.
import {
  addDays,
  daysBoundsMs,
  formatDateTime,
  shanghaiDateTimeMs,
  shanghaiToday,
} from '@campus-card/core/time';
import dayjs, { type Dayjs } from 'dayjs';

/** A day picker's value for Shanghai today, or `days` days from it (negative: before). */
export const shanghaiTodayValue = (days = 0): Dayjs => dayjs(addDays(shanghaiToday(), days));

/** The 'YYYY-MM-DD' a day picker shows. */
export const dayText = (d: Dayjs): string => d.format('YYYY-MM-DD');

/** The instants [startMs, endMs) of the Shanghai days a range picker shows, both inclusive. */
export const pickedDaysBoundsMs = (from: Dayjs, to: Dayjs) => daysBoundsMs(dayText(from), dayText(to));

/** The instant of the wall-clock time a date-time picker shows, read as Shanghai time. */
export function pickedInstantMs(d: Dayjs): number {
  const ms = shanghaiDateTimeMs(d.format('YYYY-MM-DD HH:mm:ss'));
  if (ms === undefined) throw new RangeError(`not a date-time: ${d.format()}`);
  return ms;
}

/** A date-time picker's value showing an instant's Shanghai wall-clock time. */
export const instantValue = (ms: number): Dayjs => dayjs(formatDateTime(ms));
