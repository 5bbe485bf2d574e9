import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '../../core/test/support.ts';
import { phoneFor, registerDevice, startWorld, type TestWorld } from '../../device-gateway/test/support.ts';
import { PosTerminal } from './pos.ts';
import { ShowerMeter } from './shower-meter.ts';

describe('device simulators against the real gateway and core', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world.stop();
  });

  test('when the POS simulator pays with a fresh code, then it is approved with the balance after', async () => {
    // Goal: the simulator signs in, checks the server proof and pays through gateway → core.
    const { deviceId, key } = await registerDevice(world, 'pos');
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_500, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    assert.deepEqual(await pos.pay(phone.code(), 1_200), {
      kind: 'pay_approved',
      chargedFen: 1_200,
      subsidyFen: 0,
      balanceAfterFen: 300,
    });
    assert.deepEqual(await pos.pay(phone.code(), 1_200), {
      kind: 'pay_declined',
      reason: 'INSUFFICIENT_FUNDS',
    });
    pos.close();
  });

  test('when the shower simulator runs a session, then the card pays exactly the metered seconds', async () => {
    // Goal: the meter simulator drives hold → usage → settle.
    const { deviceId, key } = await registerDevice(world, 'shower');
    const meter = await ShowerMeter.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    assert.equal((await meter.start(phone.code(), 600)).kind, 'meter_started');
    assert.equal((await meter.report(60)).usageFen, 60);
    const settled = await meter.stop(95);
    assert.deepEqual(settled, {
      kind: 'meter_settled',
      chargedFen: 95,
      releasedFen: 505,
      balanceAfterFen: 905,
    });
    meter.close();
  });

  test('when the key is wrong, then connecting refuses with the gateway error', async () => {
    // Goal: the simulator surfaces a refused sign-in instead of hanging.
    const { deviceId } = await registerDevice(world, 'pos');
    await assert.rejects(
      PosTerminal.connect({ port: world.gateway.port, deviceId, key: new Uint8Array(32).fill(5) }),
      /sign-in refused: BAD_MAC/,
    );
  });
});
