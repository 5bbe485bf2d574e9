import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, openStudent, startTestCore } from '@campus-card/tests/kit';
import { WeeklyAttendanceSummary } from '../src/insight/attendance-summary.ts';
import { detectAttendanceWarnings, type LateReturn } from '../src/insight/attendance-warnings.ts';
import { InsightStore, type RosterFact } from '../src/insight/insight-store.ts';
import { LedgerSource } from '../src/insight/ledger-source.ts';
import { plantDropouts } from '../src/insight/synthetic-attendance.ts';
import { generateCampus } from '../src/insight/synthetic-campus.ts';
import { NoticeRepository } from '../src/notices/notice-repository.ts';
import { dayBoundsMs, parseDay, shanghaiDay } from '../src/time.ts';

const dayMs = 86_400_000;
const asOfMs = Date.UTC(2025, 11, 20);

/** Twenty weekday classes of one group of eleven, the last ending yesterday; who attends is given. */
function classes(attends: (person: string, i: number) => boolean): RosterFact[] {
  const facts: RosterFact[] = [];
  for (let i = 0; i < 20; i++) {
    const startsAtMs = asOfMs - (20 - i) * dayMs;
    for (let p = 0; p < 11; p++) {
      const personNo = p === 0 ? 'S0' : `O${p}`;
      facts.push({
        sessionId: `L${i}`,
        title: '高等数学',
        startsAtMs,
        personNo,
        attended: attends(personNo, i),
      });
    }
  }
  return facts;
}

const seen = (personNo: string, lastMs: number | null) => ({
  personNo,
  cardNo: `C-${personNo}`,
  department: '计算机学院',
  lastMs,
});

test('when a student misses their last classes while the class attends, then the counsellor is warned with the streak, the fall against the class and the missed sessions', () => {
  const facts = classes((p, i) => p !== 'S0' || i < 12);
  const students = [
    seen('S0', asOfMs - 3_600_000),
    ...Array.from({ length: 10 }, (_, i) => seen(`O${i + 1}`, asOfMs)),
  ];
  const warnings = detectAttendanceWarnings(facts, students, asOfMs);
  assert.deepEqual(
    warnings.map((w) => w.personNo),
    ['S0'],
  );
  const [w] = warnings;
  assert.deepEqual(w?.reasons, [
    { code: 'absence_streak', missed: 8 },
    { code: 'falling', recentRate: 0.43, earlierRate: 1, classRate: 1 },
  ]);
  assert.equal(w?.missed.length, 8);
  assert.equal(w?.missed[0]?.sessionId, 'L19', 'newest first');
  // Thresholds are tunable: a longer streak asked for leaves only the fall.
  assert.deepEqual(
    detectAttendanceWarnings(facts, students, asOfMs, { streakMin: 9 })[0]?.reasons.map((r) => r.code),
    ['falling'],
  );
});

test('when a student is not seen for days while classes are on, then they are warned; in a holiday with no classes nobody is', () => {
  const facts = classes((p, i) => p !== 'S0' || i < 17);
  const silent = detectAttendanceWarnings(facts, [seen('S0', asOfMs - 5 * dayMs)], asOfMs);
  assert.deepEqual(
    silent[0]?.reasons.find((r) => r.code === 'not_seen'),
    { code: 'not_seen', days: 5 },
  );
  // Seen at the last class, then a holiday with no classes: ten days of silence say nothing.
  const holiday = detectAttendanceWarnings(
    classes(() => true),
    [seen('S0', asOfMs - dayMs)],
    asOfMs + 10 * dayMs,
  );
  assert.deepEqual(holiday, []);
});

