import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectHiddenNeed, hiddenNeedCandidates, hiddenNeedDefaults } from '../src/insight/hidden-need.ts';
import { InsightStore, type MonthFigures } from '../src/insight/insight-store.ts';
import { personInsight } from '../src/insight/person-insight.ts';
import { spendingStructure, spendingStructureOf } from '../src/insight/spending-structure.ts';
import { generateCampus } from '../src/insight/synthetic-campus.ts';

/** A cohort of twelve regular students: 25 days on campus, about 2.4 meals a day at about 12 yuan. */
function cohort(month: string, department = '计算机学院'): MonthFigures[] {
  return Array.from({ length: 12 }, (_, i) => ({
    cardNo: `R${i}`,
    department,
    month,
    campusDays: 25,
    meals: 58 + i,
    mealSpend: (58 + i) * (1_150 + i * 10),
    otherSpend: 8_000,
  }));
}

test('when a student is on campus but takes few and cheap meals, then they are a candidate with the reasons; an away student, an off-campus eater and a frugal eater are not', () => {
  // Goal: days on campus come first, and both gates (meals and price) must hold.
  const month = '2025-11';
  const figures: MonthFigures[] = [
    ...cohort(month),
    {
      cardNo: 'NEEDY',
      department: '计算机学院',
      month,
      campusDays: 26,
      meals: 33,
      mealSpend: 33 * 600,
      otherSpend: 500,
    },
    // Away: few meals in the month because they were on campus six days, eating normally then.
    {
      cardNo: 'AWAY',
      department: '计算机学院',
      month,
      campusDays: 6,
      meals: 14,
      mealSpend: 14 * 600,
      otherSpend: 0,
    },
    // Off campus: few canteen meals, at a normal price, and spending elsewhere.
    {
      cardNo: 'OUT',
      department: '计算机学院',
      month,
      campusDays: 27,
      meals: 25,
      mealSpend: 25 * 1_300,
      otherSpend: 30_000,
    },
    // Frugal: cheap meals, but as many as anyone.
    {
      cardNo: 'FRUGAL',
      department: '计算机学院',
      month,
      campusDays: 25,
      meals: 60,
      mealSpend: 60 * 700,
      otherSpend: 4_000,
    },
  ];
  const candidates = detectHiddenNeed(figures, month);
  assert.deepEqual(
    candidates.map((c) => c.cardNo),
    ['NEEDY'],
  );
  const [needy] = candidates;
  assert.equal(needy?.cohort, '计算机学院');
  assert.deepEqual(
    needy?.reasons.map((r) => r.code),
    ['few_meals', 'cheap_meals', 'little_other_spending'],
  );
  // Thresholds are the aid office's: a stricter price gate leaves this student out.
  assert.deepEqual(detectHiddenNeed(figures, month, { spendRatioMax: 0.4 }), []);
  // And a lower bar for days on campus brings no away student in: their meals per day are normal.
  assert.deepEqual(
    detectHiddenNeed(figures, month, { campusDaysMin: 1 }).map((c) => c.cardNo),
    ['NEEDY'],
  );
});

