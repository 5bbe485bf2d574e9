import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '../../core/test/support.ts';
import type { RunningGateway } from '../src/server.ts';
import {
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('several gateway instances against one core', () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl });
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
});
