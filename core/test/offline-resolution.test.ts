import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  dialects,
  offlineRecord,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
} from '@campus-card/tests/kit';
import type { ResolutionInput } from '../src/client/index.ts';
import { CoreError } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

let deviceSerial = 0;
let requestSerial = 0;
const requestId = () => `res${process.pid}x${++requestSerial}x${Date.now().toString(36)}`;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CoreError ? e.code : `other: ${(e as Error).message}`),
  );

for (const dialect of dialects) {
  describe(`offline exceptions resolved by an administrator (${dialect})`, () => {
    let t: TestCore;
    let merchantId: string;
    before(async () => {
      t = await startTestCore(dialect);
      merchantId = (await t.client.createMerchant({ name: '四食堂', category: 'canteen' })).id;
    });
    after(async () => {
      await t.stop();
    });

    /** An offline payment of `amount` the card (holding `held`) could not pay in full: its open exception. */
    async function exception(amount: number, held: number) {
      deviceSerial += 1;
      const deviceId = String(8000 + deviceSerial);
      await t.client.registerDevice({ id: deviceId, kind: 'pos', merchantId });
      const cardNo = await openStudent(t.client);
      if (held > 0) await t.client.topUp({ id: opId(), cardNo, amount: held, channel: 'cash' });
      const upload = await t.client.uploadOfflineRecords(deviceId, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo, amount }),
      ]);
      assert.equal(upload.results[0]?.status, 'exception');
      const found = (await t.client.offlineExceptions('open', 100)).items.find(
        (e) => e.deviceId === deviceId,
      );
      assert.ok(found);
      return { ...found, cardNo };
    }
    const account = async (id: string) => {
      const rows = await t.core.db.select<{ d: number; c: number }>(
        'SELECT debits_posted AS d, credits_posted AS c FROM accounts WHERE id = ?',
        [id],
      );
      return { debits: Number(rows[0]?.d), credits: Number(rows[0]?.c) };
    };
    /** SYS-OFFLINE-RECEIVABLE is minus what the open exceptions are owed. */
    const assertReceivableReconciles = async () => {
      const r = await account('SYS-OFFLINE-RECEIVABLE');
      const open = await t.core.db.select<{ owed: number | null }>(
        "SELECT SUM(receivable_amount) AS owed FROM offline_exceptions WHERE status = 'open'",
      );
      assert.equal(r.debits - r.credits, Number(open[0]?.owed ?? 0));
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    };
    const input = (action: ResolutionInput['action'], id = requestId()): ResolutionInput => ({
      action,
      requestId: id,
      note: '学生已补缴',
      actorId: 'ADMIN-FIN-1',
    });

    test('when the card now holds enough, then recover charges the receivable once and a retry answers the same', async () => {
      // Goal: the debt moves from the card's main wallet to SYS-OFFLINE-RECEIVABLE, and the exception closes, together.
      const e = await exception(800, 300);
      assert.equal(e.receivableAmount, 500);
      await t.client.topUp({ id: opId(), cardNo: e.cardNo, amount: 700, channel: 'cash' });
      const request = input('recover');
      const done = await t.client.resolveOfflineException(e.id, request);
      assert.equal(done.status, 'closed');
      assert.equal(done.resolution, 'recovered');
      assert.equal(done.resolvedBy, 'ADMIN-FIN-1');
      assert.equal(done.resolutionNote, '学生已补缴');
      assert.equal(done.replayed, false);
      assert.equal(done.resolutionOperationId, `offx:${e.id}:recover`);
      assert.equal((await t.client.getCard(e.cardNo)).balance.main, 200);
      const again = await t.client.resolveOfflineException(e.id, request);
      assert.equal(again.replayed, true);
      assert.equal(again.resolution, 'recovered');
      assert.equal((await t.client.getCard(e.cardNo)).balance.main, 200, 'the retry charged nothing');
      assert.equal(
        await codeOf(t.client.resolveOfflineException(e.id, input('write_off'))),
        'EXCEPTION_RESOLVED',
      );
      assert.equal(
        await codeOf(t.client.resolveOfflineException(e.id, { ...request, action: 'write_off' })),
        'ID_REUSED',
      );
      const closed = (await t.client.offlineExceptions('closed', 100)).items.find((x) => x.id === e.id);
      assert.equal(closed?.resolution, 'recovered');
      await assertReceivableReconciles();
    });

    test('when the card holds less than the receivable, then recover is refused INSUFFICIENT_FUNDS and nothing changes', async () => {
      // Goal: the wallet's CHECK decides; the exception stays open and no money moves.
      const e = await exception(900, 100);
      await t.client.topUp({ id: opId(), cardNo: e.cardNo, amount: 300, channel: 'cash' });
      const receivableBefore = await account('SYS-OFFLINE-RECEIVABLE');
      assert.equal(
        await codeOf(t.client.resolveOfflineException(e.id, input('recover'))),
        'INSUFFICIENT_FUNDS',
      );
      assert.equal((await t.client.getCard(e.cardNo)).balance.main, 300);
      assert.deepEqual(await account('SYS-OFFLINE-RECEIVABLE'), receivableBefore);
      const still = (await t.client.offlineExceptions('open', 100)).items.find((x) => x.id === e.id);
      assert.equal(still?.status, 'open');
      const ops = await t.core.db.select('SELECT id FROM operations WHERE id = ?', [`offx:${e.id}:recover`]);
      assert.equal(ops.length, 0);
      await assertReceivableReconciles();
    });

    test('when a receivable is written off, then it moves to the write-off account and the receivable still reconciles', async () => {
      // Goal: a loss is booked, not forgotten: SYS-OFFLINE-RECEIVABLE keeps equalling the open exceptions.
      const e = await exception(600, 0);
      const lossBefore = await account('SYS-OFFLINE-WRITE-OFF');
      const done = await t.client.resolveOfflineException(e.id, input('write_off'));
      assert.equal(done.resolution, 'written_off');
      const loss = await account('SYS-OFFLINE-WRITE-OFF');
      assert.equal(loss.debits - lossBefore.debits, 600);
      assert.equal((await t.client.getCard(e.cardNo)).balance.main, 0);
      await assertReceivableReconciles();
    });

    test('when dismiss is asked, then only an exception with nothing owed closes', async () => {
      // Goal: dismissing never hides a debt.
      const owed = await exception(400, 0);
      assert.equal(
        await codeOf(t.client.resolveOfflineException(owed.id, input('dismiss'))),
        'RECEIVABLE_OUTSTANDING',
      );
      deviceSerial += 1;
      const deviceId = String(8000 + deviceSerial);
      await t.client.registerDevice({ id: deviceId, kind: 'pos', merchantId });
      await t.client.uploadOfflineRecords(deviceId, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo: null, codeRefusal: 'CODE_EXPIRED', amount: 250 }),
      ]);
      const nothing = (await t.client.offlineExceptions('open', 100)).items.find(
        (x) => x.deviceId === deviceId,
      );
      assert.equal(nothing?.receivableAmount, 0);
      assert.equal(
        await codeOf(t.client.resolveOfflineException(nothing?.id ?? '', input('recover'))),
        'NOTHING_RECEIVABLE',
      );
      const dismissed = await t.client.resolveOfflineException(nothing?.id ?? '', input('dismiss'));
      assert.equal(dismissed.resolution, 'dismissed');
      assert.equal(dismissed.resolutionOperationId, null);
      await assertReceivableReconciles();
    });

    test('when two administrators resolve the same exception at once, then exactly one wins', async () => {
      // Goal: the conditional UPDATE ... WHERE status = 'open' closes it once, whoever comes second is refused.
      const e = await exception(500, 0);
      await t.client.topUp({ id: opId(), cardNo: e.cardNo, amount: 500, channel: 'cash' });
      const outcomes = await Promise.all([
        codeOf(t.client.resolveOfflineException(e.id, input('recover'))),
        codeOf(t.client.resolveOfflineException(e.id, input('write_off'))),
        codeOf(t.client.resolveOfflineException(e.id, input('recover'))),
      ]);
      assert.equal(outcomes.filter((o) => o === 'ok').length, 1, outcomes.join());
      assert.equal(outcomes.filter((o) => o === 'EXCEPTION_RESOLVED').length, 2, outcomes.join());
      const card = await t.client.getCard(e.cardNo);
      const closed = (await t.client.offlineExceptions('closed', 100)).items.find((x) => x.id === e.id);
      assert.equal(card.balance.main, closed?.resolution === 'recovered' ? 0 : 500);
      assert.equal(
        await codeOf(t.client.resolveOfflineException('0000000000000000000000000A', input('recover'))),
        'NOT_FOUND',
      );
      await assertReceivableReconciles();
    });
  });
}
