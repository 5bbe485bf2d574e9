import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '../../core/test/support.ts';
import { signOfflineRecord } from '../src/protocol/index.ts';
import { offlineOn, phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe("a till's offline policy holds when its records are uploaded", () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  async function till(offline: typeof offlineOn | undefined) {
    const { deviceId, key } = await registerDevice(world);
    if (offline !== undefined) await world.client.putDeviceConfig(String(deviceId), { offline });
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    device.sequence = 100;
    return { device, deviceId, key };
  }

  test('#12.3 class: when a till whose offline use is off, or one above its offline maximum, uploads offline payments of scanned codes, then they are exceptions NOT_PERMITTED / LIMIT_EXCEEDED and the card is not charged; within the policy they are charged', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 100_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    // The default configuration: offline use off (a rogue till uploads anyway).
    const off = await till(undefined);
    // Offline on, at most 20 元 a payment.
    const capped = await till({ ...offlineOn, paymentMaxFen: 2_000 });
    const cases = [
      { till: off, amountFen: 100, status: 'exception', reason: 'NOT_PERMITTED' },
      { till: off, amountFen: 49_000, status: 'exception', reason: 'NOT_PERMITTED' },
      { till: capped, amountFen: 49_000, status: 'exception', reason: 'LIMIT_EXCEEDED' },
      { till: capped, amountFen: 2_001, status: 'exception', reason: 'LIMIT_EXCEEDED' },
      { till: capped, amountFen: 2_000, status: 'accepted', reason: 'NONE' },
    ];
    let offlineNo = 0;
    for (const c of cases) {
      offlineNo += 1;
      const sequence = c.till.device.sequence - 50 + offlineNo;
      const record = signOfflineRecord(c.till.key, c.till.deviceId, {
        recordKind: 'payment',
        decision: 'accepted',
        sequence,
        offlineNo,
        takenAtMs: Date.now() - 500,
        amountFen: c.amountFen,
        orderNo: offlineNo,
        sessionId: '',
        code: { kind: 'qr', text: phone.code() },
      });
      const uploaded = await c.till.device.request({ kind: 'offline_upload', records: [record] });
      assert.deepEqual(
        uploaded.message.kind === 'offline_upload_result' && uploaded.message.results,
        [{ sequence, status: c.status, reason: c.reason }],
        `${c.amountFen} fen`,
      );
    }
    assert.equal(
      (await world.client.getCard(cardNo)).balance.main,
      100_000 - 2_000,
      'only the payment within policy',
    );
    off.device.close();
    capped.device.close();
  });
});
