// Goal: the offline totals a device's configuration caps (protocol § 7.8, § 12.1) hold at upload: a
// card's offline payments at one device per Asia/Shanghai day stay within offline.perCardDailyMaxFen,
// the payments a device stored since its last upload within offline.deviceTotalMaxFen. A record past
// either is an exception LIMIT_EXCEEDED with nothing charged, and a burst of uploads (a rogue till on
// several gateway instances) is counted one after the other.
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
import type { OfflineRecordInput } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

let deviceSerial = 0;
const dayMs = 86_400_000;

for (const dialect of dialects) {
  describe(`offline totals at upload (${dialect})`, () => {
    let t: TestCore;
    let merchantId: string;
    before(async () => {
      t = await startTestCore(dialect);
      merchantId = (await t.client.createMerchant({ name: '五食堂', category: 'canteen' })).id;
    });
    after(() => t.stop());

    /** A till whose offline use is on with these totals (single payments up to ¥100). */
    async function till(perCardDailyMaxFen: number, deviceTotalMaxFen: number): Promise<string> {
      deviceSerial += 1;
      const deviceId = String(9300 + deviceSerial + (process.pid % 500) * 100);
      await t.client.registerDevice({ id: deviceId, kind: 'pos', merchantId });
      const current = await t.client.deviceConfig(deviceId);
      await t.client.putDeviceConfig(deviceId, {
        ...current.settings,
        offline: {
          ...current.settings.offline,
          enabled: true,
          paymentMaxFen: 10_000,
          perCardDailyMaxFen,
          deviceTotalMaxFen,
          recordsMax: 1_000,
          durationMaxSeconds: 86_400,
        },
      });
      return deviceId;
    }

    async function funded(amount = 100_000): Promise<string> {
      const cardNo = await openStudent(t.client);
      await t.client.topUp({ id: opId(), cardNo, amount, channel: 'cash' });
      return cardNo;
    }

    let recordSerial = 0;
    function record(cardNo: string, amount: number, takenAtMs: number, n?: number): OfflineRecordInput {
      recordSerial += 1;
      const no = n ?? recordSerial;
      return {
        ...offlineRecord({ offlineNo: no, sequence: no, cardNo, amount, takenAtMs }),
        recordHash: `${String(no).padStart(8, '0')}${cardNo.padStart(20, '0')}`.padEnd(64, 'a').slice(0, 64),
      };
    }

    const main = async (cardNo: string) => (await t.client.getCard(cardNo)).balance.main;

    test('#12.1 class: when a card pays offline past the per-card daily total, then that record is an exception LIMIT_EXCEEDED with nothing charged, and the next Asia/Shanghai day has room again', async () => {
      const deviceId = await till(1_000, 100_000);
      const cardNo = await funded(10_000);
      const other = await funded(10_000);
      // 23:30 Asia/Shanghai yesterday (15:30 UTC), then 00:30 today: different days.
      const today = Math.floor((Date.now() + 8 * 3_600_000) / dayMs) * dayMs - 8 * 3_600_000;
      const lateYesterday = today - 30 * 60_000;
      const upload = await t.client.uploadOfflineRecords(deviceId, [
        record(cardNo, 600, lateYesterday - 60_000, 1),
        record(cardNo, 300, lateYesterday, 2),
        record(cardNo, 200, lateYesterday + 60_000, 3),
        record(other, 600, lateYesterday + 120_000, 4),
        record(cardNo, 900, today + 30 * 60_000 > Date.now() ? Date.now() - 1_000 : today + 30 * 60_000, 5),
      ]);
      assert.deepEqual(
        upload.results.map((r) => [r.status, r.reason]),
        [
          ['accepted', 'NONE'],
          ['accepted', 'NONE'],
          ['exception', 'LIMIT_EXCEEDED'],
          ['accepted', 'NONE'],
          ['accepted', 'NONE'],
        ],
      );
      assert.equal(await main(cardNo), 10_000 - 600 - 300 - 900, 'the refused 2 元 was not charged');
      assert.equal(await main(other), 10_000 - 600);
      const listed = (await t.client.offlineExceptions('open', 100)).items.filter(
        (e) => e.deviceId === deviceId,
      );
      assert.deepEqual(
        listed.map((e) => [e.reason, e.amount, e.receivableAmount]),
        [['LIMIT_EXCEEDED', 200, 0]],
      );
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });

    test('#12.1 class: when a device stored more offline than its total, then the payment past it is an exception LIMIT_EXCEEDED, and payments taken after its upload count afresh', async () => {
      const deviceId = await till(100_000, 1_000);
      const cards = [await funded(), await funded(), await funded()];
      const at = Date.now() - 60_000;
      const first = await t.client.uploadOfflineRecords(
        deviceId,
        cards.map((cardNo, i) => record(cardNo, 400, at + i, 11 + i)),
      );
      assert.deepEqual(
        first.results.map((r) => r.reason),
        ['NONE', 'NONE', 'LIMIT_EXCEEDED'],
      );
      assert.equal(await main(cards[2] as string), 100_000);
      // The device deleted what it uploaded; what it stores next is counted from zero.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const later = Date.now() + 1;
      const second = await t.client.uploadOfflineRecords(deviceId, [
        record(cards[2] as string, 900, later, 21),
        record(cards[0] as string, 200, later + 1, 22),
      ]);
      assert.deepEqual(
        second.results.map((r) => r.reason),
        ['NONE', 'LIMIT_EXCEEDED'],
      );
    });

    test('#12.1 class: when 50 uploads of one card race against a 10 元 per-card total and 50 of 50 cards against a 15 元 device total, then exactly 10 and 15 are charged and the rest are LIMIT_EXCEEDED', async () => {
      const perCard = await till(1_000, 1_000_000);
      const cardNo = await funded(100_000);
      const at = Date.now() - 30_000;
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.client.uploadOfflineRecords(perCard, [record(cardNo, 100, at + i, 100 + i)]),
        ),
      );
      const reasons = answers.map((a) => a.results[0]?.reason);
      assert.equal(reasons.filter((r) => r === 'NONE').length, 10);
      assert.equal(reasons.filter((r) => r === 'LIMIT_EXCEEDED').length, 40);
      assert.equal(await main(cardNo), 100_000 - 1_000);

      const perDevice = await till(1_000_000, 1_500);
      const many = await Promise.all(Array.from({ length: 50 }, () => funded(1_000)));
      const burst = await Promise.all(
        many.map((c, i) => t.client.uploadOfflineRecords(perDevice, [record(c, 100, at + i, 200 + i)])),
      );
      assert.equal(burst.filter((a) => a.results[0]?.reason === 'NONE').length, 15);
      assert.equal(burst.filter((a) => a.results[0]?.reason === 'LIMIT_EXCEEDED').length, 35);
      const charged = (await Promise.all(many.map(main))).filter((b) => b === 900).length;
      assert.equal(charged, 15);
      assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
    });
  });
}