test('when a student eats less than in their own earlier months, then the candidate says so and ranks higher; a department under k students is compared with everyone', () => {
  const figures: MonthFigures[] = [
    ...cohort('2025-10'),
    ...cohort('2025-11'),
    // The same figures this month for both, but one of them ate normally last month.
    {
      cardNo: 'FELL',
      department: '计算机学院',
      month: '2025-10',
      campusDays: 25,
      meals: 60,
      mealSpend: 60 * 1_150,
      otherSpend: 8_000,
    },
    {
      cardNo: 'FELL',
      department: '计算机学院',
      month: '2025-11',
      campusDays: 26,
      meals: 36,
      mealSpend: 36 * 700,
      otherSpend: 8_000,
    },
    {
      cardNo: 'STEADY',
      department: '计算机学院',
      month: '2025-10',
      campusDays: 25,
      meals: 36,
      mealSpend: 36 * 700,
      otherSpend: 8_000,
    },
    {
      cardNo: 'STEADY',
      department: '计算机学院',
      month: '2025-11',
      campusDays: 26,
      meals: 36,
      mealSpend: 36 * 700,
      otherSpend: 8_000,
    },
    // A department of one: not its own yardstick (k = 10).
    {
      cardNo: 'SMALL',
      department: '艺术学院',
      month: '2025-11',
      campusDays: 26,
      meals: 30,
      mealSpend: 30 * 600,
      otherSpend: 8_000,
    },
  ];
  const candidates = detectHiddenNeed(figures, '2025-11');
  const order = candidates.map((c) => c.cardNo);
  assert.deepEqual([...order].sort(), ['FELL', 'SMALL', 'STEADY']);
  assert.ok(order.indexOf('FELL') < order.indexOf('STEADY'), 'the fall ranks the same figures higher');
  const fell = candidates.find((c) => c.cardNo === 'FELL');
  assert.ok(fell?.reasons.some((r) => r.code === 'falling'));
  assert.ok(!candidates.find((c) => c.cardNo === 'STEADY')?.reasons.some((r) => r.code === 'falling'));
  assert.equal(candidates.find((c) => c.cardNo === 'SMALL')?.cohort, '*');
});

test('when the synthetic campus is generated twice with one seed, then the rows are the same; another seed differs', () => {
  const a = generateCampus({ seed: 11, students: 30, firstDay: '2025-09-01', lastDay: '2025-09-30' });
  const b = generateCampus({ seed: 11, students: 30, firstDay: '2025-09-01', lastDay: '2025-09-30' });
  const c = generateCampus({ seed: 12, students: 30, firstDay: '2025-09-01', lastDay: '2025-09-30' });
  assert.deepEqual(a.operations, b.operations);
  assert.deepEqual([...a.needyMonths], [...b.needyMonths]);
  assert.notDeepEqual(a.operations, c.operations);
});

