import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { deviceFailures, merchantRanking, subsidyEffect } from '../src/insight/card-centre-reports.ts';
import { ExtractService } from '../src/insight/extract-service.ts';
import { InsightStore, type OperationRow } from '../src/insight/insight-store.ts';
import { LedgerSource } from '../src/insight/ledger-source.ts';
import { spendingStructureOf } from '../src/insight/spending-structure.ts';
import { dayBoundsMs, monthKeyOf, parseDay } from '../src/time.ts';

// The card centre's reports (#17, docs/analytics.md): spending per department and grade, merchant
// ranking and price bands, device failure patterns and subsidy effectiveness, each figure that counts
// people shown only for groups of 10 or more.

for (const dialect of dialects) {
  describe(`card-centre reports from the ledger on ${dialect}`, () => {
    let t: TestCore;
    let store: InsightStore;
    let canteen = '';
    let shop = '';
    const month = monthKeyOf(Date.now());

    /** Enrols a card's holder in a grade as the identity sync would (sync_people, docs/sync.md). */
    const enrol = async (cardNo: string, year: number) => {
      const { personNo } = await t.client.getCard(cardNo);
      const [person] = await t.core.db.select<{ id: string }>('SELECT id FROM persons WHERE person_no = ?', [
        personNo,
      ]);
      await t.core.db.execute(
        `INSERT INTO sync_people (person_no, person_id, source, source_row_id, source_status, digest,
           source_updated_at_ms, synced_at_ms, enrol_year) VALUES (?, ?, 'academic', ?, 'active', ?, ?, ?, ?)`,
        [personNo, String(person?.id), personNo, '0'.repeat(64), Date.now(), Date.now(), year],
      );
    };
    const pay = (cardNo: string, merchantId: string, deviceId: string, amount: number) =>
      t.client.pay({ id: opId('p'), cardNo, merchantId, deviceId, amount });

    before(async () => {
      t = await startTestCore(dialect);
      const suffix = Date.now().toString(36).slice(-5).toUpperCase();
      canteen = (await t.client.createMerchant({ id: `RC${suffix}`, name: '第二食堂', category: 'canteen' }))
        .id;
      shop = (await t.client.createMerchant({ id: `RS${suffix}`, name: '文具店', category: 'shop' })).id;
      await t.client.registerDevice({ id: '501', kind: 'pos', merchantId: canteen });
      await t.client.registerDevice({ id: '502', kind: 'pos', merchantId: shop });
      // Twelve students of 计算机学院, grade 2024: a ¥12 lunch each, then a ¥45 dish they cannot pay (¥38 left).
      for (let i = 0; i < 12; i++) {
        const cardNo = await openStudent(t.client);
        await enrol(cardNo, 2024);
        await t.client.topUp({ id: opId('t'), cardNo, amount: 5_000, channel: 'cash' });
        assert.equal((await pay(cardNo, canteen, '501', 1_200)).status, 'ok');
        assert.equal((await pay(cardNo, canteen, '501', 4_500)).status, 'rejected');
      }
      // Three of 外国语学院, grade 2023: ¥6 at the shop; two of them refused there for ¥45.
      for (let i = 0; i < 3; i++) {
        const cardNo = (
          await t.client.openCard({
            personNo: `RF${suffix}${i}`,
            name: '测试学生',
            type: 'student',
            department: '外国语学院',
          })
        ).cardNo;
        await enrol(cardNo, 2023);
        await t.client.topUp({ id: opId('t'), cardNo, amount: 5_000, channel: 'cash' });
        assert.equal((await pay(cardNo, shop, '502', 600)).status, 'ok');
        if (i < 2) assert.equal((await pay(cardNo, shop, '502', 4_500)).status, 'rejected');
      }
      store = await InsightStore.open({ path: ':memory:' });
      await new ExtractService(new LedgerSource(t.core.db), store).run();
    });
    after(async () => {
      store?.close();
      await t?.stop();
    });

    test('when the spending report is asked per grade and per department, then the grade comes from the identity sync and a group of 3 is named without figures', async () => {
      // Goal: the store had no grade; the report per grade must use the sync's enrolment year.
      const byGrade = await spendingStructureOf(store, month, 'grade');
      assert.deepEqual(byGrade.items[0], { group: '2023', suppressed: true });
      const grade = byGrade.items[1];
      assert.ok(grade && !grade.suppressed, JSON.stringify(byGrade));
      assert.deepEqual(
        { group: grade.group, students: grade.students, meals: grade.meals, meal: grade.mealSpendFen },
        { group: '2024', students: 12, meals: 12, meal: 14_400 },
      );
      const byDepartment = await spendingStructureOf(store, month, 'department');
      assert.deepEqual(
        byDepartment.items.map((g) => [g.group, g.suppressed]),
        [
          ['计算机学院', false],
          ['外国语学院', true],
        ],
      );
    });

    test('when merchants are ranked, then the canteen shows its turnover and the shop paid by 3 cards does not, nor its price band', async () => {
      const ranking = await merchantRanking(store, month);
      assert.deepEqual(ranking.items, [
        {
          merchantId: canteen,
          category: 'canteen',
          suppressed: false,
          payments: 12,
          amountFen: 14_400,
          cards: 12,
          averageFen: 1_200,
        },
        { merchantId: shop, category: 'shop', suppressed: true },
      ]);
      // ¥12 is in the third band (¥10–15); the shop's ¥6 (second band) is paid by 3 cards: withheld.
      assert.deepEqual(ranking.priceBands, [
        { category: 'canteen', payments: [0, 0, 12, 0, 0, 0, 0] },
        { category: 'shop', payments: [0, null, 0, 0, 0, 0, 0] },
      ]);
    });

    test('when device failures are asked for, then the canteen till shows its 12 refusals for insufficient funds and the shop till its 2 without the code', async () => {
      const failures = await deviceFailures(store, month);
      assert.deepEqual(failures.items, [
        {
          deviceId: '501',
          operations: 24,
          refused: 12,
          codes: [{ code: 'INSUFFICIENT_FUNDS', refused: 12 }],
          otherRefused: 0,
        },
        { deviceId: '502', operations: 5, refused: 2, codes: [], otherRefused: 2 },
      ]);
      const refusing = failures.pattern.filter((p) => p.refused !== 0);
      assert.ok(refusing.length >= 1);
      // All in one hour (the usual case): 14 cards refused, shown; split over two hours, any cell of
      // 1–9 cards is withheld.
      if (refusing.length === 1) assert.equal(refusing[0]?.refused, 14);
      for (const cell of refusing)
        assert.ok(cell.refused === null || cell.refused >= 10, JSON.stringify(cell));
      assert.equal(
        failures.pattern.reduce((n, p) => n + p.operations, 0),
        29,
      );
    });
  });
}

