import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '@campus-card/tests/kit';
import { type OfflineRecordBody, signOfflineRecord } from '../src/protocol/index.ts';
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

// #12.3: one pay code is charged once, whatever the path: the ledger remembers the identity of every code
// an accepted payment consumed, so neither another till's offline record nor a gateway instance that does
// not share the replay guard can pay it again.

const pay = (text: string, amountFen: number) =>
  ({ kind: 'pay', code: { kind: 'qr', text }, amountFen, orderNo: 7, itemNo: 0 }) as const;

describe('a pay code is charged once across tills and instances', () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    // No Redis: each gateway instance keeps its own replay guard, as a misconfigured deployment would.
    world = await startWorld();
    second = await startGatewayFor(world.core);
  });
  after(async () => {
    await second.close();
    await world.stop();
  });

  async function till(port: number): Promise<{ device: TestDevice; deviceId: number; key: Uint8Array }> {
    const { deviceId, key } = await registerDevice(world);
    await world.client.putDeviceConfig(String(deviceId), { paymentMaxFen: 50_000, offline: offlineOn });
    const device = await TestDevice.connect(port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    device.sequence = 100;
    return { device, deviceId, key };
  }

  async function funded(fen: number): Promise<{ cardNo: string; code(): string }> {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: fen, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    return { cardNo, code: () => phone.code() };
  }

  test('#12.3 when a code paid online at till A is shown to till B while B is offline and B uploads it under its own sequence, then the record is an exception CODE_REPLAYED and the card pays once', async () => {
    // Goal: the photographed (or shown twice) code of the review: approved at A, "accepted" offline at B.
    const a = await till(world.gateway.port);
    const b = await till(world.gateway.port);
    const card = await funded(1_000);
    const code = card.code();
    assert.equal((await a.device.request(pay(code, 400))).message.kind, 'pay_approved');
    const body: OfflineRecordBody = {
      recordKind: 'payment',
      decision: 'accepted',
      sequence: 2,
      offlineNo: 1,
      takenAtMs: Date.now() - 500,
      amountFen: 400,
      orderNo: 1,
      sessionId: '',
      code: { kind: 'qr', text: code },
    };
    const upload = await b.device.request({
      kind: 'offline_upload',
      records: [signOfflineRecord(b.key, b.deviceId, body)],
    });
    assert.deepEqual(upload.message, {
      kind: 'offline_upload_result',
      results: [{ sequence: 2, status: 'exception', reason: 'CODE_REPLAYED' }],
      gaps: [],
    });
    assert.equal((await world.client.getCard(card.cardNo)).balance.main, 600, 'charged once');
    const listed = (await world.client.offlineExceptions()).items.filter(
      (e) => e.deviceId === String(b.deviceId),
    );
    assert.deepEqual(
      listed.map((e) => [e.cardNo, e.amount, e.receivableAmount, e.reason]),
      [[card.cardNo, 400, 0, 'CODE_REPLAYED']],
    );
    a.device.close();
    b.device.close();
  });

  test('#12.3 when one code reaches two gateway instances that share no replay guard, then the ledger approves it once and the other till hears CODE_REPLAYED', async () => {
    // Goal: the core, not each instance's memory, is the last word on "each code is accepted once".
    const a = await till(world.gateway.port);
    const b = await till(second.port);
    const card = await funded(1_000);
    const code = card.code();
    assert.equal((await a.device.request(pay(code, 300))).message.kind, 'pay_approved');
    assert.deepEqual((await b.device.request(pay(code, 300))).message, {
      kind: 'pay_declined',
      reason: 'CODE_REPLAYED',
    });
    assert.equal((await world.client.getCard(card.cardNo)).balance.main, 700);
    a.device.close();
    b.device.close();
  });
});
