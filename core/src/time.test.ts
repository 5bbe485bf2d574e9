// The one Asia/Shanghai calendar of the server, the backoffice and the mini-program (issue 21). The
// test process runs in America/Los_Angeles (tests/exit-guard.ts), so a helper that leaned on the
// local zone would answer Los Angeles's dates here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  addMonthsToKey,
  daysBoundsMs,
  formatDateTime,
  formatShortTime,
  isFutureMonth,
  monthDays,
  monthKeyOf,
  monthKeyRangeMs,
  parseMonth,
  shanghaiDateTimeMs,
  shanghaiParts,
  shanghaiToday,
} from './time.ts';

// 2026-12-31 16:30 UTC: 2027-01-01 00:30 in Shanghai, still 2026-12-31 08:30 in Los Angeles.
const newYearMs = Date.UTC(2026, 11, 31, 16, 30);

test('#21 when the process is in Los Angeles, then today, the parts and the month of an instant are still Shanghai ones', () => {
  assert.equal(Intl.DateTimeFormat().resolvedOptions().timeZone, 'America/Los_Angeles');
  assert.equal(new Date(newYearMs).getDate(), 31, 'the local zone would say the 31st');
  assert.equal(shanghaiToday(newYearMs), '2027-01-01');
  assert.deepEqual(shanghaiParts(newYearMs), {
    year: 2027,
    month: 1,
    day: 1,
    hour: 0,
    minute: 30,
    second: 0,
    weekday: 4,
  });
  assert.equal(monthKeyOf(newYearMs), '2027-01');
  assert.equal(monthKeyOf(newYearMs - 3_600_000), '2026-12');
  assert.equal(formatDateTime(newYearMs), '2027-01-01 00:30:00');
  assert.equal(formatShortTime(newYearMs), '01-01 00:30');
  assert.equal(isFutureMonth({ year: 2027, month: 1 }, newYearMs), false);
  assert.equal(isFutureMonth({ year: 2027, month: 2 }, newYearMs), true);
});

test('#21 when an editor types a Shanghai wall-clock time, then it is that instant, and nonsense is refused', () => {
  assert.equal(shanghaiDateTimeMs('2027-01-01 00:30'), newYearMs);
  assert.equal(shanghaiDateTimeMs('2027-01-01T00:30:00'), newYearMs);
  assert.equal(shanghaiDateTimeMs('2027-01-01'), Date.UTC(2026, 11, 31, 16));
  assert.equal(formatDateTime(shanghaiDateTimeMs('2026-03-08 02:30:15') ?? 0), '2026-03-08 02:30:15');
  for (const bad of ['2027-02-30 08:00', '2027-01-01 24:00', '2027-01-01 08:60', '2027-1-1', ''])
    assert.equal(shanghaiDateTimeMs(bad), undefined, bad);
});

test('#21 when days and months are stepped, then they cross month, year and leap-day ends as calendar dates', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  assert.throws(() => addDays('2026-13-01', 1), RangeError);
  assert.deepEqual(daysBoundsMs('2027-01-01', '2027-01-02'), {
    startMs: Date.UTC(2026, 11, 31, 16),
    endMs: Date.UTC(2027, 0, 2, 16),
  });
  assert.deepEqual(monthDays({ year: 2028, month: 2 }), { first: '2028-02-01', last: '2028-02-29' });
  assert.equal(addMonthsToKey('2027-01', -1), '2026-12');
  assert.deepEqual(monthKeyRangeMs('2026-12'), {
    fromMs: Date.UTC(2026, 10, 30, 16),
    toMs: Date.UTC(2026, 11, 31, 16),
  });
  assert.equal(monthKeyRangeMs('2026-13'), undefined);
  assert.equal(parseMonth('2026-00'), undefined);
});
