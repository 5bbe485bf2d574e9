import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

// Goal: a visit goes from a host's registration (under the campus policy, with department approval
// where configured) to the visitor's link, the gate's check-in that tells the host, and the security
// office's "on campus now"; every step is idempotent and a refusal changes nothing.
let serial = 0;
function unique(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32);
}

for (const dialect of dialects) {
  describe(`visitors (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
    });
    after(() => t.stop());

    async function host(type: 'staff' | 'student', department: string | null = '数学学院') {
      const card = await t.client.openCard({ personNo: unique('H'), name: '王老师', type, department });
      return card.cardNo;
    }
    function visit(hostCardNo: string, extra: Record<string, unknown> = {}) {
      const from = Date.now() + 3600_000;
      return {
        requestId: unique('req'),
        hostCardNo,
        visitorName: '李访客',
        visitorPhone: '13800001234',
        idTail: '123x',
        purpose: '学术交流',
        validFromMs: from,
        validUntilMs: from + 4 * 3600_000,
        places: ['device:7', 'dg-east'],
        ...extra,
      };
    }
    async function refused(promise: Promise<unknown>, code: string) {
      await assert.rejects(promise, (error: unknown) => error instanceof CoreError && error.code === code);
    }

    test('when a staff host registers a visitor twice with one request id, then one approved visit exists with one link', async () => {
      const hostCard = await host('staff');
      const input = visit(hostCard);
      const first = await t.client.registerVisit(input);
      assert.equal(first.created, true);
      assert.equal(first.visit.status, 'approved');
      assert.equal(first.visit.visitorPhoneMasked, '138****1234');
      assert.match(first.linkToken, /^[A-Za-z0-9_-]{32}$/);
      const again = await t.client.registerVisit(input);
      assert.equal(again.created, false);
      assert.equal(again.visit.id, first.visit.id);
      assert.equal(again.linkToken, first.linkToken);
      const mine = await t.client.hostVisits(hostCard);
      assert.deepEqual(
        mine.items.map((v) => [v.id, v.linkToken]),
        [[first.visit.id, first.linkToken]],
      );
      // The link shows the visit without the tail; the grant gives the tail, upper-cased, for the pass digest.
      const shown = await t.client.visitByLink(first.linkToken);
      assert.equal(shown.visit.id, first.visit.id);
      assert.equal('idTail' in shown, false);
      const grant = await t.client.visitPassGrant(first.linkToken);
      assert.equal(grant.idTail, '123X');
      assert.equal(grant.visit.passId, first.visit.passId);
      await refused(t.client.visitByLink('A'.repeat(32)), 'VISIT_NOT_FOUND');
    });

    test('when the input is bad or the host may not invite, then nothing is stored', async () => {
      const hostCard = await host('student');
      await refused(t.client.registerVisit(visit(hostCard, { visitorPhone: '12345' })), 'VALIDATION_FAILED');
      await refused(t.client.registerVisit(visit(hostCard, { places: [] })), 'VALIDATION_FAILED');
      await refused(
        t.client.registerVisit(visit(hostCard, { validUntilMs: Date.now() + 9 * 86_400_000 })),
        'VALIDATION_FAILED',
      );
      const offeredPlaces = [{ id: 'device:7', name: '东门' }];
      const set = await t.client.setVisitorPolicy({
        hostTypes: ['staff'],
        approvalDepartments: [],
        offeredPlaces,
      });
      assert.deepEqual(set, { hostTypes: ['staff'], approvalDepartments: [], offeredPlaces });
      try {
        await refused(t.client.registerVisit(visit(hostCard)), 'VISIT_HOST_NOT_ALLOWED');
      } finally {
        await t.client.setVisitorPolicy({ hostTypes: ['staff', 'student'], approvalDepartments: [] });
      }
      assert.deepEqual((await t.client.hostVisits(hostCard)).items, []);
    });

    test('when the host department needs approval, then the pass waits for it and the host hears the decision', async () => {
      await t.client.setVisitorPolicy({
        hostTypes: ['staff', 'student'],
        approvalDepartments: ['保卫处审批学院'],
      });
      try {
        const hostCard = await host('staff', '保卫处审批学院');
        const { visit: pending, linkToken } = await t.client.registerVisit(visit(hostCard));
        assert.equal(pending.status, 'pending');
        await refused(t.client.visitPassGrant(linkToken), 'VISIT_NOT_APPROVED');
        assert.ok((await t.client.pendingVisits()).items.some((v) => v.id === pending.id));
        const approved = await t.client.decideVisit(pending.id, 'approve', 'security1');
        assert.equal(approved.status, 'approved');
        assert.equal(approved.decidedBy, 'security1');
        await refused(t.client.decideVisit(pending.id, 'refuse', 'security1'), 'VISIT_DECIDED');
        assert.equal((await t.client.visitPassGrant(linkToken)).idTail, '123X');
        const card = await t.client.getCard(hostCard);
        const notices = await t.client.personNotices(card.personId);
        assert.deepEqual(
          notices.items.map((n) => n.title),
          ['访客预约已通过'],
        );
      } finally {
        await t.client.setVisitorPolicy({ hostTypes: ['staff', 'student'], approvalDepartments: [] });
      }
    });

    test('when the gate checks a visitor in and out, then the host is told once and the on-campus list follows', async () => {
      const hostCard = await host('staff');
      const { visit: v } = await t.client.registerVisit(visit(hostCard));
      const at = Date.now();
      const checkIn = {
        passId: v.passId,
        deviceId: '7',
        sequence: 41,
        direction: 'in',
        source: 'online',
        occurredAtMs: at,
      } as const;
      const first = await t.client.recordVisitPassage(checkIn);
      assert.equal(first.recorded, true);
      assert.equal(first.visit.onCampus, true);
      // The device retries the same frame: stored once, the host told once.
      assert.equal((await t.client.recordVisitPassage(checkIn)).recorded, false);
      assert.ok((await t.client.visitorsOnCampus()).items.some((x) => x.id === v.id));
      const card = await t.client.getCard(hostCard);
      const arrived = (await t.client.personNotices(card.personId)).items.filter(
        (n) => n.kind === 'visit-arrived',
      );
      assert.equal(arrived.length, 1);
      assert.equal(arrived[0]?.title, '访客已到达');
      // Out, and a late-uploaded offline "in" from before does not put the visitor back on campus.
      await t.client.recordVisitPassage({
        ...checkIn,
        sequence: 42,
        direction: 'out',
        occurredAtMs: at + 60_000,
      });
      await t.client.recordVisitPassage({
        ...checkIn,
        sequence: 5,
        source: 'offline',
        occurredAtMs: at + 30_000,
      });
      assert.equal((await t.client.visit(v.id)).onCampus, false);
      assert.equal(
        (await t.client.visitorsOnCampus()).items.some((x) => x.id === v.id),
        false,
      );
      assert.deepEqual(
        (await t.client.visitPassages(v.id)).items.map((p) => [p.direction, p.source]),
        [
          ['in', 'online'],
          ['in', 'offline'],
          ['out', 'online'],
        ],
      );
      assert.equal(
        (await t.client.personNotices(card.personId)).items.filter((n) => n.kind === 'visit-arrived').length,
        1,
      );
    });

    test('when the host cancels, then an online check-in is refused and nothing is recorded', async () => {
      const hostCard = await host('staff');
      const { visit: v, linkToken } = await t.client.registerVisit(visit(hostCard));
      await refused(t.client.cancelVisit(v.id, await host('staff')), 'VISIT_NOT_FOUND');
      assert.equal((await t.client.cancelVisit(v.id, hostCard)).status, 'cancelled');
      await refused(t.client.cancelVisit(v.id, hostCard), 'VISIT_DECIDED');
      await refused(t.client.visitPassGrant(linkToken), 'VISIT_NOT_APPROVED');
      await refused(
        t.client.recordVisitPassage({
          passId: v.passId,
          deviceId: '7',
          sequence: 1,
          direction: 'in',
          source: 'online',
          occurredAtMs: Date.now(),
        }),
        'VISIT_NOT_APPROVED',
      );
      assert.deepEqual((await t.client.visitPassages(v.id)).items, []);
    });
  });
}
