import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import { signOfflineRecord } from '../src/protocol/index.ts';
import type { RunningGateway } from '../src/server.ts';
import {
  offlineOn,
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

describe("a till's offline policy holds when its records are uploaded", () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    second = await startGatewayFor(world.core, {}, { REDIS_URL: redisUrl });
  });
  after(async () => {
    await second.close();
    await world.stop();
  });

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

  test('#12.1 class: when one till uploads 50 offline payments of one card through two gateway instances at once against a 10 元 per-card daily total, then exactly ten of 1 元 are charged and forty are exceptions LIMIT_EXCEEDED', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 100_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const { deviceId, key } = await registerDevice(world);
    await world.client.putDeviceConfig(String(deviceId), {
      offline: { ...offlineOn, perCardDailyMaxFen: 1_000 },
    });
    // A rogue till (its key copied) signed in at both instances, each uploading half the records.
    const sessions: TestDevice[] = [];
    for (const [i, port] of [world.gateway.port, second.port].entries()) {
      const device = await TestDevice.connect(port, deviceId, key);
      device.sequence = 100 + i * 100;
      assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
      sessions.push(device);
    }
    const records = Array.from({ length: 50 }, (_, i) =>
      signOfflineRecord(key, deviceId, {
        recordKind: 'payment',
        decision: 'accepted',
        sequence: 1_000 + i,
        offlineNo: 1 + i,
        takenAtMs: Date.now() - 5_000 + i,
        amountFen: 100,
        orderNo: 1 + i,
        sessionId: '',
        code: { kind: 'qr', text: phone.code() },
      }),
    );
    // Each instance's half in uploads of at most 10 records (one frame holds 4,096 bytes), the two
    // halves at the same time.
    const halves = await Promise.all(
      sessions.map(async (device, i) => {
        const mine = records.filter((_, n) => n % 2 === i);
        const out = [];
        for (let from = 0; from < mine.length; from += 10) {
          const answer = await device.request({
            kind: 'offline_upload',
            records: mine.slice(from, from + 10),
          });
          if (answer.message.kind === 'offline_upload_result') out.push(...answer.message.results);
        }
        return out;
      }),
    );
    const results = halves.flat();
    assert.equal(results.length, 50);
    assert.equal(results.filter((r) => r.status === 'accepted').length, 10);
    assert.equal(results.filter((r) => r.status === 'exception' && r.reason === 'LIMIT_EXCEEDED').length, 40);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 100_000 - 1_000);
    for (const device of sessions) device.close();
  });
});
