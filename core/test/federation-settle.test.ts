// Settling inter-centre exceptions (docs/federation.md § Settling an exception). A card of centre A pays
// at B's till; A's answer is lost on its way back and the device never retries: A debited, B recorded
// nothing. B's job asks A again under B's operation id (A only looks its answer up) and books A's answer —
// once, however many B cores and ticks ask — so the next reconciliation is clean; a refusal stays a
// refusal. What the job cannot settle is resolved by two admins on each side, and the net uses the
// resolved figures.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore } from '@campus-card/tests/kit';
import { type FederatedCentre, type Federation, startFederation } from '@campus-card/tests/kit/federation';
import type { Settlement } from '../src/contract/federation.ts';
import { reaskAfterMs } from '../src/federation/lost-answers.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { formatDay, shanghaiDay } from '../src/time.ts';

for (const dialect of dialects) {
  describe(`settling inter-centre exceptions on ${dialect}`, () => {
    let federation: Federation;
    let a: FederatedCentre;
    let b: FederatedCentre;
    let merchantB: string;
    const day = formatDay(shanghaiDay(Date.now()));
    /** A clock far enough ahead that every ask so far counts as left without an answer. */
    const later = () => Date.now() + reaskAfterMs + 1_000;

    before(async () => {
      federation = await startFederation([
        { id: 'CA', name: '甲大学', dialect },
        { id: 'CB', name: '乙大学', dialect },
      ]);
      a = federation.get('CA');
      b = federation.get('CB');
      merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
    });

    after(async () => {
      await federation?.stop();
    });

    async function cardWith(amount: number): Promise<string> {
      const cardNo = await openStudent(a.client);
      await a.client.topUp({ id: opId(), cardNo, amount, channel: 'cash' });
      return cardNo;
    }

    /** A's answer cut off on its way back to B (or A unreachable with `down`); the device never retries. */
    async function unanswered(cardNo: string, amount: number, mode: 'lose' | 'down' = 'lose') {
      const card = await a.client.getCard(cardNo);
      const request = {
        id: opId('dev'),
        centreId: 'CA',
        cardNo,
        merchantId: merchantB,
        amount,
        cardVersion: card.version,
      };
      a.link.mode = mode;
      try {
        await assert.rejects(
          b.client.payForeign(request),
          (e: { code?: string }) => e.code === 'FEDERATION_UNAVAILABLE',
        );
      } finally {
        a.link.mode = 'pass';
      }
      return request;
    }

    async function transfersOf(id: string): Promise<{ count: number; amount: number }> {
      const rows = await b.core.db.select<{ n: unknown; amount: unknown }>(
        'SELECT COUNT(*) AS n, SUM(amount) AS amount FROM transfers WHERE operation_id = ?',
        [id],
      );
      return { count: Number(rows[0]?.n), amount: Number(rows[0]?.amount ?? 0) };
    }

    const stateOf = (s: Settlement, id: string) => s.exceptions.find((e) => e.operationId === id)?.state;

    test("when A's answer is lost and never retried, then B's job asks A again and books A's sale once across two cores and ticks, and the next reconciliation is clean", async () => {
      const cardNo = await cardWith(1_000);
      const orphan = await unanswered(cardNo, 300);
      assert.equal((await a.client.getCard(cardNo)).balance.main, 700);
      const before = await b.client.reconcileCentreDay('CA', day);
      assert.equal(stateOf(before, orphan.id), 'open');
      assert.equal((await a.client.reconcileCentreDay('CB', day)).exceptions.length, 1);

      // A fresh ask is not yet taken for lost: the device may still retry it.
      assert.equal(await b.core.federation.lostAnswers.settle(), 0);
      // A second B core on B's database, its job ticking at the same time as the first's, twice.
      const b2 = await startTestCore(dialect, {
        CENTRE_ID: 'CB',
        DATABASE_URL: b.databaseUrl,
        PII_KEY: b.piiKey,
        FEDERATION_FORWARD_INTERVAL_MS: '600000',
      });
      try {
        const nowMs = later();
        const booked = await Promise.all([
          b.core.federation.lostAnswers.settle(nowMs),
          b2.core.federation.lostAnswers.settle(nowMs),
          b.core.federation.lostAnswers.settle(nowMs),
        ]);
        assert.ok(
          booked.some((n) => n === 1),
          `booked ${booked.join(', ')}`,
        );
        assert.equal(await b2.core.federation.lostAnswers.settle(later()), 0);
      } finally {
        await b2.stop();
      }
      const sale = await b.client.getOperation(orphan.id);
      assert.deepEqual([sale.kind, sale.outcome, sale.amount], ['foreign_sale', 'ok', 300]);
      assert.deepEqual(await transfersOf(orphan.id), { count: 1, amount: 300 });
      assert.equal((await a.client.getCard(cardNo)).balance.main, 700);
      assert.equal(stateOf(await b.client.centreSettlement('CA', day), orphan.id), 'reasked');
      // The device's late retry gets the same answer, nothing moves again.
      const retried = await b.client.payForeign(orphan);
      assert.deepEqual([retried.status, retried.replayed], ['ok', true]);
      assert.deepEqual(await transfersOf(orphan.id), { count: 1, amount: 300 });

      const atB = await b.client.reconcileCentreDay('CA', day);
      const atA = await a.client.reconcileCentreDay('CB', day);
      assert.deepEqual([atB.exceptions, atA.exceptions], [[], []]);
      assert.equal(atB.receivableAmount, atA.payableAmount);
      assert.deepEqual((await federation.ledgerBreaks()) as unknown, { CA: [], CB: [] });
    });

    test("when A refused a payment whose answer was lost, then the job books A's refusal and it stays a refusal after a top-up", async () => {
      const cardNo = await cardWith(100);
      const refused = await unanswered(cardNo, 400);
      await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      assert.ok((await b.core.federation.lostAnswers.settle(later())) >= 1);
      const booked = await b.client.getOperation(refused.id);
      assert.deepEqual([booked.kind, booked.outcome], ['foreign_sale', 'INSUFFICIENT_FUNDS']);
      assert.deepEqual(await transfersOf(refused.id), { count: 0, amount: 0 });
      const retried = await b.client.payForeign(refused);
      assert.deepEqual(
        [retried.status, retried.status === 'rejected' ? retried.code : undefined],
        ['rejected', 'INSUFFICIENT_FUNDS'],
      );
      assert.equal((await a.client.getCard(cardNo)).balance.main, 1_100);
    });

    test('when A never had the payment (unreachable), then the job leaves it unbooked and books nothing at A', async () => {
      const cardNo = await cardWith(1_000);
      const never = await unanswered(cardNo, 250, 'down');
      assert.equal(await b.core.federation.lostAnswers.settle(later()), 0);
      await assert.rejects(
        b.client.getOperation(never.id),
        (e: { code?: string }) => e.code === 'OPERATION_NOT_FOUND',
      );
      assert.equal((await a.client.getCard(cardNo)).balance.main, 1_000);
      const rows = await b.core.db.select<{ status: string }>(
        'SELECT status FROM federation_asks WHERE id = ?',
        [never.id],
      );
      assert.equal(rows[0]?.status, 'absent');
    });

    test('when an exception cannot be settled by asking again, then one admin proposes and a second resolves it on each side, and the net uses the resolved figures', async () => {
      const cardNo = await cardWith(1_000);
      const orphan = await unanswered(cardNo, 200);
      // As a payment asked before B kept its asks: nothing for the job to ask about.
      await b.core.db.execute('DELETE FROM federation_asks WHERE id = ?', [orphan.id]);
      assert.equal(await b.core.federation.lostAnswers.settle(later()), 0);
      const openB = await b.client.reconcileCentreDay('CA', day);
      const openA = await a.client.reconcileCentreDay('CB', day);
      assert.deepEqual(
        openB.exceptions.map((e) => [e.direction, e.kind, e.ourAmount, e.theirAmount, e.state]),
        [['receivable', 'missing_here', null, 200, 'open']],
      );
      assert.deepEqual(
        openA.exceptions.map((e) => [e.direction, e.kind, e.ourAmount, e.theirAmount, e.state]),
        [['payable', 'missing_there', 200, null, 'open']],
      );
      const key = { direction: 'receivable' as const, operationId: orphan.id };

      // B accepts A's line: maker and checker are two admins.
      const proposed = await b.client.proposeResolution('CA', day, {
        ...key,
        action: 'accept_theirs',
        reason: '甲大学已扣款，本方设备未收到应答',
        adminId: 'admin-b1',
      });
      assert.equal(stateOf(proposed, orphan.id), 'proposed');
      await assert.rejects(
        b.client.recordCentreNet('CA', day, 'admin-b1'),
        (e: { code?: string }) => e.code === 'INVALID_TRANSITION',
      );
      await assert.rejects(
        b.client.decideResolution('CA', day, { ...key, decision: 'approve', adminId: 'admin-b1' }),
        (e: { code?: string }) => e.code === 'MAKER_CANNOT_CHECK',
      );
      const rejected = await b.client.decideResolution('CA', day, {
        ...key,
        decision: 'reject',
        adminId: 'admin-b2',
      });
      assert.equal(stateOf(rejected, orphan.id), 'open');
      await b.client.proposeResolution('CA', day, {
        ...key,
        action: 'accept_theirs',
        reason: '甲大学已扣款，本方设备未收到应答',
        adminId: 'admin-b1',
      });
      const resolvedB = await b.client.decideResolution('CA', day, {
        ...key,
        decision: 'approve',
        adminId: 'admin-b2',
      });
      const lineB = resolvedB.exceptions.find((e) => e.operationId === orphan.id);
      assert.equal(lineB?.state, 'resolved');
      assert.deepEqual(
        [lineB?.resolution?.settledAmount, lineB?.resolution?.makerId, lineB?.resolution?.checkerId],
        [200, 'admin-b1', 'admin-b2'],
      );
      assert.equal(resolvedB.receivableAmount, openB.receivableAmount + 200);
      assert.equal(resolvedB.receivableAmount, resolvedB.theirReceivableAmount);

      // A closes its line at its own figure (write-off of B's missing line): nothing to book there.
      const keyA = { direction: 'payable' as const, operationId: orphan.id };
      await a.client.proposeResolution('CB', day, {
        ...keyA,
        action: 'write_off',
        reason: '乙大学已采纳本方金额',
        adminId: 'admin-a1',
      });
      const resolvedA = await a.client.decideResolution('CB', day, {
        ...keyA,
        decision: 'approve',
        adminId: 'admin-a2',
      });
      assert.equal(resolvedA.payableAmount, openA.payableAmount);

      // Reconciling again keeps the resolutions; the figures agree both ways.
      const againB = await b.client.reconcileCentreDay('CA', day);
      const againA = await a.client.reconcileCentreDay('CB', day);
      assert.equal(stateOf(againB, orphan.id), 'resolved');
      assert.equal(againB.receivableAmount, resolvedB.receivableAmount);
      assert.equal(againB.netAmount, -againA.netAmount);

      const netB = await b.client.recordCentreNet('CA', day, 'admin-b2');
      const netA = await a.client.recordCentreNet('CB', day, 'admin-a2');
      assert.ok(netB.netRecordedAtMs !== null && netA.netRecordedAtMs !== null);
      assert.equal((await b.client.getOperation(`fednet:CA:${day}:paid`)).amount, netB.netAmount);
      // After the net, what each side's books say the other owes for the day is nothing.
      for (const [centre, account] of [
        [b, 'SYS-FED-CA'],
        [a, 'SYS-FED-CB'],
      ] as const) {
        const rows = await centre.core.db.select<{ n: unknown }>(
          'SELECT credits_posted - debits_posted AS n FROM accounts WHERE id = ?',
          [account],
        );
        assert.equal(Number(rows[0]?.n), 0, account);
      }
      const audit = await b.client.searchAudit({ action: 'federation.exception_resolve', limit: 5 });
      assert.equal(audit.items[0]?.actorId, 'admin-b2');
      assert.deepEqual((await checkLedger(a.core.db)).breaks, []);
      assert.deepEqual((await checkLedger(b.core.db)).breaks, []);
    });
  });
}
