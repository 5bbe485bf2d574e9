import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type CardActivity, CardActivityFeed } from '../src/activity/card-activity.ts';
import { createLogger } from '../src/log.ts';
import {
  MonthlyStatementNotices,
  monthRangeMs,
  previousMonth,
  shanghaiMonth,
} from '../src/notices/monthly-statements.ts';
import { NoticeRepository } from '../src/notices/notice-repository.ts';

test('when months are cut, then they follow Asia/Shanghai midnight and wrap the year', () => {
  // 2026-11-30 16:00 UTC is already 1 December in Shanghai.
  assert.equal(shanghaiMonth(Date.UTC(2026, 10, 30, 15, 59, 59)), '2026-11');
  assert.equal(shanghaiMonth(Date.UTC(2026, 10, 30, 16, 0, 0)), '2026-12');
  assert.equal(previousMonth('2026-01'), '2025-12');
  assert.deepEqual(monthRangeMs('2026-12'), {
    fromMs: Date.UTC(2026, 10, 30, 16),
    toMs: Date.UTC(2026, 11, 31, 16),
  });
});

for (const dialect of dialects) {
  describe(`monthly statement notices (${dialect})`, () => {
    let t: TestCore;
    let canteen: string;
    let shop: string;
    before(async () => {
      t = await startTestCore(dialect);
      canteen = (await t.client.createMerchant({ name: '第一食堂', category: 'canteen' })).id;
      shop = (await t.client.createMerchant({ name: '教育超市', category: 'shop' })).id;
    });
    after(() => t.stop());

    test('when a month ends, then each card holder who used the card gets one notice with what, where and against last month', async () => {
      const active = await openStudent(t.client);
      const idle = await openStudent(t.client);
      await t.client.topUp({ id: opId('top'), cardNo: active, amount: 10_000, channel: 'wechat' });
      await t.client.pay({ id: opId('pay'), cardNo: active, merchantId: canteen, amount: 1_500 });
      await t.client.pay({ id: opId('pay'), cardNo: active, merchantId: canteen, amount: 1_000 });
      await t.client.pay({ id: opId('pay'), cardNo: active, merchantId: shop, amount: 800 });

      // The notices of "this month" stand in for last month's: the run takes any month.
      const month = shanghaiMonth(Date.now());
      const heard: CardActivity[] = [];
      const feed = new CardActivityFeed();
      feed.on((a) => heard.push(a));
      const notices = new NoticeRepository(t.core.db);
      const job = new MonthlyStatementNotices(t.core.db, notices, feed, createLogger('test', 'silent'));
      const sent = await job.run(month);
      assert.ok(sent >= 1);

      const card = await t.client.getCard(active);
      const mine = await t.client.personNotices(card.personId);
      assert.equal(mine.items.length, 1);
      const notice = mine.items[0];
      assert.equal(notice?.kind, `statement:${month}`);
      assert.match(notice?.body ?? '', /共消费 ¥33\.00/);
      assert.match(notice?.body ?? '', /食堂（¥25\.00）/);
      assert.match(notice?.body ?? '', /充值 ¥100\.00/);
      assert.deepEqual(notice?.data, { month, spent: 3_300, previousSpent: 0, topCategory: 'canteen' });
      assert.ok(heard.some((a) => a.type === 'notice' && a.cardNo === active && a.noticeId === notice?.id));

      const idleCard = await t.client.getCard(idle);
      assert.deepEqual((await t.client.personNotices(idleCard.personId)).items, []);

      // A second run (a restart, another core instance) sends nobody a second notice.
      heard.length = 0;
      assert.equal(await job.run(month), 0);
      assert.equal((await t.client.personNotices(card.personId)).items.length, 1);
      assert.equal(heard.length, 0);
    });

    test('when the month is asked for over HTTP, then the same run happens; a bad month is refused', async () => {
      const month = shanghaiMonth(Date.now());
      const reply = await t.client.sendMonthlyStatements(month);
      assert.equal(typeof reply.sent, 'number');
      await assert.rejects(
        t.client.sendMonthlyStatements('2026-13'),
        (e: Error & { code?: string }) => e.code === 'VALIDATION_FAILED',
      );
    });
  });
}
