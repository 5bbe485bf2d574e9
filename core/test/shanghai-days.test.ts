// Days and months cut in Asia/Shanghai at the ledger, whatever the server's zone (issue 21). The
// process runs in America/Los_Angeles (tests/exit-guard.ts) and the clock of the core and of its
// database is moved to just before a Shanghai midnight and a Shanghai month's end (tests/clock.ts),
// so a cut in the local zone or in UTC fails here on every run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { advanceClockTo, setShanghaiTime } from '../../tests/clock.ts';
import type { Answer } from '../src/client/index.ts';
import { addMonths, formatDay, monthKey, monthOf, monthRangeMs, shanghaiDay } from '../src/time.ts';

// Shifted before the core starts, so everything it builds reads the shifted clock.
setShanghaiTime('12:00');

const ok = (answer: Answer) => assert.equal(answer.status, 'ok', JSON.stringify(answer));

for (const dialect of dialects) {
  describe(`Shanghai days at the ledger on ${dialect}`, () => {
    let t: TestCore;
    let canteen: string;
    before(async () => {
      t = await startTestCore(dialect, { DAILY_LIMIT_DEFAULT: '1000' });
      canteen = (await t.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    });
    after(() => t?.stop());

    const funded = async () => {
      const cardNo = await openStudent(t.client);
      ok(await t.client.topUp({ id: opId('top'), cardNo, amount: 10_000, channel: 'cash' }));
      return cardNo;
    };
    const pay = (cardNo: string, amount: number) =>
      t.client.pay({ id: opId('pay'), cardNo, merchantId: canteen, amount });

    test('#21 when a card pays at 23:59:58 in Shanghai and again at 00:00:02, then each payment has a daily limit of its own Shanghai day, and the daily report and the operations split them at Shanghai midnight', async () => {
      const cardNo = await funded();
      const beforeMidnightMs = setShanghaiTime('23:59:58');
      assert.ok(Math.abs((await t.core.db.nowMs()) - Date.now()) < 5_000, 'the database clock follows');
      ok(await pay(cardNo, 800));
      setShanghaiTime('00:00:02');
      ok(await pay(cardNo, 800));
      const third = await pay(cardNo, 300);
      assert.equal(third.status, 'rejected');
      assert.equal((third as { code?: string }).code, 'LIMIT_EXCEEDED');

      const day = shanghaiDay(beforeMidnightMs);
      const rows = await t.core.db.select<{ created_day: number | string; amount: number | string }>(
        "SELECT created_day, amount FROM operations WHERE card_no = ? AND kind = 'payment' AND outcome = 'ok' ORDER BY created_at_ms",
        [cardNo],
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.created_day), Number(r.amount)]),
        [
          [day, 800],
          [day + 1, 800],
        ],
      );
      const report = await t.client.report<{ day: string; paymentAmount: number }>('turnover/daily', {
        from: formatDay(day),
        to: formatDay(day + 1),
      });
      const byDay = Object.fromEntries(report.items.map((r) => [r.day, r.paymentAmount]));
      assert.equal(byDay[formatDay(day)], 800);
      assert.equal(byDay[formatDay(day + 1)], 800);
    });

    test("#21 when a card pays two seconds before a Shanghai month ends and two seconds after, then each month's statement has one of them", async () => {
      const cardNo = await funded();
      const month = addMonths(monthOf(Date.now()), 1);
      const { toMs } = monthRangeMs(month);
      advanceClockTo(toMs - 2_000);
      ok(await pay(cardNo, 300));
      advanceClockTo(toMs + 2_000);
      ok(await pay(cardNo, 500));
      const first = await t.client.monthlyStatement(cardNo, monthKey(month));
      const next = await t.client.monthlyStatement(cardNo, monthKey(addMonths(month, 1)));
      assert.equal(first.spent, 300);
      assert.equal(next.spent, 500);
      assert.equal(next.previousSpent, 300);
    });
  });
}
