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
import { CoreError } from '../src/client/index.ts';

let deviceSerial = 0;

for (const dialect of dialects) {
  describe(`device records in the core (${dialect})`, () => {
    let t: TestCore;
    let merchantId: string;
    before(async () => {
      t = await startTestCore(dialect);
      merchantId = (await t.client.createMerchant({ name: '三食堂', category: 'canteen' })).id;
    });
    after(async () => {
      await t.stop();
    });

    async function device(): Promise<string> {
      deviceSerial += 1;
      const id = String(9000 + deviceSerial);
      await t.client.registerDevice({ id, kind: 'pos', merchantId });
      return id;
    }

    test('when offline records are uploaded with holes, then each settles once and the gaps are reported', async () => {
      // Goal: the core's half of offline upload works on both dialects, including the gap query.
      const id = await device();
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 150, channel: 'cash' });
      const upload = [
        offlineRecord({ offlineNo: 2, sequence: 5, cardNo, amount: 100 }),
        offlineRecord({ offlineNo: 5, sequence: 6, cardNo, amount: 100 }),
        offlineRecord({ offlineNo: 6, sequence: 7, macOk: false }),
      ];
      const first = await t.client.uploadOfflineRecords(id, upload);
      assert.deepEqual(first.results, [
        { sequence: 5, status: 'accepted', reason: 'NONE' },
        { sequence: 6, status: 'exception', reason: 'INSUFFICIENT_FUNDS' },
        { sequence: 7, status: 'rejected', reason: 'BAD_RECORD_MAC' },
      ]);
      assert.deepEqual(first.gaps, [
        { fromOfflineNo: 1, toOfflineNo: 1 },
        { fromOfflineNo: 3, toOfflineNo: 4 },
      ]);
      const again = await t.client.uploadOfflineRecords(id, upload);
      assert.deepEqual(
        again.results.map((r) => r.status),
        ['duplicate', 'duplicate', 'duplicate'],
      );
      assert.equal((await t.client.getCard(cardNo)).balance.main, 0);
      const open = (await t.client.offlineExceptions()).items.filter((e) => e.deviceId === id);
      assert.deepEqual(
        open.map((e) => [e.amount, e.receivableAmount, e.reason]),
        [[100, 50, 'INSUFFICIENT_FUNDS']],
      );
    });

    test('#12.3 when a payment record arrives under a sequence the gateway declined online, then it is an exception with that reason and nothing is charged or booked; another request under it is SEQUENCE_CONFLICT', async () => {
      // Goal: the core's half of protocol § 12.3 for declines the ledger never saw, on both dialects.
      const id = await device();
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      const results = await t.client.uploadOfflineRecords(id, [
        offlineRecord({
          offlineNo: 1,
          sequence: 10,
          cardNo,
          amount: 300,
          onlineDecline: { reason: 'CODE_REPLAYED', sameRequest: true },
        }),
        offlineRecord({
          offlineNo: 2,
          sequence: 11,
          cardNo,
          amount: 300,
          onlineDecline: { reason: 'OUTSIDE_WINDOW', sameRequest: false },
        }),
      ]);
      assert.deepEqual(results.results, [
        { sequence: 10, status: 'exception', reason: 'CODE_REPLAYED' },
        { sequence: 11, status: 'rejected', reason: 'SEQUENCE_CONFLICT' },
      ]);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
      const listed = (await t.client.offlineExceptions()).items.filter((e) => e.deviceId === id);
      assert.deepEqual(
        listed.map((e) => [e.cardNo, e.amount, e.receivableAmount, e.reason, e.operationId]),
        [[cardNo, 300, 0, 'CODE_REPLAYED', null]],
      );
    });

    test('#12.18 when a device uploads a record of a kind its kind may not store, then it is rejected NOT_PERMITTED and kept, not a gap', async () => {
      // Goal: a meter's "offline payment" or a till's "offline attendance" settles nothing.
      deviceSerial += 1;
      const meter = String(9000 + deviceSerial);
      await t.client.registerDevice({ id: meter, kind: 'shower', merchantId });
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      const fromMeter = await t.client.uploadOfflineRecords(meter, [
        offlineRecord({ offlineNo: 1, sequence: 3, cardNo, amount: 500 }),
        offlineRecord({ offlineNo: 2, sequence: 4, cardNo, recordKind: 'access' }),
      ]);
      assert.deepEqual(fromMeter.results, [
        { sequence: 3, status: 'rejected', reason: 'NOT_PERMITTED' },
        { sequence: 4, status: 'rejected', reason: 'NOT_PERMITTED' },
      ]);
      assert.deepEqual(fromMeter.gaps, []);
      const till = await device();
      const fromTill = await t.client.uploadOfflineRecords(till, [
        offlineRecord({ offlineNo: 1, sequence: 3, cardNo, recordKind: 'attendance', sessionId: 'S1' }),
      ]);
      assert.deepEqual(fromTill.results, [{ sequence: 3, status: 'rejected', reason: 'NOT_PERMITTED' }]);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
    });

    test('when the core charged a record but crashed before storing it, then the retry stores the first outcome, charged once', async () => {
      // Goal: the ledger operation and the record are two commits; a crash between them loses nothing.
      const id = await device();
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount: 60, channel: 'cash' });
      const charged = await t.client.pay({
        id: `dev:${id}:9`,
        cardNo,
        merchantId,
        deviceId: id,
        amount: 100,
        offline: true,
        takenAtMs: 5,
      });
      assert.equal(charged.status === 'ok' && charged.receivableAmount, 40);
      const upload = await t.client.uploadOfflineRecords(id, [
        offlineRecord({ offlineNo: 1, sequence: 9, cardNo, amount: 100, takenAtMs: 5 }),
      ]);
      assert.deepEqual(upload.results, [{ sequence: 9, status: 'exception', reason: 'INSUFFICIENT_FUNDS' }]);
      assert.equal((await t.client.getCard(cardNo)).balance.main, 0);
      const listed = (await t.client.offlineExceptions()).items.filter((e) => e.deviceId === id);
      assert.deepEqual(
        listed.map((e) => [e.amount, e.receivableAmount]),
        [[100, 40]],
      );
    });

    test('when an upload is for no device or holds a bad record, then NOT_FOUND or VALIDATION_FAILED and nothing is stored', async () => {
      // Goal: bad input changes nothing.
      const codeOf = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (e instanceof CoreError ? e.code : 'other'),
        );
      assert.equal(await codeOf(t.client.uploadOfflineRecords('4000000001', [])), 'NOT_FOUND');
      const id = await device();
      assert.equal(
        await codeOf(t.client.uploadOfflineRecords(id, [offlineRecord({ offlineNo: 0, sequence: 1 })])),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await codeOf(
          t.client.uploadOfflineRecords(id, [
            { ...offlineRecord({ offlineNo: 1, sequence: 1 }), recordHash: 'x' },
          ]),
        ),
        'VALIDATION_FAILED',
      );
      const rows = await t.core.db.select<{ n: number }>(
        'SELECT COUNT(*) AS n FROM offline_records WHERE device_id = ?',
        [id],
      );
      assert.equal(Number(rows[0]?.n), 0);
    });

    test('when access events and sign-ins are recorded, then the card lists them newest first, once each', async () => {
      // Goal: the lists the BFF shows.
      const id = await device();
      const cardNo = await openStudent(t.client);
      const { personNo } = await t.client.getCard(cardNo);
      const event = {
        deviceId: id,
        sequence: 1,
        cardNo,
        direction: 'in',
        decision: 'allow',
        reason: null,
        source: 'online',
        occurredAtMs: 1_000,
      } as const;
      assert.equal(await t.client.recordAccessEvent(event), true);
      assert.equal(await t.client.recordAccessEvent(event), false);
      await t.client.recordAccessEvent({ ...event, sequence: 2, direction: 'out', occurredAtMs: 2_000 });
      assert.deepEqual(
        (await t.client.accessEvents(cardNo)).items.map((e) => [e.direction, e.occurredAtMs]),
        [
          ['out', 2_000],
          ['in', 1_000],
        ],
      );
      await t.client.putAttendanceSession({
        id: `EXAM-${id}`,
        kind: 'exam',
        title: '期末考试',
        startsAtMs: 10_000,
        endsAtMs: 20_000,
        signInFromMs: 5_000,
        signInUntilMs: 15_000,
        roster: [personNo],
      });
      const signIn = {
        sessionId: `EXAM-${id}`,
        cardNo,
        deviceId: id,
        sequence: 3,
        source: 'online',
      } as const;
      assert.deepEqual(await t.client.signInAttendance({ ...signIn, atMs: 4_000 }), {
        status: 'outside_window',
        recordedAtMs: null,
      });
      assert.deepEqual(await t.client.signInAttendance({ ...signIn, atMs: 6_000 }), {
        status: 'recorded',
        recordedAtMs: 6_000,
      });
      assert.deepEqual(await t.client.signInAttendance({ ...signIn, sequence: 4, atMs: 7_000 }), {
        status: 'already_recorded',
        recordedAtMs: 6_000,
      });
      assert.deepEqual(
        (await t.client.attendance(cardNo)).items.map((r) => [r.sessionId, r.kind, r.recordedAtMs]),
        [[`EXAM-${id}`, 'exam', 6_000]],
      );
    });
  });
}
