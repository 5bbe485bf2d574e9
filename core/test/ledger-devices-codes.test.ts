import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  dialects,
  offlineRecord,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
} from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { BatchRepository } from '../src/ledger/batch-repository.ts';
import { codeUseRetentionMs } from '../src/ledger/devices.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

// The ledger's own refusals of a disabled device (#12.4) and of a pay code paid once already (#12.3):
// a definite refusal or a consumed code is never turned into a charge by a later path.

let deviceSerial = 0;
let codeSerial = 0;

/** A QR code's identity as the gateway names it (docs/ledger.md); unique per call. */
function qrCodeId(cardNo: string): string {
  codeSerial += 1;
  return `qr:${cardNo}:${Math.floor(Date.now() / 1000)}:${codeSerial}:00112233aabbccdd`;
}

for (const dialect of dialects) {
  describe(`ledger: devices and codes (${dialect})`, () => {
    let t: TestCore;
    let merchantId: string;
    before(async () => {
      t = await startTestCore(dialect);
      merchantId = (await t.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    });
    after(async () => {
      await t.stop();
    });

    async function device(kind: 'pos' | 'shower' = 'pos'): Promise<string> {
      deviceSerial += 1;
      const id = String(7100 + deviceSerial);
      await t.client.registerDevice({ id, kind, merchantId });
      return id;
    }

    async function card(amount: number): Promise<string> {
      const cardNo = await openStudent(t.client, { dailyLimit: 200_000 });
      await t.client.topUp({ id: opId(), cardNo, amount, channel: 'cash' });
      return cardNo;
    }

    async function balance(cardNo: string): Promise<number> {
      const b = (await t.client.getCard(cardNo)).balance;
      return b.main + b.subsidy;
    }

    async function ledgerHolds(): Promise<void> {
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    }

    test('#12.4 when a device is disabled after its meter started, then the ledger itself refuses its payment, hold, usage and post DEVICE_DISABLED and charges nothing', async () => {
      // Goal: a request that passed the gateway's device check just before the disable is not charged.
      const till = await device();
      const meter = await device('shower');
      const cardNo = await card(5_000);
      const held = await t.client.hold({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: meter,
        amount: 600,
        timeoutMs: 60_000,
      });
      assert.equal(held.status, 'ok');
      await t.client.reportUsage(held.id, 100, meter);
      await t.client.setDeviceStatus(till, 'disabled');
      await t.client.setDeviceStatus(meter, 'disabled');

      const paid = await t.client.pay({ id: opId(), cardNo, merchantId, deviceId: till, amount: 300 });
      assert.equal(paid.status === 'rejected' && paid.code, 'DEVICE_DISABLED');
      const hold = await t.client.hold({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: meter,
        amount: 600,
        timeoutMs: 60_000,
      });
      assert.equal(hold.status === 'rejected' && hold.code, 'DEVICE_DISABLED');
      await assert.rejects(t.client.reportUsage(held.id, 500, meter), (e: unknown) => {
        assert.ok(e instanceof CoreError);
        assert.equal(e.code, 'DEVICE_DISABLED');
        return true;
      });
      const posted = await t.client.postHold(held.id, { id: opId(), amount: 600, deviceId: meter });
      assert.equal(posted.status === 'rejected' && posted.code, 'DEVICE_DISABLED');
      // The usage reported before the disable stands; the hold is still the only reservation.
      const stored = await t.client.getHold(held.id);
      assert.equal(stored.status, 'pending');
      assert.equal(stored.usageAmount, 100);
      assert.equal(await balance(cardNo), 5_000 - 600);

      // Enabled again, the same device pays.
      await t.client.setDeviceStatus(till, 'active');
      const again = await t.client.pay({ id: opId(), cardNo, merchantId, deviceId: till, amount: 300 });
      assert.equal(again.status, 'ok');
      await ledgerHolds();
    });

    test('#12.4 when a device is re-keyed, then requests under its old key name are refused DEVICE_DISABLED and those under the new key pay', async () => {
      // Goal: the gateway names a re-keyed device <id>-<keyVersion>; an old-key session's request in flight is refused by the ledger.
      const till = await device();
      const cardNo = await card(1_000);
      await t.client.rekeyDevice(till);
      const old = await t.client.pay({ id: opId(), cardNo, merchantId, deviceId: till, amount: 100 });
      assert.equal(old.status === 'rejected' && old.code, 'DEVICE_DISABLED');
      const renewed = await t.client.pay({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: `${till}-2`,
        amount: 100,
      });
      assert.equal(renewed.status, 'ok');
      assert.equal(await balance(cardNo), 900);
      await ledgerHolds();
    });

    test('#12.4 when a disabled device uploads offline records, then those taken before the disable are charged and those taken after are exceptions DEVICE_DISABLED with nothing booked, also once it is enabled again', async () => {
      // Goal: a device's honest offline sales before the disable count; a disabled (stolen) till's later "sales" charge no one.
      const till = await device();
      const cardNo = await card(1_000);
      const beforeMs = Date.now() - 60_000;
      await t.client.setDeviceStatus(till, 'disabled');
      await sleep(200);
      const whileDisabledMs = Date.now();
      await sleep(200);
      const first = await t.client.uploadOfflineRecords(till, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo, amount: 100, takenAtMs: beforeMs }),
        offlineRecord({ offlineNo: 2, sequence: 2, cardNo, amount: 200, takenAtMs: whileDisabledMs }),
      ]);
      assert.deepEqual(first.results, [
        { sequence: 1, status: 'accepted', reason: 'NONE' },
        { sequence: 2, status: 'exception', reason: 'DEVICE_DISABLED' },
      ]);
      await t.client.setDeviceStatus(till, 'active');
      const afterMs = Date.now() + 1_000;
      const second = await t.client.uploadOfflineRecords(till, [
        offlineRecord({ offlineNo: 3, sequence: 3, cardNo, amount: 300, takenAtMs: whileDisabledMs + 1 }),
        offlineRecord({ offlineNo: 4, sequence: 4, cardNo, amount: 50, takenAtMs: afterMs }),
      ]);
      assert.deepEqual(second.results, [
        { sequence: 3, status: 'exception', reason: 'DEVICE_DISABLED' },
        { sequence: 4, status: 'accepted', reason: 'NONE' },
      ]);
      assert.equal(await balance(cardNo), 1_000 - 100 - 50);
      const listed = (await t.client.offlineExceptions()).items.filter((e) => e.deviceId === till);
      assert.deepEqual(listed.map((e) => [e.sequence, e.amount, e.receivableAmount, e.reason]).sort(), [
        [2, 200, 0, 'DEVICE_DISABLED'],
        [3, 300, 0, 'DEVICE_DISABLED'],
      ]);
      await ledgerHolds();
    });

    test('#12.3 when a code is paid online at one till and then uploaded offline by another till, then the record is an exception CODE_REPLAYED and the card is charged once', async () => {
      // Goal: one code, two tills: paid at A online, shown to B while B was offline and uploaded under B's sequence.
      const tillA = await device();
      const tillB = await device();
      const cardNo = await card(1_000);
      const code = qrCodeId(cardNo);
      const online = await t.client.pay({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: tillA,
        amount: 300,
        codeId: code,
      });
      assert.equal(online.status, 'ok');
      const upload = await t.client.uploadOfflineRecords(tillB, [
        offlineRecord({ offlineNo: 1, sequence: 40, cardNo, cardVersion: 1, amount: 300, codeId: code }),
      ]);
      assert.deepEqual(upload.results, [{ sequence: 40, status: 'exception', reason: 'CODE_REPLAYED' }]);
      assert.equal(await balance(cardNo), 700);
      const listed = (await t.client.offlineExceptions()).items.filter((e) => e.deviceId === tillB);
      assert.deepEqual(
        listed.map((e) => [e.cardNo, e.amount, e.receivableAmount, e.reason]),
        [[cardNo, 300, 0, 'CODE_REPLAYED']],
      );

      // The other order: uploaded first by B, then presented online at A (another gateway instance, no shared Redis).
      const code2 = qrCodeId(cardNo);
      const first = await t.client.uploadOfflineRecords(tillB, [
        offlineRecord({ offlineNo: 2, sequence: 41, cardNo, cardVersion: 1, amount: 200, codeId: code2 }),
      ]);
      assert.deepEqual(first.results, [{ sequence: 41, status: 'accepted', reason: 'NONE' }]);
      const late = await t.client.pay({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: tillA,
        amount: 200,
        codeId: code2,
      });
      assert.equal(late.status === 'rejected' && late.code, 'CODE_REPLAYED');
      // And online twice at two tills, each through its own gateway instance.
      const twice = await t.client.pay({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: tillB,
        amount: 300,
        codeId: code,
      });
      assert.equal(twice.status === 'rejected' && twice.code, 'CODE_REPLAYED');
      assert.equal(await balance(cardNo), 500);
      await ledgerHolds();
    });

    test('#12.3 when a code started a shower, then paying with it at a till is CODE_REPLAYED, and a code already paid starts no shower', async () => {
      // Goal: the code that opens a meter hold is spent like a paying one, in both orders.
      const meter = await device('shower');
      const tillA = await device();
      const cardNo = await card(2_000);
      const showerCode = qrCodeId(cardNo);
      const held = await t.client.hold({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: meter,
        amount: 600,
        timeoutMs: 60_000,
        codeId: showerCode,
      });
      assert.equal(held.status, 'ok');
      const paid = await t.client.pay({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: tillA,
        amount: 300,
        codeId: showerCode,
      });
      assert.equal(paid.status === 'rejected' && paid.code, 'CODE_REPLAYED');
      const tillCode = qrCodeId(cardNo);
      assert.equal(
        (
          await t.client.pay({
            id: opId(),
            cardNo,
            merchantId,
            deviceId: tillA,
            amount: 300,
            codeId: tillCode,
          })
        ).status,
        'ok',
      );
      const again = await t.client.hold({
        id: opId(),
        cardNo,
        merchantId,
        deviceId: meter,
        amount: 600,
        timeoutMs: 60_000,
        codeId: tillCode,
      });
      assert.equal(again.status === 'rejected' && again.code, 'CODE_REPLAYED');
      assert.equal(await balance(cardNo), 2_000 - 600 - 300);
      await ledgerHolds();
    });

    test('#12.3 when the ledger refused a payment CODE_REPLAYED and the same device uploads the sale offline under that sequence, then it is an exception CODE_REPLAYED and nothing more is charged', async () => {
      // Goal: a ledger decline of a used code is final; the §12.3 "declined online, charged offline" rule must not pay it again.
      const tillA = await device();
      const tillB = await device();
      const cardNo = await card(1_000);
      const code = qrCodeId(cardNo);
      assert.equal(
        (await t.client.pay({ id: opId(), cardNo, merchantId, deviceId: tillA, amount: 300, codeId: code }))
          .status,
        'ok',
      );
      const declined = await t.client.pay({
        id: `dev:${tillB}:7`,
        cardNo,
        merchantId,
        deviceId: tillB,
        amount: 300,
        codeId: code,
      });
      assert.equal(declined.status === 'rejected' && declined.code, 'CODE_REPLAYED');
      const upload = await t.client.uploadOfflineRecords(tillB, [
        offlineRecord({ offlineNo: 1, sequence: 7, cardNo, cardVersion: 1, amount: 300, codeId: code }),
      ]);
      assert.deepEqual(upload.results, [{ sequence: 7, status: 'exception', reason: 'CODE_REPLAYED' }]);
      assert.equal(await balance(cardNo), 700);
      await ledgerHolds();
    });

    test('#12.4 when a ledger batch has read a device, then a disable waits until that batch commits, and the next payment of the device is refused', async () => {
      // Goal: the device is read under a lock in the batch's own transaction, so "disabled" returns only
      // once no batch that saw the device active can still commit after it.
      const till = await device();
      const cardNo = await card(1_000);
      const db = t.core.db;
      const batches = new BatchRepository(db);
      let loaded!: () => void;
      const hasRead = new Promise<void>((resolve) => {
        loaded = resolve;
      });
      let disabledWhileHeld = false;
      const batch = db.transaction(async (tx) => {
        const rows = await batches.load(
          {
            operationIds: [],
            holdIds: [],
            paymentIds: [],
            cardNos: [cardNo],
            merchantIds: [],
            accountIds: [],
            deviceIds: [till],
          },
          tx,
        );
        assert.equal(rows.devices.get(till)?.status, 'active');
        loaded();
        await sleep(400);
        await db.run([], tx, { commit: true });
      });
      await hasRead;
      const disabled = t.client.setDeviceStatus(till, 'disabled').then(() => {
        disabledWhileHeld = true;
      });
      await sleep(200);
      // SQLite runs one writer at a time: the disable waits for the batch there as well.
      assert.equal(disabledWhileHeld, false, 'the disable did not wait for the batch');
      await batch;
      await disabled;
      const paid = await t.client.pay({ id: opId(), cardNo, merchantId, deviceId: till, amount: 100 });
      assert.equal(paid.status === 'rejected' && paid.code, 'DEVICE_DISABLED');
    });

    test('#12.3 when a consumed code names no accepted payment of its card, then ledger:check names it', async () => {
      // Goal: the code-use table is checked like the journal: a use without its payment is a break.
      await t.core.db.execute(
        'INSERT INTO code_uses (code_id, operation_id, card_no, used_at_ms) VALUES (?, ?, ?, ?)',
        ['qr:12345678:1:1:ffffffffffffffff', 'no-such-payment', '12345678', Date.now()],
      );
      const { breaks } = await checkLedger(t.core.db);
      assert.deepEqual(
        breaks.filter((b) => b.includes('qr:12345678:1:1')),
        [
          'pay code qr:12345678:1:1:ffffffffffffffff is marked used by no-such-payment, which is no accepted payment or hold of its card',
        ],
      );
      await t.core.db.execute('DELETE FROM code_uses WHERE code_id = ?', [
        'qr:12345678:1:1:ffffffffffffffff',
      ]);
      await ledgerHolds();
    });

    test('#12.3 when a code use is older than the retention, then the hold sweep forgets it and a younger one stays', async () => {
      // Goal: code_uses stays bounded: a code is kept past the 30 days any of its uses can still arrive, no longer.
      await t.core.db.execute(
        'INSERT INTO code_uses (code_id, operation_id, card_no, used_at_ms) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
        [
          'qr:87654321:1:1:old',
          'x1',
          '87654321',
          Date.now() - codeUseRetentionMs - 60_000,
          'qr:87654321:1:2:young',
          'x2',
          '87654321',
          Date.now() - codeUseRetentionMs + 3_600_000,
        ],
      );
      await t.core.ledger.sweepExpiredHolds();
      const left = await t.core.db.select<{ code_id: string }>(
        "SELECT code_id FROM code_uses WHERE card_no = '87654321' ORDER BY code_id",
      );
      assert.deepEqual(
        left.map((r) => r.code_id),
        ['qr:87654321:1:2:young'],
      );
      await t.core.db.execute("DELETE FROM code_uses WHERE card_no = '87654321'");
    });

    test('#12.3 when 50 payments with one code reach the core at once, then exactly one is charged and the others are CODE_REPLAYED', async () => {
      // Goal: the code's unique row decides under concurrency, whatever path or instance each came through.
      const tills = await Promise.all(Array.from({ length: 5 }, () => device()));
      const cardNo = await card(100_000);
      const code = qrCodeId(cardNo);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.client.pay({
            id: opId('burst'),
            cardNo,
            merchantId,
            deviceId: tills[i % 5],
            amount: 1_000,
            codeId: code,
          }),
        ),
      );
      assert.equal(answers.filter((a) => a.status === 'ok').length, 1);
      assert.deepEqual(
        [
          ...new Set(
            answers.filter((a) => a.status === 'rejected').map((a) => a.status === 'rejected' && a.code),
          ),
        ],
        ['CODE_REPLAYED'],
      );
      assert.equal(await balance(cardNo), 99_000);
      await ledgerHolds();
    });
  });
}