test('when an approved absence covers missed classes and silent days, then they are left out and the evidence says how many; uncovered ones still warn', () => {
  // Goal: 请假 — a student on approved leave is not warned for the days it covers.
  // S0 misses the last 8 classes (days −8 … −1) and is not seen for 5 days.
  const facts = classes((p, i) => p !== 'S0' || i < 12);
  const students = [
    seen('S0', asOfMs - 5 * dayMs),
    ...Array.from({ length: 10 }, (_, i) => seen(`O${i + 1}`, asOfMs)),
  ];
  const whole = { personNo: 'S0', fromMs: asOfMs - 9 * dayMs, toMs: asOfMs };
  assert.deepEqual(
    detectAttendanceWarnings(facts, students, asOfMs, {}, [], [whole]),
    [],
    'the whole absence is covered',
  );
  // Leave over the last three days only: a streak of 5 before it remains, 3 excused; 2 silent days are left.
  const part = { personNo: 'S0', fromMs: asOfMs - 3 * dayMs, toMs: asOfMs };
  const [w] = detectAttendanceWarnings(facts, students, asOfMs, {}, [], [part]);
  assert.deepEqual(
    w?.reasons.find((r) => r.code === 'absence_streak'),
    { code: 'absence_streak', missed: 5, excused: 3 },
  );
  assert.equal(
    w?.reasons.find((r) => r.code === 'not_seen'),
    undefined,
    '5 silent days less 3 on leave is 2',
  );
  assert.ok(
    w?.missed.every((m) => m.startsAtMs < part.fromMs),
    'the excused classes are not listed as missed',
  );
  // Someone else's absence excuses nothing.
  const others = detectAttendanceWarnings(facts, students, asOfMs, {}, [], [{ ...whole, personNo: 'O1' }]);
  assert.deepEqual(
    others[0]?.reasons.map((r) => r.code),
    ['absence_streak', 'falling', 'not_seen'],
  );
  const notSeen = detectAttendanceWarnings(facts, students, asOfMs, { silentDaysMin: 2 }, [], [part])[0];
  assert.deepEqual(
    notSeen?.reasons.find((r) => r.code === 'not_seen'),
    { code: 'not_seen', days: 2, excusedDays: 3 },
  );
});

test('when a planted term with dropouts goes through the DuckDB store, then every dropout is warned within three weeks and at most a few regular students are', async () => {
  // Goal: the path eval:insight measures (sessions and rosters in the store → detector), on a small campus.
  const campus = generateCampus({ seed: 9, students: 200, firstDay: '2025-10-01', lastDay: '2025-12-31' });
  const planted = plantDropouts(campus, { seed: 9, share: 0.1 });
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    await store.replaceHolders(campus.holders);
    await store.putOperations(planted.operations);
    await store.putAttendance(planted.attendance);
    await store.putSessions(planted.sessions);
    const facts = await store.rosterFacts(planted.firstMs, planted.lastMs);
    const profile = new Map(campus.students.map((s) => [s.cardNo, s.profile]));
    const dropouts = new Set(planted.dropouts.map((d) => d.personNo));
    const warned = new Set<string>();
    const regular = new Set<string>();
    for (let asOf = planted.lastMs - 21 * dayMs; asOf <= planted.lastMs; asOf += 7 * dayMs) {
      for (const w of detectAttendanceWarnings(facts, await store.lastSeen(asOf - 60 * dayMs, asOf), asOf)) {
        warned.add(w.personNo);
        if (profile.get(w.cardNo) === 'regular' && !dropouts.has(w.personNo)) regular.add(w.personNo);
      }
    }
    assert.ok(planted.dropouts.length >= 8, `planted ${planted.dropouts.length}`);
    const missed = planted.dropouts.filter(
      (d) => !warned.has(d.personNo) && d.fromMs < planted.lastMs - 7 * dayMs,
    );
    assert.deepEqual(missed, []);
    assert.ok(regular.size <= 4, `regular students warned: ${[...regular]}`);
  } finally {
    store.close();
  }
});

test('when a student comes back to the dorm after its curfew on three nights of the last two weeks, then the counsellor is warned with the nights; two nights, or older ones, do not warn', () => {
  // Goal (#17): late returns to the dorm from the passage domain as an attendance warning.
  const facts = classes(() => true);
  const students = [seen('S0', asOfMs), ...Array.from({ length: 10 }, (_, i) => seen(`O${i + 1}`, asOfMs))];
  const night = (personNo: string, daysAgo: number): LateReturn => {
    const occurredAtMs = asOfMs - daysAgo * dayMs + 3_600_000;
    return { personNo, day: shanghaiDay(occurredAtMs), occurredAtMs };
  };
  const late = [
    night('S0', 2),
    night('S0', 5),
    night('S0', 9),
    // Two buildings on one night count once; O1 has two recent nights and one 20 days ago.
    night('O1', 3),
    { ...night('O1', 3), occurredAtMs: night('O1', 3).occurredAtMs + 60_000 },
    night('O1', 4),
    night('O1', 20),
  ];
  const warnings = detectAttendanceWarnings(facts, students, asOfMs, {}, late);
  assert.deepEqual(
    warnings.map((w) => [w.personNo, w.reasons]),
    [['S0', [{ code: 'late_returns', nights: 3, days: 14, lastMs: night('S0', 2).occurredAtMs }]]],
  );
  // Tunable: two nights asked for warns O1 too.
  assert.deepEqual(
    detectAttendanceWarnings(facts, students, asOfMs, { lateReturnsMin: 2 }, late).map((w) => w.personNo),
    ['O1', 'S0'],
  );
});

