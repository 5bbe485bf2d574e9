import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '../../core/test/support.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

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