test('when a planted term goes through the DuckDB store, then the needy are found at precision and recall of 0.8 or more and no away student is flagged', async () => {
  // Goal: the whole path the evaluation measures (store figures → detector), on a smaller campus than eval:insight.
  const campus = generateCampus({ seed: 3, students: 240, firstDay: '2025-09-01', lastDay: '2025-11-30' });
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    await store.replaceMerchants(campus.merchants);
    await store.replaceHolders(campus.holders);
    await store.putOperations(campus.operations);
    await store.putAttendance(campus.attendance);
    const profile = new Map(campus.students.map((s) => [s.cardNo, s.profile]));
    let truePositives = 0;
    let flagged = 0;
    for (const month of campus.months) {
      const candidates = await hiddenNeedCandidates(store, month);
      // The store sums the earlier months for the trend; the same as the detector summing them.
      assert.deepEqual(candidates, detectHiddenNeed(await store.monthFigures('2025-01', month), month));
      flagged += candidates.length;
      // The medians and ratios are taken in DuckDB and only the cards under both ratios cross into
      // JavaScript: the same candidates as the detector over every figure, under other thresholds too
      // (a wider and a narrower net, every student as the one cohort, a few days on campus, a steep fall).
      const figures = await store.monthFigures('2025-01', month);
      for (const thresholds of [
        { mealsRatioMax: 1, spendRatioMax: 1 },
        { mealsRatioMax: 0.6, spendRatioMax: 0.5 },
        { campusDaysMin: 1, cohortSizeMin: 1_000 },
        { campusDaysMin: 18, mealsRatioMax: 0.9, spendRatioMax: 0.95, cohortSizeMin: 40, fallingRatioMax: 1 },
      ]) {
        const full = detectHiddenNeed(figures, month, thresholds);
        assert.deepEqual(
          await hiddenNeedCandidates(store, month, thresholds),
          full,
          JSON.stringify(thresholds),
        );
        if (thresholds.mealsRatioMax === 1)
          assert.ok(full.length > candidates.length, `${full.length} under 1 and 1`);
      }
      const handed = await store.hiddenNeedInput(month, '2024-12', { ...hiddenNeedDefaults });
      assert.ok(
        handed.length < figures.filter((f) => f.month === month).length / 4,
        `${handed.length} cards handed over`,
      );
      for (const c of candidates) {
        assert.notEqual(profile.get(c.cardNo), 'away', `${c.cardNo} is away, not in need`);
        if (campus.needyMonths.has(`${c.cardNo}|${month}`)) truePositives += 1;
      }
    }
    // One card's figures (the student's own 我的数据) are that card's rows of the whole month's.
    const [cardNo, needyMonth] = [...campus.needyMonths][0]?.split('|') ?? [];
    assert.ok(cardNo !== undefined && needyMonth !== undefined);
    const all = await store.monthFigures(campus.months[0] ?? '', '2025-11');
    assert.deepEqual(
      await store.monthFigures(campus.months[0] ?? '', '2025-11', cardNo),
      all.filter((f) => f.cardNo === cardNo),
    );
    const own = await personInsight(store, cardNo, Date.parse('2025-11-30T12:00:00Z'), 400);
    assert.deepEqual(
      own.months.map((m) => m.month),
      all.filter((f) => f.cardNo === cardNo).map((f) => f.month),
    );
    assert.equal(
      own.flags.hiddenNeed,
      (await hiddenNeedCandidates(store, '2025-11')).some((c) => c.cardNo === cardNo),
    );
    assert.equal(own.retentionDays, 400);
    await assert.rejects(personInsight(store, 'NO-SUCH-CARD', Date.now(), 400), /NOT_FOUND|holds nothing/);
    // The department report from the store: every department of the planted campus is big enough.
    const report = await spendingStructureOf(store, needyMonth);
    assert.ok(report.items.length > 1 && report.items.every((g) => !g.suppressed));
    assert.equal(
      report.items.reduce((n, g) => n + (g.suppressed ? 0 : g.students), 0),
      all.filter((f) => f.month === needyMonth).length,
    );
    assert.ok(campus.needyMonths.size >= 10, `planted ${campus.needyMonths.size}`);
    assert.ok(truePositives / flagged >= 0.8, `precision ${truePositives}/${flagged}`);
    assert.ok(
      truePositives / campus.needyMonths.size >= 0.8,
      `recall ${truePositives}/${campus.needyMonths.size}`,
    );
  } finally {
    store.close();
  }
});

test('when a department has fewer than 10 students in the month, then the spending report names it without figures and gives no total to subtract from', () => {
  // Goal: k ≥ 10 in aggregate reports; a group of 9 shows no figure, a group of 10 shows its sums.
  const month = '2025-11';
  const figures: MonthFigures[] = [
    ...cohort(month, '计算机学院').slice(0, 10),
    ...cohort(month, '外国语学院').slice(0, 9),
    ...cohort('2025-10', '外国语学院'),
  ];
  const report = spendingStructure(figures, month);
  assert.equal(report.groupSizeMin, 10);
  assert.deepEqual(report.items[1], { group: '外国语学院', suppressed: true });
  const shown = report.items[0];
  assert.ok(shown !== undefined && !shown.suppressed && shown.group === '计算机学院');
  const ten = cohort(month).slice(0, 10);
  assert.equal(shown.students, 10);
  assert.equal(
    shown.meals,
    ten.reduce((n, f) => n + f.meals, 0),
  );
  assert.equal(
    shown.mealSpendFen,
    ten.reduce((n, f) => n + f.mealSpend, 0),
  );
  assert.equal(shown.spendPerStudentFen, Math.floor((shown.mealSpendFen + shown.otherSpendFen) / 10));
  assert.equal(Object.keys(report).sort().join(), 'by,groupSizeMin,items,month');
});

