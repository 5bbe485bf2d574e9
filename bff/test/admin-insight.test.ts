import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Admins, openCard, requestId, signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

describe('admin: campus insight, hidden-need candidates and attendance warnings', () => {
  let world: TestWorld;
  let tokens: Admins;
  let needy = '';
  let absentHere = '';
  let absentThere = '';
  // The first of the twelve regular eaters is bound in the mini-program: the 我的数据 test's student.
  let me: Awaited<ReturnType<typeof boundStudent>> | undefined;
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  // One day of data: every student is on campus one day and took one meal, so the test loosens the
  // days and meals gates and lets the price gate decide.
  const loosened = `month=${month}&campusDaysMin=1&mealsRatioMax=1&spendRatioMax=0.7`;

  before(async () => {
    world = await startWorld(
      {},
      {
        coreEnv: {
          INSIGHT_DB_PATH: join(mkdtempSync(join(tmpdir(), 'cc-bff-insight-')), 'insight.duckdb'),
          INSIGHT_INTERVAL_MS: '1000',
        },
      },
    );
    tokens = await signedInAdmins(world);
    const client = world.core.client;
    const canteen = await client.createMerchant({
      id: `IN${Date.now().toString(36).slice(-6).toUpperCase()}`,
      name: '第二食堂',
      category: 'canteen',
    });
    await client.registerDevice({ id: '401', kind: 'pos', merchantId: canteen.id });
    // Twelve students eat at about 12 yuan a meal; one pays 3 yuan.
    for (let i = 0; i <= 12; i++) {
      if (i === 0) me = await boundStudent(world, { department: '计算机学院' });
      const cardNo = i === 0 && me ? me.cardNo : await openCard(world, '计算机学院');
      if (i === 12) needy = cardNo;
      await client.topUp({ id: requestId(), cardNo, amount: 5_000, channel: 'cash' });
      const answer = await client.pay({
        id: requestId(),
        cardNo,
        merchantId: canteen.id,
        deviceId: '401',
        amount: i === 12 ? 300 : 1_150 + i * 10,
      });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
    // Five classes missed by the needy student (计算机学院) and by one of 外国语学院: counsellors' warnings.
    absentHere = (await client.getCard(needy)).personNo;
    absentThere = (await client.getCard(await openCard(world, '外国语学院'))).personNo;
    for (let d = 5; d >= 1; d--) {
      const startsAtMs = Date.now() - d * 86_400_000;
      await client.putAttendanceSession({
        id: `IB${d}${Date.now().toString(36)}`.slice(0, 32),
        kind: 'class',
        title: '大学英语',
        startsAtMs,
        endsAtMs: startsAtMs + 6_000_000,
        signInFromMs: startsAtMs - 600_000,
        signInUntilMs: startsAtMs + 600_000,
        roster: [absentHere, absentThere],
      });
    }
    // The extract runs every second; wait for one that has copied the last payment. A run on a loaded
    // machine can take far longer than a second (CI once gave up after 20 s and found nothing), so wait
    // up to 2 minutes and say so if it never came.
    const lastMs = Date.now();
    let copied = false;
    for (const waitUntil = Date.now() + 120_000; !copied && Date.now() < waitUntil; ) {
      const { sources } = await client.insightHiddenNeed({ month });
      copied = (sources.find((x) => x.source === 'operations')?.runAtMs ?? 0) > lastMs + 1_000;
      if (!copied) await sleep(200);
    }
    assert.ok(copied, 'no extract run copied the last payment within 2 minutes');
  });
  after(() => world.stop());

  test('when roles other than super and the aid office ask for the candidates, then 403; when super asks without a reason, then 400 and nothing is recorded', async () => {
    // Goal: the right insight.aid is the aid office's and super's only, and no view happens without a stated reason.
    for (const role of ['card_operator', 'finance', 'auditor', 'department_admin'] as const) {
      const reply = await world.request('GET', `${api}/insight/hidden-need?${loosened}&reason=资助审核`, {
        token: tokens[role],
      });
      assert.equal(reply.status, 403, role);
      assert.equal(reply.body.code, 'FORBIDDEN');
    }
    const bare = await world.request('GET', `${api}/insight/hidden-need?${loosened}`, {
      token: tokens.super_admin,
    });
    assert.equal(bare.status, 400, JSON.stringify(bare.body));
    const audit = await world.core.client.searchAudit({ action: 'insight.hidden_need.view', limit: 10 });
    assert.equal(audit.items.length, 0);
  });

  test('when super asks with a reason, then the student who pays far less per meal is the one candidate with the reasons, and the view is on the audit trail with that reason', async () => {
    const reason = encodeURIComponent('2025秋季学期隐形资助初审');
    const reply = await world.request<{
      total: number;
      items: { cardNo: string; reasons: { code: string }[] }[];
    }>('GET', `${api}/insight/hidden-need?${loosened}&reason=${reason}`, { token: tokens.super_admin });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(
      reply.body.items.map((c) => c.cardNo),
      [needy],
    );
    assert.ok(reply.body.items[0]?.reasons.some((r) => r.code === 'cheap_meals'));
    const audit = await world.core.client.searchAudit({ action: 'insight.hidden_need.view', limit: 10 });
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]?.targetId, month);
    assert.equal(
      (audit.items[0]?.detail as { reason?: string } | undefined)?.reason,
      '2025秋季学期隐形资助初审',
    );
  });

  test('when the counsellor asks for attendance warnings with a reason, then only the absent student of their own department is listed with the missed classes, and the view is audited; the aid office may not look', async () => {
    // Goal: insight.warnings is department-scoped by the account, not by the query, and every view is recorded.
    const reason = encodeURIComponent('期中学业预警');
    const bare = await world.request('GET', `${api}/insight/attendance-warnings`, {
      token: tokens.counsellor,
    });
    assert.equal(bare.status, 400, 'a reason is required');
    const denied = await world.request('GET', `${api}/insight/attendance-warnings?reason=${reason}`, {
      token: tokens.aid_office,
    });
    assert.equal(denied.status, 403);
    const reply = await world.request<{
      department: string;
      items: { personNo: string; reasons: { code: string }[]; missed: { title: string }[] }[];
    }>(
      'GET',
      `${api}/insight/attendance-warnings?reason=${reason}&department=${encodeURIComponent('外国语学院')}`,
      {
        token: tokens.counsellor,
      },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.department, '计算机学院', 'the query cannot widen the scope');
    assert.deepEqual(
      reply.body.items.map((w) => [w.personNo, w.reasons.map((r) => r.code), w.missed.length]),
      [[absentHere, ['absence_streak'], 5]],
    );
    const everyone = await world.request<{ items: { personNo: string }[] }>(
      'GET',
      `${api}/insight/attendance-warnings?reason=${reason}`,
      { token: tokens.super_admin },
    );
    assert.deepEqual(everyone.body.items.map((w) => w.personNo).sort(), [absentHere, absentThere].sort());
    const audit = await world.core.client.searchAudit({
      action: 'insight.attendance_warnings.view',
      limit: 10,
    });
    assert.deepEqual(audit.items.map((a) => [a.targetId, (a.detail as { reason?: string }).reason]).sort(), [
      ['*', '期中学业预警'],
      ['计算机学院', '期中学业预警'],
    ]);
  });

  test('when the aid office approves candidates, then they become one subsidy draft for finance to approve; a card that is no candidate, a bad amount and a second batch for the month are refused', async () => {
    // Goal: the hand-over to the maker–checker subsidy flow takes only that month's candidates, once.
    const thresholds = { campusDaysMin: 1, mealsRatioMax: 1, spendRatioMax: 0.7 };
    const post = (body: Record<string, unknown>) =>
      world.request<{
        code?: string;
        status?: string;
        validCount?: number;
        totalAmount?: number;
        id?: string;
      }>('POST', `${api}/insight/hidden-need/batch`, {
        token: tokens.aid_office,
        body: { month, reason: '隐形资助复核通过', thresholds, ...body },
      });
    const stranger = await openCard(world, '计算机学院');
    const outside = await post({ cardNos: [needy, stranger], amountFen: 20_000 });
    assert.equal(outside.status, 400, JSON.stringify(outside.body));
    assert.equal(outside.body.code, 'VALIDATION_FAILED');
    assert.equal((await post({ cardNos: [needy], amountFen: 0 })).status, 400);
    assert.equal((await post({ cardNos: [needy], amountFen: 12.5 })).status, 400, 'fen are whole');
    const made = await post({ cardNos: [needy], amountFen: 20_000 });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(
      { status: made.body.status, validCount: made.body.validCount, totalAmount: made.body.totalAmount },
      { status: 'draft', validCount: 1, totalAmount: 20_000 },
    );
    const again = await post({ cardNos: [needy], amountFen: 20_000 });
    assert.equal(again.status, 400, 'a retried click makes no second batch');
    const audit = await world.core.client.searchAudit({ action: 'insight.hidden_need.batch', limit: 10 });
    assert.deepEqual(
      audit.items.map((a) => a.targetId),
      [made.body.id],
    );
  });

  test('when a signed-in student asks for 我的数据, then they get what insight holds about their own card and the retention period; no path reaches another card', async () => {
    // Goal: the student's own profile page reads the session's card only, and says whether a flag exists.
    assert.ok(me);
    type Mine = {
      held: boolean;
      cardNo?: string;
      months?: { month: string; meals: number; mealSpendFen: number; campusDays: number }[];
      flags?: { hiddenNeed: boolean; attendanceWarning: boolean };
      retentionDays?: number;
    };
    const reply = await world.request<Mine>('GET', '/api/v1/my-data', { token: me.accessToken });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.held, true);
    assert.equal(reply.body.cardNo, me.cardNo);
    assert.deepEqual(reply.body.months, [
      { month, campusDays: 1, meals: 1, mealSpendFen: 1_150, otherSpendFen: 0 },
    ]);
    // Under the office's default thresholds one day on campus is not assessed; no class was rostered.
    assert.deepEqual(reply.body.flags, { hiddenNeed: false, attendanceWarning: false });
    assert.equal(reply.body.retentionDays, 400);
    const asking = await world.request<Mine>('GET', `/api/v1/my-data?cardNo=${needy}`, {
      token: me.accessToken,
    });
    assert.equal(asking.body.cardNo, me.cardNo, 'a query names no other card');
    assert.equal(
      (await world.request('GET', `/api/v1/my-data/${needy}`, { token: me.accessToken })).status,
      404,
    );
    assert.equal((await world.request('GET', '/api/v1/my-data')).status, 401);
  });

  test('when a student reports an absence in the app and counsellors decide, then only the counsellor of their department decides it, once, with the decision audited; a student cannot cancel a decided one', async () => {
    // Goal: 请假 — the student reports for their own bound card (retry-safe), the counsellor's list and
    // decisions are their department's only (403 otherwise), a rejection needs a reason.
    assert.ok(me);
    const day = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const body = {
      requestId: requestId(),
      kind: 'sick',
      from: `${day} 08:00`,
      to: `${day} 18:00`,
      reason: '发烧，回家休息',
      offCampus: true,
    };
    type Row = { id: string; status: string; cardNo: string; department: string; holderName?: string };
    const first = await world.request<Row>('POST', '/api/v1/absences', { token: me.accessToken, body });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const again = await world.request<Row>('POST', '/api/v1/absences', { token: me.accessToken, body });
    assert.equal(again.body.id, first.body.id, 'a retried report is one absence');
    assert.equal(first.body.cardNo, me.cardNo);
    const backwards = await world.request<{ code: string }>('POST', '/api/v1/absences', {
      token: me.accessToken,
      body: { ...body, requestId: requestId(), from: `${day} 18:00`, to: `${day} 08:00` },
    });
    assert.equal(backwards.status, 400);
    const mine = await world.request<{ items: Row[] }>('GET', '/api/v1/absences', { token: me.accessToken });
    assert.deepEqual(
      mine.body.items.map((a) => [a.id, a.status]),
      [[first.body.id, 'pending']],
    );
    // A student of 外国语学院 (reported through the core: that student has no app here).
    const there = await world.core.client.reportAbsence({
      requestId: requestId(),
      cardNo: await openCard(world, '外国语学院'),
      kind: 'personal',
      from: `${day} 08:00`,
      to: `${day} 12:00`,
      reason: '家中有事',
    });
    const listed = await world.request<{ items: Row[] }>('GET', `${api}/absences?status=pending`, {
      token: tokens.counsellor,
    });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.items.map((a) => [a.id, a.department, a.holderName !== null]),
      [[first.body.id, '计算机学院', true]],
    );
    const superList = await world.request<{ items: Row[] }>('GET', `${api}/absences?status=pending`, {
      token: tokens.super_admin,
    });
    assert.deepEqual(superList.body.items.map((a) => a.id).sort(), [first.body.id, there.id].sort());
    const decide = (id: string, token: string | undefined, decision: string, note?: string) =>
      world.request<Row & { code?: string }>('POST', `${api}/absences/${id}/decide`, {
        token,
        body: { decision, ...(note ? { note } : {}) },
      });
    assert.equal((await decide(there.id, tokens.counsellor, 'approved')).status, 403);
    assert.equal((await decide(first.body.id, tokens.aid_office, 'approved')).status, 403);
    assert.equal((await decide(first.body.id, tokens.counsellor, 'rejected')).status, 400, 'no reason');
    const approved = await decide(first.body.id, tokens.counsellor, 'approved');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'approved');
    assert.equal((await decide(first.body.id, tokens.counsellor, 'approved')).status, 200, 'a retry');
    const other = await decide(first.body.id, tokens.counsellor, 'rejected', '材料不全');
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'ABSENCE_DECIDED');
    const audit = await world.core.client.searchAudit({ action: 'absence.approve', limit: 10 });
    assert.deepEqual(
      audit.items.map((a) => a.targetId),
      [first.body.id],
    );
    const cancel = await world.request<{ code: string }>('POST', `/api/v1/absences/${first.body.id}/cancel`, {
      token: me.accessToken,
    });
    assert.equal(cancel.status, 409);
    assert.equal(cancel.body.code, 'ABSENCE_DECIDED');
    const foreign = await world.request('POST', `/api/v1/absences/${there.id}/cancel`, {
      token: me.accessToken,
    });
    assert.equal(foreign.status, 404, "another student's absence reads as missing");
  });
});
