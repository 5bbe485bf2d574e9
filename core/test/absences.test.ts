import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { AbsenceSpendingAlerts } from '../src/insight/absence-spending.ts';
import { attendanceWarnings } from '../src/insight/attendance-warnings.ts';
import { ExtractService } from '../src/insight/extract-service.ts';
import { InsightStore } from '../src/insight/insight-store.ts';
import { LedgerSource } from '../src/insight/ledger-source.ts';
import { NoticeRepository } from '../src/notices/notice-repository.ts';

// Goal: 请假 — a student reports an absence with its bounds checked at the edge (order, length, not
// far in the past), a retried report is one absence; only the counsellor of the student's department
// decides it, once; the student cancels only their own pending one. An approved off-campus absence
// reaches the insight store through the extract, and two payments on campus during it alert the
// student once with the freeze button.
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** 'YYYY-MM-DD HH:mm' on the Shanghai clock. */
const shanghai = (ms: number) => new Date(ms + 8 * hourMs).toISOString().slice(0, 16).replace('T', ' ');
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CoreError ? e.code : `other: ${(e as Error).message}`),
  );
let serial = 0;
const requestId = () => `abs${process.pid}${Date.now().toString(36)}${++serial}`;

for (const dialect of dialects) {
  describe(`absences (请假), core on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    const report = (cardNo: string, fromMs: number, toMs: number, extra: Record<string, unknown> = {}) =>
      t.client.reportAbsence({
        requestId: requestId(),
        cardNo,
        kind: 'sick',
        from: shanghai(fromMs),
        to: shanghai(toMs),
        reason: '发烧，去校医院后回家休息',
        ...extra,
      });

    test('when a report is out of order, too long or starts far back, then it is refused and nothing is stored', async () => {
      const cardNo = await openStudent(t.client);
      const now = Date.now();
      assert.equal(await codeOf(report(cardNo, now + dayMs, now)), 'VALIDATION_FAILED');
      assert.equal(await codeOf(report(cardNo, now, now + 31 * dayMs)), 'VALIDATION_FAILED');
      assert.equal(await codeOf(report(cardNo, now - 10 * dayMs, now - 9 * dayMs)), 'ABSENCE_OUT_OF_RANGE');
      assert.equal(await codeOf(report(cardNo, now, now + dayMs, { kind: 'holiday' })), 'VALIDATION_FAILED');
      assert.equal(await codeOf(report(cardNo, now, now + dayMs, { reason: ' ' })), 'VALIDATION_FAILED');
      assert.equal(
        await codeOf(report(cardNo, now, now + dayMs, { from: '2026-13-01 08:00' })),
        'VALIDATION_FAILED',
      );
      assert.deepEqual((await t.client.absences({ cardNo })).items, []);
    });

    test('when a report is retried with its request id, then there is one absence, pending, in the Shanghai times given', async () => {
      const cardNo = await openStudent(t.client);
      const input = {
        requestId: requestId(),
        cardNo,
        kind: 'personal' as const,
        from: '2099-01-01 08:00',
        to: '2099-01-02 18:00',
        reason: '家中有事',
        offCampus: true,
      };
      // 2099 is beyond the 180 days ahead: the bound is checked on the first report.
      assert.equal(await codeOf(t.client.reportAbsence(input)), 'ABSENCE_OUT_OF_RANGE');
      const soon = Date.now() + 2 * dayMs;
      const day = shanghai(soon).slice(0, 10);
      const body = { ...input, from: `${day} 08:00`, to: `${day} 18:00` };
      const [a, b] = await Promise.all([t.client.reportAbsence(body), t.client.reportAbsence(body)]);
      assert.equal(a.id, b.id);
      assert.equal(a.status, 'pending');
      assert.equal(a.department, '计算机学院');
      assert.equal(a.offCampus, true);
      assert.equal(shanghai(a.fromMs), `${day} 08:00`);
      assert.equal(a.toMs - a.fromMs, 10 * hourMs);
      assert.equal((await t.client.absences({ cardNo })).items.length, 1);
    });

    test("when another department's counsellor decides, then ABSENCE_FORBIDDEN; the student's own decides once; a different second decision is ABSENCE_DECIDED", async () => {
      const cardNo = await openStudent(t.client);
      const now = Date.now();
      const absence = await report(cardNo, now, now + dayMs);
      const decide = (decision: 'approved' | 'rejected', department: string | null, note?: string) =>
        t.client.decideAbsence(absence.id, {
          decision,
          department,
          decidedBy: 'ADM1',
          ...(note ? { note } : {}),
        });
      assert.equal(await codeOf(decide('approved', '外国语学院')), 'ABSENCE_FORBIDDEN');
      assert.equal(
        await codeOf(decide('rejected', '计算机学院')),
        'VALIDATION_FAILED',
        'a rejection needs a reason',
      );
      assert.equal((await t.client.absence(absence.id)).status, 'pending');
      const codes = await Promise.all([
        codeOf(decide('approved', '计算机学院')),
        codeOf(decide('rejected', '计算机学院', '材料不全')),
      ]);
      const status = (await t.client.absence(absence.id)).status;
      assert.deepEqual(codes.sort(), ['ABSENCE_DECIDED', 'ok']);
      assert.equal(
        await codeOf(decide(status as 'approved' | 'rejected', '计算机学院', '材料不全')),
        'ok',
        'the same again',
      );
      assert.equal(await codeOf(t.client.cancelAbsence(absence.id, { cardNo })), 'ABSENCE_DECIDED');
      // A department's list is what its counsellor sees.
      const listed = await t.client.absences({ department: '计算机学院' });
      assert.ok(listed.items.some((a) => a.id === absence.id));
      assert.ok(
        !(await t.client.absences({ department: '外国语学院' })).items.some((a) => a.id === absence.id),
      );
    });

    test("when a student cancels another's absence, then ABSENCE_NOT_FOUND; their own pending one is cancelled", async () => {
      const cardNo = await openStudent(t.client);
      const other = await openStudent(t.client);
      const now = Date.now();
      const absence = await report(cardNo, now + hourMs, now + dayMs);
      assert.equal(await codeOf(t.client.cancelAbsence(absence.id, { cardNo: other })), 'ABSENCE_NOT_FOUND');
      assert.equal((await t.client.cancelAbsence(absence.id, { cardNo })).status, 'cancelled');
      assert.equal((await t.client.cancelAbsence(absence.id, { cardNo })).status, 'cancelled', 'a retry');
      assert.equal(
        await codeOf(
          t.client.decideAbsence(absence.id, { decision: 'approved', department: null, decidedBy: 'ADM1' }),
        ),
        'ABSENCE_DECIDED',
      );
    });

    test('when a card pays twice on campus during its holder’s approved off-campus absence, then the extract copies the absence and the student is alerted once, with the freeze button', async () => {
      const merchant = await t.client.createMerchant({
        id: `AB${Date.now().toString(36).slice(-6).toUpperCase()}`,
        name: '第二食堂',
        category: 'canteen',
      });
      const cardNo = await openStudent(t.client);
      const honest = await openStudent(t.client);
      await t.client.topUp({ id: opId('t'), cardNo, amount: 10_000, channel: 'cash' });
      await t.client.topUp({ id: opId('t'), cardNo: honest, amount: 10_000, channel: 'cash' });
      const now = Date.now();
      const away = await report(cardNo, now - 5 * hourMs, now + 2 * dayMs, { offCampus: true });
      // On leave but on campus (not off campus): their spending is theirs.
      const here = await report(honest, now - 5 * hourMs, now + 2 * dayMs, { offCampus: false });
      for (const a of [away, here])
        await t.client.decideAbsence(a.id, { decision: 'approved', department: null, decidedBy: 'ADM1' });
      for (const c of [cardNo, cardNo, honest, honest])
        assert.equal(
          (await t.client.pay({ id: opId('p'), cardNo: c, merchantId: merchant.id, amount: 1_500 })).status,
          'ok',
        );
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const ledger = new LedgerSource(t.core.db);
        const runs = await new ExtractService(ledger, store).run();
        // The approved ones only (an earlier test's may be among them; pending and cancelled are not).
        const copied = await store.absences(0, Number.MAX_SAFE_INTEGER);
        assert.equal(runs.find((r) => r.source === 'absences')?.rows, copied.length);
        assert.deepEqual(
          copied
            .filter((a) => a.id === away.id || a.id === here.id)
            .map((a) => [a.id, a.offCampus])
            .sort(),
          [
            [away.id, true],
            [here.id, false],
          ].sort(),
        );
        assert.ok(copied.every((a) => a.decidedAtMs > 0));
        const notices = new NoticeRepository(t.core.db);
        const alerts = new AbsenceSpendingAlerts(store, ledger, notices);
        const sent = await alerts.run(Date.now());
        assert.deepEqual(
          sent.map((n) => n.data?.cardNo),
          [cardNo],
        );
        assert.equal(sent[0]?.data?.action, 'freeze');
        assert.match(sent[0]?.body ?? '', /请假.*离校.*2 笔.*¥30\.00/);
        const again = await alerts.run(Date.now());
        assert.equal(again[0]?.id, sent[0]?.id, 'one notice per card and day');
        const card = await t.client.getCard(cardNo);
        assert.equal(
          (await notices.forPerson(card.personId, 10)).filter((n) => n.kind === 'insight_abnormal').length,
          1,
        );
        // The attendance read takes the absences (no sessions here: nobody is warned).
        assert.deepEqual((await attendanceWarnings(store, Date.now(), null)).items, []);
      } finally {
        store.close();
      }
    });
  });
}
