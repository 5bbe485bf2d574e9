// The bills list's day groups and search (#19): days cut in Asia/Shanghai whatever the phone's zone,
// a pending hold in no total, a day cut by a page boundary without totals, amounts found as typed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dayLabel, groupByDay, matchesSearch, timeOfDay } from '../src/lib/bill-days.ts';
import type { Transaction } from '../src/services/types.ts';

// 2026-12-08 10:00 in Shanghai (a Tuesday) is 02:00 UTC.
const tuesday10 = Date.UTC(2026, 11, 8, 2, 0);
const hour = 3_600_000;

const line = (id: string, amount: number, atMs: number, extra: Partial<Transaction> = {}): Transaction => ({
  id,
  kind: amount < 0 ? 'payment' : 'top_up',
  amount,
  createdAtMs: atMs,
  ...extra,
});

describe('bills grouped by day', () => {
  test('when lines fall either side of a Shanghai midnight, then they are two days with their own totals, and a pending hold counts in neither', () => {
    const rows = [
      line('a', -826, tuesday10, { merchantName: '第二食堂 清真窗口' }),
      line('b', 20000, tuesday10 - hour, { channel: 'wechat' }),
      line('c', 0, tuesday10 - 2 * hour, { kind: 'hold', hold: { status: 'pending', heldAmount: 600 } }),
      // 23:30 on Monday in Shanghai: 15:30 UTC the day before.
      line('d', -713, tuesday10 - 10.5 * hour, { merchantName: '第一食堂 2 号窗口' }),
    ];
    const days = groupByDay(rows, false, tuesday10 + hour);
    assert.deepEqual(
      days.map((d) => [d.label, d.rows.map((r) => r.id), d.outFen, d.inFen, d.complete]),
      [
        ['今天', ['a', 'b', 'c'], 826, 20000, true],
        ['昨天', ['d'], 713, 0, true],
      ],
    );
    assert.equal(timeOfDay(rows[3]?.createdAtMs ?? 0), '23:30');
  });

  test('when more pages follow, then the last day is marked incomplete so its totals are not shown short', () => {
    const days = groupByDay(
      [line('a', -100, tuesday10), line('b', -200, tuesday10 - 24 * hour)],
      true,
      tuesday10,
    );
    assert.deepEqual(
      days.map((d) => d.complete),
      [true, false],
    );
  });

  test('when a day is older than yesterday, then it reads month, day and weekday', () => {
    assert.equal(dayLabel(tuesday10 - 7 * 24 * hour, tuesday10), '12月1日 周二');
  });
});

describe('bills search', () => {
  const canteen = line('a', -826, tuesday10, { merchantName: '第二食堂 清真窗口' });
  const topUp = line('b', 8000, tuesday10, { channel: 'wechat' });
  test('when the holder types part of a title, then the lines with it match', () => {
    assert.ok(matchesSearch(canteen, '清真'));
    assert.ok(matchesSearch(topUp, '微信'));
    assert.ok(!matchesSearch(canteen, '微信'));
  });
  test('when the holder types an amount, then its yuan match exactly and a decimal as a prefix', () => {
    assert.ok(matchesSearch(canteen, '8.26'));
    assert.ok(matchesSearch(canteen, '¥8.2'));
    assert.ok(matchesSearch(canteen, '8'));
    assert.ok(!matchesSearch(topUp, '8'), '¥80.00 is not what "8" means');
    assert.ok(matchesSearch(topUp, '80'));
  });
});