/** A payment or subsidy planted straight into the store at 12:00 Shanghai on a day. */
function operation(kind: 'payment' | 'subsidy', cardNo: string, day: number, amount: number): OperationRow {
  const atMs = dayBoundsMs(day).startMs + 12 * 3_600_000;
  return {
    id: `${kind}-${cardNo}-${day}`,
    kind,
    outcome: 'ok',
    cardNo,
    merchantId: kind === 'payment' ? 'CANTEEN' : null,
    deviceId: null,
    amount,
    subsidyAmount: 0,
    createdDay: day,
    createdAtMs: atMs,
  };
}

test('when a month has subsidies, then recipients are compared with everyone else before and after; with 9 recipients the month shows no figure of them', async () => {
  // Goal: subsidy effectiveness per student-day on campus, the yardstick the students who got none.
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    const anchor = parseDay('2025-11-10') as number;
    const later = parseDay('2025-12-10') as number;
    await store.replaceMerchants([{ id: 'CANTEEN', category: 'canteen' }]);
    const holders = [];
    const rows: OperationRow[] = [];
    for (let i = 0; i < 24; i++) {
      const cardNo = `C${String(i).padStart(2, '0')}`;
      holders.push({
        cardNo,
        personNo: `P${i}`,
        type: 'student',
        department: '计算机学院',
        status: 'active',
      });
      const recipient = i < 12;
      // Recipients eat ¥6 lunches for 10 days, get ¥200, then eat ¥12 ones; the others ¥10 throughout.
      for (let d = 1; d <= 10; d++) {
        rows.push(operation('payment', cardNo, anchor - d, recipient ? 600 : 1_000));
        rows.push(operation('payment', cardNo, anchor + d - 1, recipient ? 1_200 : 1_000));
      }
      if (recipient) rows.push(operation('subsidy', cardNo, anchor, 20_000));
      // December: only 9 get a subsidy.
      if (i < 9) rows.push(operation('subsidy', cardNo, later, 20_000));
      rows.push(operation('payment', cardNo, later - 1, 800), operation('payment', cardNo, later, 800));
    }
    await store.replaceHolders(holders);
    await store.putOperations(rows);

    const november = await subsidyEffect(store, '2025-11');
    assert.deepEqual(
      {
        firstDay: november.firstDay,
        recipients: november.recipients,
        subsidyFen: november.subsidyFen,
        windowDays: november.windowDays,
      },
      { firstDay: '2025-11-10', recipients: 12, subsidyFen: 240_000, windowDays: 28 },
    );
    assert.deepEqual(november.subsidised, {
      suppressed: false,
      students: 12,
      before: { campusDays: 120, mealsPerDay: 1, mealSpendPerDayFen: 600, otherSpendPerDayFen: 0 },
      after: { campusDays: 120, mealsPerDay: 1, mealSpendPerDayFen: 1_200, otherSpendPerDayFen: 0 },
    });
    assert.deepEqual(november.others, {
      suppressed: false,
      students: 12,
      before: { campusDays: 120, mealsPerDay: 1, mealSpendPerDayFen: 1_000, otherSpendPerDayFen: 0 },
      after: { campusDays: 120, mealsPerDay: 1, mealSpendPerDayFen: 1_000, otherSpendPerDayFen: 0 },
    });

    const december = await subsidyEffect(store, '2025-12');
    assert.deepEqual(
      [december.recipients, december.subsidyFen, december.subsidised, december.others.suppressed],
      [null, null, { suppressed: true }, false],
    );
    const none = await subsidyEffect(store, '2025-10');
    assert.deepEqual(
      [none.firstDay, none.subsidised, none.others],
      [null, { suppressed: true }, { suppressed: true }],
    );
  } finally {
    store.close();
  }
});