test('when a term reaches the store in pieces, late, twice and across a category change and a prune, then the summaries equal the copied rows', async () => {
  // Goal: the month figures and canteen slots the pages read are refreshed incrementally (dirty days),
  // idempotently, and always give what the copied rows give (the same as one load of everything).
  const campus = generateCampus({ seed: 9, students: 60, firstDay: '2025-09-01', lastDay: '2025-10-31' });
  const ops = [...campus.operations].sort((a, b) => a.createdAtMs - b.createdAtMs);
  const half = Math.floor(ops.length / 2);
  const whole = await InsightStore.open({ path: ':memory:' });
  const pieces = await InsightStore.open({ path: ':memory:' });
  const late = await InsightStore.open({ path: ':memory:' });
  try {
    for (const store of [whole, pieces, late]) {
      await store.replaceMerchants(campus.merchants);
      await store.replaceHolders(campus.holders);
    }
    await whole.putOperations(ops);
    await whole.putAttendance(campus.attendance);
    const expected = await whole.monthFigures('2025-01', '2025-12');
    assert.equal(expected.length > 100, true, `figures ${expected.length}`);

    // In two pieces with a read between, the first piece's last 500 rows again (the overlap window),
    // the sign-ins last, then a refresh with nothing new: the same figures.
    await pieces.putOperations(ops.slice(0, half));
    assert.notDeepEqual(await pieces.monthFigures('2025-01', '2025-12'), expected);
    await pieces.putOperations(ops.slice(half - 500));
    await pieces.putAttendance(campus.attendance);
    assert.equal((await pieces.refresh()) > 0, true);
    assert.equal(await pieces.refresh(), 0);
    assert.deepEqual(await pieces.monthFigures('2025-01', '2025-12'), expected);

    // A canteen that becomes a shop moves its payments out of the meals; back again, back as before.
    await pieces.replaceMerchants(
      campus.merchants.map((m) => (m.id === 'CANTEEN2' ? { ...m, category: 'shop' } : m)),
    );
    const moved = await pieces.monthFigures('2025-01', '2025-12');
    assert.ok(moved.reduce((n, f) => n + f.meals, 0) < expected.reduce((n, f) => n + f.meals, 0));
    await pieces.replaceMerchants(campus.merchants);
    assert.deepEqual(await pieces.monthFigures('2025-01', '2025-12'), expected);

    // Canteen slots over a range that starts and ends inside a day: whole days from the summary, the
    // part-days from the rows, together what the rows give.
    const fromMs = Date.parse('2025-09-10T05:20:00Z');
    const toMs = Date.parse('2025-09-20T04:10:00Z');
    const canteens = new Set(campus.merchants.filter((m) => m.category === 'canteen').map((m) => m.id));
    const counted = new Map<string, number>();
    for (const o of ops) {
      if (o.kind !== 'payment' || o.outcome !== 'ok' || !canteens.has(o.merchantId ?? '')) continue;
      if (o.createdAtMs < fromMs || o.createdAtMs >= toMs) continue;
      const slot = Math.floor(((o.createdAtMs + 8 * 3_600_000) % 86_400_000) / 900_000);
      const key = `${o.deviceId ?? o.merchantId}|${o.createdDay}|${slot}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
    const slots = await pieces.slotCounts(fromMs, toMs);
    assert.deepEqual(new Map(slots.map((s) => [`${s.window}|${s.day}|${s.slot}`, s.count])), counted);
    assert.ok(counted.size > 50);

    // Pruned at a cut inside a day: the same as a store that only ever held the rows after the cut.
    const cutMs = Date.parse('2025-10-12T03:00:00Z');
    await pieces.prune(cutMs);
    await late.putOperations(ops.filter((o) => o.createdAtMs >= cutMs));
    await late.putAttendance(campus.attendance.filter((a) => a.recordedAtMs >= cutMs));
    assert.deepEqual(
      await pieces.monthFigures('2025-01', '2025-12'),
      await late.monthFigures('2025-01', '2025-12'),
    );
    assert.deepEqual(
      await pieces.slotCounts(cutMs, toMs + 40 * 86_400_000),
      await late.slotCounts(cutMs, toMs + 40 * 86_400_000),
    );
  } finally {
    for (const store of [whole, pieces, late]) store.close();
  }
});
