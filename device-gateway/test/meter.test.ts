import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisPrefix, redisUrl } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { redisMeterLocks } from '../src/meter-locks.ts';
import type { RunningGateway } from '../src/server.ts';
import {
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

describe('shower meter over TCP against the real core', () => {
  let world: TestWorld;
  let meter: TestDevice;
  before(async () => {
    world = await startWorld();
    const { deviceId, key } = await registerDevice(world, 'shower');
    meter = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await meter.signIn('shower')).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    meter.close();
    await world.stop();
  });

  test('when a meter starts, reports usage and stops, then exactly the metered amount is charged and the rest released', async () => {
    // Goal: METER_START → METER_USAGE → METER_STOP settle through the core's hold at the metered figure.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const started = await meter.request({
      kind: 'meter_start',
      service: 'shower',
      code: { kind: 'qr', text: phone.code() },
      holdFen: 500,
    });
    assert.equal(started.message.kind, 'meter_started');
    if (started.message.kind !== 'meter_started') return;
    assert.equal(started.message.holdFen, 500);
    assert.equal(started.message.balanceAfterFen, 500);
    const holdId = started.message.holdId;

    const usage = await meter.request({ kind: 'meter_usage', holdId, usageUnits: 120 });
    assert.deepEqual(usage.message, {
      kind: 'meter_usage_ack',
      state: 'running',
      usageFen: 120,
      remainingFen: 380,
    });
    assert.equal((await world.client.getHold(holdId)).usageAmount, 120);

    const settled = await meter.request({ kind: 'meter_stop', holdId, usageUnits: 213 });
    assert.deepEqual(settled.message, {
      kind: 'meter_settled',
      chargedFen: 213,
      releasedFen: 287,
      balanceAfterFen: 787,
    });
    const card = await world.client.getCard(cardNo);
    assert.equal(card.balance.main, 787);
    assert.equal(card.balance.mainPending, 0);
  });

  test('when the balance is below the hold, then METER_REFUSED with INSUFFICIENT_FUNDS and nothing is held', async () => {
    // Goal: a meter never runs on money the card does not have.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 100, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const reply = await meter.request({
      kind: 'meter_start',
      service: 'shower',
      code: { kind: 'qr', text: phone.code() },
      holdFen: 500,
    });
    assert.deepEqual(reply.message, { kind: 'meter_refused', reason: 'INSUFFICIENT_FUNDS' });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 100);
  });

  test('when the meter is configured, then it is priced per unit, holds are capped and a card below the minimum is refused', async () => {
    // Goal: the configuration's meter pricing (protocol § 7.16: 0.18 yuan a minute) decides the charge.
    const { deviceId, key } = await registerDevice(world, 'shower');
    await world.client.putDeviceConfig(String(deviceId), {
      meter: {
        unit: 'second',
        priceFen: 18,
        priceUnits: 60,
        holdFen: 600,
        minBalanceFen: 500,
        reportIntervalSeconds: 30,
        silenceMaxSeconds: 300,
      },
    });
    const configured = await TestDevice.connect(world.gateway.port, deviceId, key);
    await configured.signIn('shower');
    const start = async (cardNo: string, holdFen: number) =>
      (
        await configured.request({
          kind: 'meter_start',
          service: 'shower',
          code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
          holdFen,
        })
      ).message;
    const poor = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo: poor, amount: 400, channel: 'cash' });
    assert.deepEqual(await start(poor, 300), { kind: 'meter_refused', reason: 'BELOW_MIN_BALANCE' });
    const rich = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo: rich, amount: 1_000, channel: 'cash' });
    assert.deepEqual(await start(rich, 700), { kind: 'meter_refused', reason: 'AMOUNT_OUT_OF_RANGE' });
    const started = await start(rich, 600);
    assert.equal(started.kind, 'meter_started');
    if (started.kind !== 'meter_started') return;
    const usage = await configured.request({ kind: 'meter_usage', holdId: started.holdId, usageUnits: 120 });
    assert.equal(usage.message.kind === 'meter_usage_ack' && usage.message.usageFen, 36);
    const settled = await configured.request({ kind: 'meter_stop', holdId: started.holdId, usageUnits: 300 });
    assert.deepEqual(settled.message, {
      kind: 'meter_settled',
      chargedFen: 90,
      releasedFen: 510,
      balanceAfterFen: 910,
    });
    configured.close();
  });
});

