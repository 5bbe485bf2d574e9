import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreError, type DeviceSettings } from '@campus-card/core/client';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import { devCampusKeys } from '../src/config.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

const canteen: Partial<DeviceSettings> = {
  paymentMaxFen: 20_000,
  repeatIntervalSeconds: 3,
  priceItems: [
    { itemNo: 1, priceFen: 800, name: '套餐A' },
    { itemNo: 2, priceFen: 1_200, name: '套餐B' },
  ],
  mealWindows: [
    { meal: 'breakfast', startMinute: 390, endMinute: 570, perCardMaxFen: 0 },
    { meal: 'lunch', startMinute: 630, endMinute: 810, perCardMaxFen: 3_000 },
  ],
};

describe('configuration push and clock sync', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
  });
  after(async () => {
    await world.stop();
  });

  test('when a configured device signs in with an older version, then CONFIG_PUSH follows with merchant, prices, windows and campus keys', async () => {
    // Goal: a device gets its settings at sign-in without asking (protocol § 7.3, § 7.8).
    const { deviceId, key } = await registerDevice(world);
    const stored = await world.client.putDeviceConfig(String(deviceId), canteen);
    assert.equal(stored.configVersion, 2, 'version 1 is the default it got at registration');
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    const accepted = await device.signIn();
    assert.equal(accepted.message.kind === 'sign_in_accepted' && accepted.message.configVersion, 2);
    const push = await device.nextPush();
    assert.equal(push.sequence, 0);
    assert.equal(push.message.kind, 'config_push');
    if (push.message.kind !== 'config_push') return;
    assert.equal(push.message.configVersion, 2);
    assert.equal(push.message.merchantId, world.merchantId);
    assert.equal(push.message.utcOffsetMinutes, 480);
    assert.deepEqual(push.message.priceItems, canteen.priceItems);
    assert.deepEqual(push.message.mealWindows, canteen.mealWindows);
    assert.deepEqual(
      push.message.campusKeys.map((k) => `${k.kid}:${Buffer.from(k.publicKey).toString('hex')}`),
      [devCampusKeys],
    );
    device.close();
  });

  test('when an administrator changes the configuration, then the connected device gets it within a second', async () => {
    // Goal: a price change reaches the till at once, through whichever instance it is signed in at.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.signIn();
    assert.equal((await device.nextPush()).message.kind, 'config_push', 'the default after sign-in');
    const started = Date.now();
    await world.client.putDeviceConfig(String(deviceId), { ...canteen, paymentMaxFen: 5_000 });
    const push = await device.nextPush(1_000);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(push.message.kind === 'config_push' && push.message.paymentMaxFen, 5_000);

    // A heartbeat that still shows version 0 gets the configuration again, and the ack names version 2.
    const ack = await device.request({
      kind: 'heartbeat',
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
    });
    assert.equal(ack.message.kind === 'heartbeat_ack' && ack.message.configVersion, 2);
    assert.equal((await device.nextPush()).message.kind, 'config_push');
    const current = await device.request({
      kind: 'heartbeat',
      configVersion: 2,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
    });
    assert.equal(current.message.kind, 'heartbeat_ack');
    assert.equal(device.pushes.length, 0, 'a device on the current version is not pushed again');
    device.close();
  });

  test('when a device syncs its clock, then the answer echoes its send time and brackets the server time', async () => {
    // Goal: CLOCK_SYNC gives the four NTP timestamps a device corrects its clock with.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.signIn();
    const before = Date.now();
    const answer = await device.request({ kind: 'clock_sync' });
    assert.equal(answer.message.kind, 'clock_sync_result');
    if (answer.message.kind !== 'clock_sync_result') return;
    assert.ok(answer.message.deviceTimeMs >= before - 5 && answer.message.deviceTimeMs <= Date.now());
    assert.ok(answer.message.serverReceivedAtMs <= answer.message.serverSentAtMs);
    assert.ok(Math.abs(answer.message.serverSentAtMs - Date.now()) < 1_000);
    device.close();
  });

  test('when a configuration is out of range or for no device, then VALIDATION_FAILED or NOT_FOUND and nothing changes', async () => {
    // Goal: a bad configuration never reaches a device.
    const { deviceId } = await registerDevice(world);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof CoreError ? e.code : 'other'),
      );
    const badWindow = {
      mealWindows: [{ meal: 'lunch', startMinute: 800, endMinute: 700, perCardMaxFen: 0 }],
    };
    assert.equal(
      await codeOf(world.client.putDeviceConfig(String(deviceId), badWindow as never)),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(world.client.putDeviceConfig(String(deviceId), { utcOffsetMinutes: 900 })),
      'VALIDATION_FAILED',
    );
    assert.equal(await codeOf(world.client.putDeviceConfig('4000000000', {})), 'NOT_FOUND');
    assert.equal((await world.client.deviceConfig(String(deviceId))).configVersion, 1, 'still the default');
  });

  test('when a payment is above the configured maximum or outside the meal windows, then it is declined before the core', async () => {
    // Goal: the device's configured limits hold online too.
    const { deviceId, key } = await registerDevice(world);
    const minute = Math.floor((Date.now() / 60_000 + 480) % 1_440);
    const closed =
      minute >= 720 ? { startMinute: 0, endMinute: 60 } : { startMinute: 1_380, endMinute: 1_440 };
    const open = { startMinute: 0, endMinute: 1_440 };
    await world.client.putDeviceConfig(String(deviceId), {
      paymentMaxFen: 2_000,
      mealWindows: [{ meal: 'lunch', ...open, perCardMaxFen: 0 }],
    });
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.signIn();
    assert.equal((await device.nextPush()).message.kind, 'config_push', 'the push after sign-in');
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const pay = async (amountFen: number) =>
      (
        await device.request({
          kind: 'pay',
          code: { kind: 'qr', text: phone.code() },
          amountFen,
          orderNo: 1,
          itemNo: 0,
        })
      ).message;
    assert.deepEqual(await pay(2_500), { kind: 'pay_declined', reason: 'AMOUNT_OUT_OF_RANGE' });
    assert.equal((await pay(1_000)).kind, 'pay_approved');
    await world.client.putDeviceConfig(String(deviceId), {
      paymentMaxFen: 2_000,
      mealWindows: [{ meal: 'lunch', ...closed, perCardMaxFen: 0 }],
    });
    await device.nextPush();
    assert.deepEqual(await pay(1_000), { kind: 'pay_declined', reason: 'OUTSIDE_WINDOW' });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 4_000);
    device.close();
  });
});
