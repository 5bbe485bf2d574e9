import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, startTestCore } from '@campus-card/tests/kit';
import {
  dailySeries,
  evaluateLoad,
  loadDay,
  loadNow,
  slotsPerDay,
  WindowLoadModel,
} from '../src/insight/canteen-load.ts';
import { InsightStore } from '../src/insight/insight-store.ts';
import { LedgerSource } from '../src/insight/ledger-source.ts';
import { dayBoundsMs, parseDay } from '../src/time.ts';

/** A weekday with 40 payments at 12:00–12:15 and 20 at 12:15–12:30; a weekend day half of that. */
const day = (scale: number) => {
  const counts = new Array<number>(slotsPerDay).fill(0);
  counts[48] = 40 * scale;
  counts[49] = 20 * scale;
  return counts;
};

test('when a window has learnt weekdays and weekends, then each day type is forecast from its own days, and a holiday with none of its own like a weekend', () => {
  const model = new WindowLoadModel();
  assert.equal(model.forecastDay('weekday'), undefined, 'nothing learnt, no forecast');
  for (let i = 0; i < 5; i++) model.learn('weekday', day(1));
  for (let i = 0; i < 2; i++) model.learn('weekend', day(0.5));
  const weekday = model.forecastDay('weekday') as number[];
  assert.deepEqual([weekday[48], weekday[49], weekday[47]], [40, 20, 0]);
  assert.deepEqual((model.forecastDay('holiday') as number[])[48], 20);
  // A busier weekday moves the level by alpha (0.3), the shares stay: 0.3 * 120 + 0.7 * 60 = 78 a day.
  model.learn('weekday', day(2));
  assert.ok(Math.abs(((model.forecastDay('weekday') as number[])[48] ?? 0) - 52) < 1e-9);
});

test('when canteen payments go through the store, then they are counted per window and Shanghai slot, evaluated a day ahead, and the load now and in 30 minutes is forecast', async () => {
  const first = parseDay('2025-11-03') as number; // a Monday
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    await store.replaceMerchants([
      { id: 'C1', category: 'canteen' },
      { id: 'S1', category: 'shop' },
    ]);
    const rows = [];
    for (let d = 0; d < 21; d++) {
      const startMs = dayBoundsMs(first + d).startMs;
      // 12:05 Shanghai: slot 48. Weekdays 30 payments at window W1, weekends 10; a shop payment is not a canteen's.
      const weekend = d % 7 >= 5;
      for (let i = 0; i < (weekend ? 10 : 30); i++)
        rows.push({
          id: `p${d}-${i}`,
          kind: 'payment',
          outcome: 'ok',
          cardNo: `C${i}`,
          merchantId: 'C1',
          deviceId: 'W1',
          amount: 1_000,
          subsidyAmount: 0,
          createdDay: first + d,
          createdAtMs: startMs + 12 * 3_600_000 + 5 * 60_000 + i * 1_000,
        });
      rows.push({ ...(rows.at(-1) as (typeof rows)[number]), id: `s${d}`, merchantId: 'S1', deviceId: 'X' });
    }
    await store.putOperations(rows);
    const counts = await store.slotCounts(dayBoundsMs(first).startMs, dayBoundsMs(first + 21).startMs);
    assert.deepEqual(new Set(counts.map((c) => `${c.window}:${c.slot}`)), new Set(['W1:48']));
    const [evaluation] = evaluateLoad(dailySeries(counts), first, first + 14, first + 20, new Set(), 5);
    assert.deepEqual(evaluation, { window: 'W1', mape: 0, busySlots: 7 });
    // Day 21 is a Monday: 30 expected at 12:00–12:15, none at 12:30–12:45.
    assert.deepEqual(loadNow(counts, first + 21, 48), [
      { window: 'W1', nowExpected: 30, in30Expected: 0, nowSoFar: 0 },
    ]);
  } finally {
    store.close();
  }
});

for (const dialect of dialects) {
  test(`when the card centre marks a Monday a holiday in the campus calendar on ${dialect}, then the canteen forecast reads it as a holiday (the weekend's pattern), not a weekday`, async () => {
    // Goal (#17): holidays from the campus calendar (passage_calendar_days), which the route passes on.
    const first = parseDay('2025-11-03') as number; // a Monday
    const t = await startTestCore(dialect);
    try {
      await t.client.setPassageCalendar({ kind: 'holiday', days: ['2025-11-24'], on: true });
      await t.client.setPassageCalendar({ kind: 'term', days: ['2025-11-25'], on: true });
      const holidays = await new LedgerSource(t.core.db).holidays(first, first + 21);
      assert.deepEqual(holidays, [first + 21]);
      // Three weeks of 30 payments at 12:00–12:15 on weekdays and 10 at weekends, at window W1.
      const counts = Array.from({ length: 21 }, (_, d) => ({
        window: 'W1',
        day: first + d,
        slot: 48,
        count: d % 7 >= 5 ? 10 : 30,
      }));
      assert.equal(loadNow(counts, first + 21, 48)[0]?.nowExpected, 30);
      assert.equal(loadNow(counts, first + 21, 48, new Set(holidays))[0]?.nowExpected, 10);
    } finally {
      await t.stop();
    }
  });
}

test('when a day is set against its forecast, then each window has the slots learnt from the days before and the payments made that day', () => {
  // Goal (#17): the backoffice's chart of the forecast against what happened.
  const first = parseDay('2025-11-03') as number; // a Monday
  const counts = Array.from({ length: 22 }, (_, d) => ({
    window: 'W1',
    day: first + d,
    slot: 48,
    count: d === 21 ? 41 : d % 7 >= 5 ? 10 : 30,
  }));
  const [w1] = loadDay(counts, first + 21, new Set());
  assert.equal(w1?.window, 'W1');
  assert.equal(w1?.forecast.length, slotsPerDay);
  assert.deepEqual([w1?.forecast[48], w1?.forecast[47], w1?.actual[48], w1?.actual[47]], [30, 0, 41, 0]);
  // A holiday that day: the weekend's pattern.
  assert.equal(loadDay(counts, first + 21, new Set([first + 21]))[0]?.forecast[48], 10);
});
