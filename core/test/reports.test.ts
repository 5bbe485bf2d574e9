import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import ExcelJS from 'exceljs';
import { CoreError } from '../src/client/index.ts';
import { formatDay, shanghaiDay } from '../src/time.ts';

type Sales = {
  paymentCount: number;
  paymentAmount: number;
  refundCount: number;
  refundAmount: number;
  netAmount: number;
};

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

for (const dialect of dialects) {
  describe(`reports on ${dialect}`, () => {
    let t: TestCore;
    const today = shanghaiDay(Date.now());
    const range = { from: formatDay(today - 1), to: formatDay(today) };
    const merchants: Record<'canteen' | 'shop' | 'shower', string> = { canteen: '', shop: '', shower: '' };
    const cards: string[] = [];
    const personNos: string[] = [];

    before(async () => {
      t = await startTestCore(dialect);
      const suffix = Date.now().toString(36).slice(-6).toUpperCase();
      for (const [n, category] of (['canteen', 'shop', 'shower'] as const).entries()) {
        const m = await t.client.createMerchant({
          id: `R${n}${suffix}`,
          name: `${category}一号`,
          category,
          feeRateBp: 60,
        });
        merchants[category] = m.id;
      }
      await t.client.registerDevice({ id: '101', kind: 'pos', merchantId: merchants.canteen });
      await t.client.registerDevice({ id: '102', kind: 'pos', merchantId: merchants.shop });
      for (let i = 0; i < 3; i++) {
        const cardNo = await openStudent(t.client);
        cards.push(cardNo);
        personNos.push((await t.client.getCard(cardNo)).personNo);
      }
      const [c0, c1, c2] = cards as [string, string, string];
      const ok = async (p: Promise<{ status: string }>) => {
        const a = await p;
        assert.equal(a.status, 'ok', JSON.stringify(a));
        return a as { status: 'ok'; holdId?: string };
      };
      await ok(t.client.topUp({ id: opId('t'), cardNo: c0, amount: 10_000, channel: 'wechat' }));
      await ok(t.client.topUp({ id: opId('t'), cardNo: c1, amount: 5_000, channel: 'cash' }));
      await ok(t.client.topUp({ id: opId('t'), cardNo: c2, amount: 3_000, channel: 'alipay' }));
      await ok(t.client.subsidize({ id: opId('s'), cardNo: c0, amount: 2_000 }));
      const first = opId('p');
      await ok(
        t.client.pay({
          id: first,
          cardNo: c0,
          merchantId: merchants.canteen,
          deviceId: '101',
          amount: 1_500,
        }),
      );
      await ok(
        t.client.pay({
          id: opId('p'),
          cardNo: c0,
          merchantId: merchants.canteen,
          deviceId: '101',
          amount: 800,
        }),
      );
      await ok(
        t.client.pay({
          id: opId('p'),
          cardNo: c1,
          merchantId: merchants.shop,
          deviceId: '102',
          amount: 2_500,
        }),
      );
      await ok(
        t.client.pay({
          id: opId('p'),
          cardNo: c2,
          merchantId: merchants.canteen,
          deviceId: '101',
          amount: 300,
        }),
      );
      const refused = await t.client.pay({
        id: opId('p'),
        cardNo: c2,
        merchantId: merchants.canteen,
        deviceId: '101',
        amount: 4_000,
      });
      assert.equal(refused.status, 'rejected');
      await ok(t.client.refund({ id: opId('r'), paymentId: first, amount: 500 }));
      const hold = await ok(
        t.client.hold({
          id: opId('h'),
          cardNo: c1,
          merchantId: merchants.shower,
          deviceId: '103',
          amount: 600,
          timeoutMs: 60_000,
        }),
      );
      await ok(t.client.postHold(hold.holdId as string, { id: opId('post'), amount: 120 }));
    });
    after(async () => {
      await t.stop();
    });

    test('when turnover is reported by merchant, then each merchant agrees with its settlement statement for the day', async () => {
      // Goal: the report and settlement count sales the same way, and both match the journal.
      const report = await t.client.report<Sales & { merchantId: string; category: string }>(
        'turnover/merchants',
        {
          from: formatDay(today),
          to: formatDay(today),
        },
      );
      const expected: Record<string, [number, number, number, number]> = {
        [merchants.canteen]: [3, 2_600, 1, 500],
        [merchants.shop]: [1, 2_500, 0, 0],
        [merchants.shower]: [1, 120, 0, 0],
      };
      assert.equal(report.items.length, 3);
      for (const item of report.items) {
        assert.deepEqual(
          [item.paymentCount, item.paymentAmount, item.refundCount, item.refundAmount],
          expected[item.merchantId],
        );
        const statement = await t.client.statement(item.merchantId, formatDay(today));
        assert.deepEqual(
          [statement.paymentCount, statement.paymentAmount, statement.refundCount, statement.refundAmount],
          [item.paymentCount, item.paymentAmount, item.refundCount, item.refundAmount],
        );
        assert.ok(statement.reconciled);
        assert.equal(statement.journalNetAmount, item.netAmount);
      }
    });

    test('when turnover is reported by day and by category, then the totals are the merchants’ totals and quiet days are zeros', async () => {
      // Goal: the three cuts of turnover add up to the same money.
      const daily = await t.client.report<Sales & { day: string }>('turnover/daily', range);
      assert.deepEqual(
        daily.items.map((d) => [d.day, d.paymentCount, d.paymentAmount, d.refundAmount, d.netAmount]),
        [
          [range.from, 0, 0, 0, 0],
          [range.to, 5, 5_220, 500, 4_720],
        ],
      );
      const categories = await t.client.report<Sales & { category: string }>('turnover/categories', range);
      assert.deepEqual(
        categories.items.map((c) => [c.category, c.paymentAmount, c.netAmount]),
        [
          ['canteen', 2_600, 2_100],
          ['shop', 2_500, 2_500],
          ['shower', 120, 120],
        ],
      );
    });

    test('when top-ups are reported by channel, then every channel is listed with its count, amount and share', async () => {
      // Goal: the channel comes from the journal's debit account, and shares add up to 100 %.
      const mix = await t.client.report<{ channel: string; count: number; amount: number; shareBp: number }>(
        'top-up-channels',
        range,
      );
      assert.deepEqual(
        mix.items.map((c) => [c.channel, c.count, c.amount]),
        [
          ['wechat', 1, 10_000],
          ['alipay', 1, 3_000],
          ['cash', 1, 5_000],
          ['bank', 0, 0],
        ],
      );
      assert.equal(
        mix.items.reduce((s, c) => s + c.shareBp, 0),
        10_000,
      );
    });

    test('when sales are mapped by weekday and hour, then all 168 cells are there and they hold every sale in Asia/Shanghai time', async () => {
      // Goal: the heatmap folds sales into the local weekday and hour.
      const heat = await t.client.report<{ weekday: number; hour: number; count: number; amount: number }>(
        'peak-hours',
        range,
      );
      assert.equal(heat.items.length, 168);
      assert.equal(
        heat.items.reduce((s, c) => s + c.count, 0),
        5,
      );
      assert.equal(
        heat.items.reduce((s, c) => s + c.amount, 0),
        5_220,
      );
      const local = new Date(Date.now() + 8 * 3_600_000);
      const weekday = (local.getUTCDay() + 6) % 7;
      for (const cell of heat.items.filter((c) => c.count > 0)) {
        assert.equal(cell.weekday, weekday);
        assert.ok([local.getUTCHours(), (local.getUTCHours() + 23) % 24].includes(cell.hour));
      }
    });

    test('when device usage is reported, then each device counts its operations, refusals and payment amount', async () => {
      // Goal: operations per device, refused ones included and told apart.
      const usage = await t.client.report<{
        deviceId: string;
        kind: string | null;
        operationCount: number;
        refusedCount: number;
        paymentAmount: number;
      }>('device-usage', range);
      assert.deepEqual(
        usage.items.map((d) => [d.deviceId, d.kind, d.operationCount, d.refusedCount, d.paymentAmount]),
        [
          ['101', 'pos', 4, 1, 2_600],
          ['102', 'pos', 1, 0, 2_500],
          ['103', null, 1, 0, 0],
        ],
      );
    });

    test('when attendance is reported, then each session and course has its roster, sign-ins and rate', async () => {
      // Goal: the rate counts only people on the roster; a course sums its sessions.
      const now = Date.now();
      const sessions = [
        { id: `RS-A-${now}`, roster: personNos, present: personNos.slice(0, 2) },
        { id: `RS-B-${now}`, roster: personNos.slice(0, 2), present: personNos.slice(0, 1) },
      ];
      let sequence = 1;
      for (const s of sessions) {
        await t.client.putAttendanceSession({
          id: s.id,
          kind: 'class',
          title: '高等数学',
          startsAtMs: now,
          endsAtMs: now + 3_600_000,
          signInFromMs: now - 600_000,
          signInUntilMs: now + 600_000,
          roster: s.roster,
        });
        await t.core.db.execute(
          'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
          [s.id, '2026-1', 'MATH101', now],
        );
        for (const personNo of s.present) {
          const cardNo = cards[personNos.indexOf(personNo)] as string;
          const result = await t.client.signInAttendance({
            sessionId: s.id,
            cardNo,
            deviceId: '201',
            sequence: sequence++,
            atMs: now,
            source: 'online',
          });
          assert.equal(result.status, 'recorded');
        }
      }
      const bySession = await t.client.report<{
        sessionId: string;
        rosterCount: number;
        presentCount: number;
        ratePercent: number;
      }>('attendance/sessions', range);
      assert.deepEqual(
        bySession.items.map((s) => [s.sessionId, s.rosterCount, s.presentCount, s.ratePercent]),
        [
          [sessions[0]?.id, 3, 2, 66.7],
          [sessions[1]?.id, 2, 1, 50],
        ],
      );
      const byCourse = await t.client.report<{
        courseCode: string;
        sessionCount: number;
        rosterCount: number;
        presentCount: number;
        ratePercent: number;
      }>('attendance/courses', range);
      assert.deepEqual(
        byCourse.items.map((c) => [
          c.courseCode,
          c.sessionCount,
          c.rosterCount,
          c.presentCount,
          c.ratePercent,
        ]),
        [['MATH101', 2, 5, 3, 60]],
      );
    });

    test('when a report is exported, then it is CSV with a UTF-8 BOM, Chinese headers and amounts in yuan', async () => {
      // Goal: Excel opens the export with the Chinese intact.
      const csv = await t.client.reportCsv('turnover/merchants', range);
      assert.ok(csv.startsWith('\uFEFF商户编号,商户名称,类别,'));
      const lines = csv.slice(1).trimEnd().split('\r\n');
      assert.equal(lines.length, 4);
      assert.ok(
        lines.some((l) => l === `${merchants.canteen},canteen一号,canteen,3,26.00,0,0.00,1,5.00,21.00`),
      );
      const heat = await t.client.reportCsv('peak-hours', range);
      assert.equal(heat.slice(1).trimEnd().split('\r\n').length, 169);
    });

    test('when a report is exported to Excel, then the sheet has the Chinese headers and amounts as numbers', async () => {
      // Goal: finance can sum the exported amounts in Excel.
      const bytes = await t.client.reportXlsx('turnover/categories', range);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      assert.ok(sheet);
      assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), [
        '类别',
        '消费笔数',
        '消费金额(元)',
        '其中联盟卡笔数',
        '其中联盟卡金额(元)',
        '退款笔数',
        '退款金额(元)',
        '净额(元)',
      ]);
      assert.deepEqual((sheet.getRow(2).values as unknown[]).slice(1), ['canteen', 3, 26, 0, 0, 1, 5, 21]);
      assert.equal(sheet.getRow(4).getCell(3).value, 1.2);
    });

    test('when the range is backwards, too long or not a date, then the report is refused', async () => {
      // Goal: bad input is a stable code, not a slow query.
      assert.equal(
        await refusal(t.client.report('turnover/daily', { from: range.to, to: range.from })),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await refusal(t.client.report('turnover/daily', { from: '2024-01-01', to: '2025-12-31' })),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await refusal(t.client.report('peak-hours', { from: '2026-02-30', to: range.to })),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await refusal(t.client.reportCsv('device-usage', { from: 'x', to: range.to })),
        'VALIDATION_FAILED',
      );
    });
  });
}
