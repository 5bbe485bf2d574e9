import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import type { RunningGateway } from '../src/server.ts';
import {
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

describe('several gateway instances against one core', () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    // The core announces blacklist versions and device changes on Redis, as in production.
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    second = await startGatewayFor(world.core, {}, { REDIS_URL: redisUrl });
  });
  after(async () => {
    await second.close();
    await world.stop();
  });

  test('when a code paid at one instance is shown at another, then the second refuses it as replayed and the card pays once', async () => {
    // Goal: the Redis replay guard makes "each code is accepted once" hold across instances.
    const a = await registerDevice(world);
    const b = await registerDevice(world);
    const posA = await TestDevice.connect(world.gateway.port, a.deviceId, a.key);
    const posB = await TestDevice.connect(second.port, b.deviceId, b.key);
    assert.equal((await posA.signIn()).message.kind, 'sign_in_accepted');
    assert.equal((await posB.signIn()).message.kind, 'sign_in_accepted');
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const code = (await phoneFor(world.client, cardNo)).code();
    const pay = {
      kind: 'pay',
      code: { kind: 'qr', text: code },
      amountFen: 400,
      orderNo: 1,
      itemNo: 0,
    } as const;
    assert.equal((await posA.request(pay)).message.kind, 'pay_approved');
    assert.deepEqual((await posB.request(pay)).message, { kind: 'pay_declined', reason: 'CODE_REPLAYED' });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 600);
    posA.close();
    posB.close();
  });

  test('when a device retries a payment at another instance after losing the answer, then it gets the original approval and pays once', async () => {
    // Goal: the retry rule holds across instances: the code is used (by the first attempt), the core has the answer.
    const { deviceId, key } = await registerDevice(world);
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const pay = {
      kind: 'pay',
      code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
      amountFen: 300,
      orderNo: 7,
      itemNo: 0,
    } as const;
    const atA = await TestDevice.connect(world.gateway.port, deviceId, key);
    await atA.signIn();
    const first = await atA.request(pay, 40);
    assert.equal(first.message.kind, 'pay_approved');
    atA.close();
    const atB = await TestDevice.connect(second.port, deviceId, key);
    await atB.signIn();
    const retry = await atB.request(pay, 40);
    assert.deepEqual(retry.message, first.message);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 700);
    atB.close();
  });

  test('when a bus reader retries a ride at another instance after losing the answer, then it gets the first answer and the fare is charged once', async () => {
    // Goal: a ride's code is one-use (the shared replay guard, the ledger's code ids), yet the same frame
    // retried elsewhere is no second use: the answer stored under (device, sequence) is given again.
    const { deviceId, key } = await registerDevice(world, 'gate');
    const route = await world.client.addBusRoute({ name: '南北线', stops: ['南门', '北门'], fareFen: 150 });
    const { id: runId } = await world.client.addBusRun({
      routeId: route.id,
      departsAtMs: Date.now() + 3_600_000,
      seats: 10,
    });
    const payer = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo: payer, amount: 1_000, channel: 'cash' });
    const booked = await openStudent(world.client);
    await world.client.bookBus({ requestId: opId().slice(0, 32), cardNo: booked, runId });
    const rideOf = async (cardNo: string) =>
      ({
        kind: 'bus_ride_check',
        runId,
        code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
      }) as const;
    const fare = await rideOf(payer);
    const seat = await rideOf(booked);
    const atA = await TestDevice.connect(world.gateway.port, deviceId, key);
    await atA.signIn('gate');
    const firstFare = await atA.request(fare, 60);
    const firstSeat = await atA.request(seat, 61);
    assert.equal(firstFare.message.kind === 'bus_ride_result' && firstFare.message.rideKind, 'fare');
    assert.equal(firstSeat.message.kind === 'bus_ride_result' && firstSeat.message.rideKind, 'booked');
    atA.close();
    const atB = await TestDevice.connect(second.port, deviceId, key);
    await atB.signIn('gate');
    assert.deepEqual((await atB.request(fare, 60)).message, firstFare.message);
    assert.deepEqual((await atB.request(seat, 61)).message, firstSeat.message);
    // The same code in a new frame is a second use: refused, as before.
    assert.deepEqual((await atB.request(fare, 62)).message, {
      kind: 'bus_ride_result',
      decision: 'deny',
      rideKind: 'none',
      reason: 'CODE_INVALID',
      chargedFen: 0,
      balanceAfterFen: 0,
    });
    assert.equal((await world.client.getCard(payer)).balance.main, 850);
    const rides = (await world.client.busRides(runId)).items.filter((r) => r.status === 'boarded');
    assert.deepEqual(rides.map((r) => `${r.kind}:${r.amountFen}`).sort(), ['booked:0', 'fare:150']);
    atB.close();
  });

  test('when an exam reader retries a sign-in at another instance after losing the answer, then it gets the first answer with the seat', async () => {
    // Goal: the same for attendance: recorded (not CODE_REPLAYED) at the second instance, one sign-in.
    const { deviceId, key } = await registerDevice(world, 'attendance');
    const cardNo = await openStudent(world.client);
    const { personNo } = await world.client.getCard(cardNo);
    const now = Date.now();
    const examId = `EXAM-RETRY-${deviceId}`;
    await world.client.createMeeting({
      id: examId,
      kind: 'exam',
      title: '线性代数期末考试',
      startsAtMs: now + 600_000,
      endsAtMs: now + 7_800_000,
      roster: { by: 'list', personNos: [personNo] },
      seats: { [personNo]: 'B-12' },
      organiser: 'admin-1',
    });
    const signIn = {
      kind: 'exam_attendance',
      sessionId: examId,
      code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
    } as const;
    const atA = await TestDevice.connect(world.gateway.port, deviceId, key);
    await atA.signIn('attendance');
    const first = await atA.request(signIn, 30);
    assert.equal(first.message.kind === 'exam_attendance_result' && first.message.seat, 'B-12');
    assert.equal(first.message.kind === 'exam_attendance_result' && first.message.status, 'recorded');
    atA.close();
    const atB = await TestDevice.connect(second.port, deviceId, key);
    await atB.signIn('attendance');
    assert.deepEqual((await atB.request(signIn, 30)).message, first.message);
    const board = await world.client.meetingBoard(examId);
    assert.equal(board.rows.filter((r) => r.signedInAtMs !== null).length, 1);
    atB.close();
  });

  test('when a gate retries an identity check at another instance after losing the answer, then it gets the first allow, recorded once', async () => {
    // Goal: the gate's first answer (allow, with the name) comes back, not CODE_REPLAYED; a new frame with
    // the same code is still refused as replayed.
    const { deviceId, key } = await registerDevice(world, 'gate');
    const cardNo = await openStudent(world.client);
    const check = {
      kind: 'identity_check',
      code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
      direction: 'in',
    } as const;
    const atA = await TestDevice.connect(world.gateway.port, deviceId, key);
    await atA.signIn('gate');
    const first = await atA.request(check, 20);
    assert.equal(first.message.kind === 'identity_result' && first.message.decision, 'allow');
    atA.close();
    const atB = await TestDevice.connect(second.port, deviceId, key);
    await atB.signIn('gate');
    assert.deepEqual((await atB.request(check, 20)).message, first.message);
    const again = await atB.request(check, 21);
    assert.equal(again.message.kind === 'identity_result' && again.message.reason, 'CODE_REPLAYED');
    const events = await world.client.accessEvents(cardNo);
    assert.equal(events.items.filter((e) => e.decision === 'allow').length, 1);
    atB.close();
  });

  /** Waits for the anonymous ERROR that ends a session, and the close; answers the code and how long it took. */
  async function endedWith(device: TestDevice, sinceMs: number): Promise<{ code: string; ms: number }> {
    for (;;) {
      const frame = await device.next(2_000);
      if (frame.message.kind !== 'error') continue;
      assert.equal(frame.deviceId, 0, 'anonymous: the device key no longer speaks for it');
      const ms = Date.now() - sinceMs;
      await device.untilClosed(1_000);
      return { code: frame.message.code, ms };
    }
  }

  test('#12.4 when a device signed in at either instance is disabled, then its session ends within a second and its next payment is not charged', async () => {
    // Goal: "disabled" in the backoffice stops a connected till at once, whichever instance holds it.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    for (const gateway of [world.gateway, second]) {
      const { deviceId, key } = await registerDevice(world);
      const pos = await TestDevice.connect(gateway.port, deviceId, key);
      assert.equal((await pos.signIn()).message.kind, 'sign_in_accepted');
      const at = Date.now();
      await world.client.setDeviceStatus(String(deviceId), 'disabled');
      // Sent right after the disable: answered only if the session outlived it.
      pos.send({
        kind: 'pay',
        code: { kind: 'qr', text: phone.code() },
        amountFen: 100,
        orderNo: 1,
        itemNo: 0,
      });
      const ended = await endedWith(pos, at);
      assert.equal(ended.code, 'DEVICE_DISABLED');
      assert.ok(ended.ms < 1_000, `ended after ${ended.ms} ms`);
      const again = await TestDevice.connect(gateway.port, deviceId, key);
      const refused = await again.signIn();
      assert.equal(refused.message.kind === 'error' && refused.message.code, 'DEVICE_DISABLED');
      again.close();
    }
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_000, 'nothing charged');
  });

  test('#12.4 when a device is re-keyed, then its old-key session ends within a second on either instance and the old key signs in no more', async () => {
    // Goal: a key rotation leaves nothing answered under the old key.
    for (const gateway of [second, world.gateway]) {
      const { deviceId, key } = await registerDevice(world);
      const pos = await TestDevice.connect(gateway.port, deviceId, key);
      assert.equal((await pos.signIn()).message.kind, 'sign_in_accepted');
      const at = Date.now();
      const rekeyed = await world.client.rekeyDevice(String(deviceId));
      const ended = await endedWith(pos, at);
      assert.equal(ended.code, 'SIGN_IN_FAILED');
      assert.ok(ended.ms < 1_000, `ended after ${ended.ms} ms`);
      const old = await TestDevice.connect(gateway.port, deviceId, key);
      const refused = await old.signIn();
      assert.equal(refused.message.kind, 'error');
      old.close();
      const renewed = await TestDevice.connect(
        gateway.port,
        deviceId,
        new Uint8Array(Buffer.from(rekeyed.keyHex, 'hex')),
      );
      assert.equal((await renewed.signIn()).message.kind, 'sign_in_accepted');
      renewed.close();
    }
  });
});