describe('one hold per meter, and definite answers for holds, on two instances (Redis)', () => {
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

  async function meterAt(
    port: number,
    registered: { deviceId: number; key: Uint8Array },
  ): Promise<TestDevice> {
    const device = await TestDevice.connect(port, registered.deviceId, registered.key);
    assert.equal((await device.signIn('shower')).message.kind, 'sign_in_accepted');
    return device;
  }

  async function student(fen: number): Promise<{ cardNo: string; code(): string }> {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: fen, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    return { cardNo, code: () => phone.code() };
  }

  const startOf = (text: string) =>
    ({ kind: 'meter_start', service: 'shower', code: { kind: 'qr', text }, holdFen: 300 }) as const;

  test('#12.16 when a meter with an open hold is started again, on this instance or after moving to another, then DEVICE_BUSY and one hold only', async () => {
    // Goal: protocol § 7.15 — one open hold per meter, whichever instance the meter reaches.
    const registered = await registerDevice(world, 'shower');
    const first = await student(1_000);
    const other = await student(1_000);
    const atA = await meterAt(world.gateway.port, registered);
    const started = await atA.request(startOf(first.code()));
    assert.equal(started.message.kind, 'meter_started');
    if (started.message.kind !== 'meter_started') return;
    assert.deepEqual((await atA.request(startOf(other.code()))).message, {
      kind: 'meter_refused',
      reason: 'DEVICE_BUSY',
    });
    atA.close();
    const atB = await meterAt(second.port, registered);
    atB.sequence = 50;
    const code = other.code();
    assert.deepEqual((await atB.request(startOf(code))).message, {
      kind: 'meter_refused',
      reason: 'DEVICE_BUSY',
    });
    assert.equal(
      (await world.client.getCard(other.cardNo)).balance.mainPending,
      0,
      'the second card is not held',
    );
    // Stopped, the meter is free again, and the refused start did not use up the student's code.
    const stopped = await atB.request({ kind: 'meter_stop', holdId: started.message.holdId, usageUnits: 10 });
    assert.equal(stopped.message.kind, 'meter_settled');
    assert.equal((await atB.request(startOf(code))).message.kind, 'meter_started');
    atB.close();
  });

  test('#12.16 when one meter sends 8 starts at once for 8 cards, then exactly one hold opens and the others are DEVICE_BUSY', async () => {
    // Goal: the check and the reservation are one step; starts in flight together cannot both pass.
    const registered = await registerDevice(world, 'shower');
    const meter = await meterAt(world.gateway.port, registered);
    const cards = await Promise.all(Array.from({ length: 8 }, () => student(1_000)));
    const sequences = cards.map((card) => meter.send(startOf(card.code())));
    const answers = new Map<number, string>();
    while (answers.size < sequences.length) {
      const frame = await meter.next();
      answers.set(
        frame.sequence,
        frame.message.kind === 'meter_refused' ? frame.message.reason : frame.message.kind,
      );
    }
    const outcomes = [...answers.values()].sort();
    assert.deepEqual(outcomes, [...Array(7).fill('DEVICE_BUSY'), 'meter_started'].sort());
    let held = 0;
    for (const card of cards) held += (await world.client.getCard(card.cardNo)).balance.mainPending;
    assert.equal(held, 300);
    meter.close();
  });

  test('#12.16 when 60 starts race for one meter on Redis, then exactly one takes it', async () => {
    // Goal: the reservation is one atomic SET NX across instances, tested with a burst on the real Redis.
    const redis = new Redis(redisUrl);
    const prefix = redisPrefix('meter');
    const locks = redisMeterLocks(redis, prefix);
    const ref = `burst-${process.pid}-${Date.now()}`;
    const reservations = await Promise.all(Array.from({ length: 60 }, () => locks.reserve(ref)));
    const winners = reservations.filter((r) => r.ok);
    assert.equal(winners.length, 1);
    const winner = winners[0];
    if (winner?.ok) await locks.release(ref, winner.token);
    assert.equal((await locks.reserve(ref)).ok, true, 'released, the meter is free');
    await redis.del(`${prefix}${ref}`);
    await redis.quit();
  });

  test("#12.19 when a meter reports or stops a hold that is unknown or another meter's, then METER_REFUSED HOLD_NOT_FOUND and the other hold is untouched", async () => {
    // Goal: a definite refusal, never INTERNAL_ERROR (which invites retries).
    const owner = await meterAt(world.gateway.port, await registerDevice(world, 'shower'));
    const stranger = await meterAt(second.port, await registerDevice(world, 'shower'));
    const card = await student(1_000);
    const started = await owner.request(startOf(card.code()));
    if (started.message.kind !== 'meter_started') throw new Error('not started');
    const holdId = started.message.holdId;
    const refused = { kind: 'meter_refused', reason: 'HOLD_NOT_FOUND' };
    for (const id of [holdId, 'H-no-such-hold']) {
      assert.deepEqual(
        (await stranger.request({ kind: 'meter_usage', holdId: id, usageUnits: 50 })).message,
        refused,
      );
      assert.deepEqual(
        (await stranger.request({ kind: 'meter_stop', holdId: id, usageUnits: 300 })).message,
        refused,
      );
    }
    const hold = await world.client.getHold(holdId);
    assert.equal(hold.status, 'pending');
    assert.equal(hold.usageAmount, 0);
    owner.close();
    stranger.close();
  });

  test('#12.19 when a settled hold is stopped again under a new sequence, then METER_SETTLED answers what it settled at and the balance now', async () => {
    // Goal: a meter that lost the first answer and sends a fresh stop learns the real figures, not balance 0.
    const meter = await meterAt(world.gateway.port, await registerDevice(world, 'shower'));
    const card = await student(1_000);
    const started = await meter.request(startOf(card.code()));
    if (started.message.kind !== 'meter_started') throw new Error('not started');
    const holdId = started.message.holdId;
    const first = await meter.request({ kind: 'meter_stop', holdId, usageUnits: 120 });
    const expected = { kind: 'meter_settled', chargedFen: 120, releasedFen: 180, balanceAfterFen: 880 };
    assert.deepEqual(first.message, expected);
    const again = await meter.request({ kind: 'meter_stop', holdId, usageUnits: 200 });
    assert.deepEqual(again.message, expected);
    const usage = await meter.request({ kind: 'meter_usage', holdId, usageUnits: 250 });
    assert.deepEqual(usage.message, {
      kind: 'meter_usage_ack',
      state: 'hold_closed',
      usageFen: 120,
      remainingFen: 0,
    });
    assert.equal((await world.client.getCard(card.cardNo)).balance.main, 880);
    meter.close();
  });
});