for (const dialect of dialects) {
  test(`when the passage domain has recorded late returns on ${dialect}, then the insight reads those in the window asked for, read only`, async () => {
    const t = await startTestCore(dialect);
    try {
      const { personNo } = await t.client.getCard(await openStudent(t.client));
      const nowMs = Date.now();
      const rows = [nowMs - 2 * dayMs, nowMs - 5 * dayMs, nowMs - 30 * dayMs].map((occurredAtMs) => ({
        personNo,
        day: shanghaiDay(occurredAtMs),
        occurredAtMs,
      }));
      // As the passage domain writes them when a resident comes in during the curfew (passage.md).
      for (const r of rows)
        await t.core.db.execute(
          'INSERT INTO passage_late_returns (person_no, building_id, day, device_id, occurred_at_ms) VALUES (?, ?, ?, ?, ?)',
          [r.personNo, 'B1', r.day, '701', r.occurredAtMs],
        );
      assert.deepEqual(await new LedgerSource(t.core.db).lateReturns(nowMs - 15 * dayMs, nowMs), [
        rows[1],
        rows[0],
      ]);
    } finally {
      await t.stop();
    }
  });
}

for (const dialect of dialects) {
  test(`when a week ends on ${dialect}, then each student with classes gets one notice of last week's attendance and late nights, once however often the job runs`, async () => {
    // Goal (#17): the weekly summary to the student, through the notices outbox.
    const t = await startTestCore(dialect);
    const store = await InsightStore.open({ path: ':memory:' });
    try {
      const cardNo = await openStudent(t.client);
      const { personNo, personId } = await t.client.getCard(cardNo);
      const monday = parseDay('2026-11-30') as number;
      const nowMs = dayBoundsMs(monday + 7).startMs + 9 * 3_600_000; // the next Monday 09:00
      await store.replaceHolders([
        { cardNo, personNo, type: 'student', department: '计算机学院', status: 'active' },
      ]);
      const sessions = [0, 2].map((d) => {
        const startsAtMs = dayBoundsMs(monday + d).startMs + 10 * 3_600_000;
        return {
          id: `WK${d}`,
          kind: 'class',
          title: '高等数学',
          startsAtMs,
          endsAtMs: startsAtMs + 5_400_000,
          createdAtMs: startsAtMs,
          roster: [personNo],
        };
      });
      await store.putSessions(sessions);
      await store.putAttendance([
        {
          sessionId: 'WK0',
          personNo,
          cardNo,
          deviceId: '1',
          source: 'online',
          recordedAtMs: (sessions[0]?.startsAtMs ?? 0) + 60_000,
        },
      ]);
      const lateAtMs = dayBoundsMs(monday + 3).startMs + 23.5 * 3_600_000;
      await t.core.db.execute(
        'INSERT INTO passage_late_returns (person_no, building_id, day, device_id, occurred_at_ms) VALUES (?, ?, ?, ?, ?)',
        [personNo, 'B1', shanghaiDay(lateAtMs), '701', lateAtMs],
      );
      const run = () =>
        new WeeklyAttendanceSummary(store, new LedgerSource(t.core.db), new NoticeRepository(t.core.db));
      const first = run();
      assert.equal((await first.run(nowMs)).length, 1);
      assert.deepEqual(await first.run(nowMs + 600_000), [], 'once a week per process');
      await run().run(nowMs + 1_200_000); // a restarted core sends it again: kept once
      const { items } = await t.client.personNotices(personId);
      const weekly = items.filter((n) => n.kind === 'insight_attendance_week');
      assert.equal(weekly.length, 1);
      assert.equal(
        weekly[0]?.body,
        '上周（11月30日—12月6日）您的课表上有 2 节课，签到 1 节（出勤率 50%）。有 1 晚在宿舍门禁时间后回宿舍。',
      );
    } finally {
      store.close();
      await t.stop();
    }
  });
}
