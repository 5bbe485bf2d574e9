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
