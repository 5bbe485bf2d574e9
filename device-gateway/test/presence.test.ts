import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceWithPresence } from '@campus-card/core/client';
import { registerDevice, startGatewayFor, startWorld, TestDevice, type TestWorld } from './support.ts';

/** Polls the core's device list until `ok` holds for the device (the reporter flushes every 200 ms here). */
async function until(
  world: TestWorld,
  deviceId: number,
  ok: (d: DeviceWithPresence) => boolean,
  timeoutMs = 5_000,
): Promise<DeviceWithPresence> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await world.client.devices()).items.find((d) => d.id === String(deviceId));
    if (found && ok(found)) return found;
    if (Date.now() > deadline) throw new Error(`device ${deviceId} is ${JSON.stringify(found?.presence)}`);
    await sleep(100);
  }
}

describe('device presence: what a connected device reports reaches the backoffice list', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({}, { PRESENCE_FLUSH_INTERVAL_MS: '200', GATEWAY_INSTANCE_ID: 'gw-test-1' });
  });
  after(() => world.stop());

  test('when a device signs in and heartbeats with its versions and pending records, then the core shows it online with them; when it disconnects, offline', async () => {
    // Goal: sign-in, heartbeat and close travel from a real TCP session through the reporter to the core.
    const { deviceId, key } = await registerDevice(world);
    const configVersion = (await world.client.putDeviceConfig(String(deviceId), { paymentMaxFen: 3_000 }))
      .configVersion;
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    // The sign-in said version 0; the gateway pushes the configuration (not read here).
    const signedIn = await until(world, deviceId, (d) => d.presence?.online === true);
    assert.equal(signedIn.presence?.gatewayId, 'gw-test-1');
    assert.equal(signedIn.presence?.firmware, 'test/1.0');
    assert.equal(signedIn.presence?.configBehind, true);

    const blacklistVersion = world.gateway.blacklist.version;
    const ack = await device.request({
      kind: 'heartbeat',
      configVersion,
      blacklistVersion,
      offlineRecordsPending: 4,
    });
    assert.equal(ack.message.kind, 'heartbeat_ack');
    const beating = await until(world, deviceId, (d) => d.presence?.offlinePending === 4);
    assert.deepEqual(
      beating.presence && {
        online: beating.presence.online,
        configVersion: beating.presence.configVersion,
        configBehind: beating.presence.configBehind,
        blacklistVersion: beating.presence.blacklistVersion,
        blacklistBehind: beating.presence.blacklistBehind,
      },
      { online: true, configVersion, configBehind: false, blacklistVersion, blacklistBehind: false },
    );
    assert.ok((await world.client.devicePresenceSummary()).online >= 1);

    device.close();
    const gone = await until(world, deviceId, (d) => d.presence?.online === false);
    // Last seen stays when the device was last heard, not when the gateway noticed it had gone.
    assert.equal(gone.presence?.lastSeenAtMs, beating.presence?.lastSeenAtMs);
    assert.equal(gone.presence?.offlinePending, 4);
  });

  test('when a gateway instance shuts down, then its devices are reported offline before it stops', async () => {
    // Goal: the shutdown flush leaves no device shown online by an instance that is gone.
    const second = await startGatewayFor(
      world.core,
      {},
      { PRESENCE_FLUSH_INTERVAL_MS: '60000', GATEWAY_INSTANCE_ID: 'gw-test-2' },
    );
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(second.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    assert.equal(second.presence.pending, 1, 'a minute between flushes: the sign-in waits');
    await second.close();
    const listed = (await world.client.devices()).items.find((d) => d.id === String(deviceId));
    assert.equal(listed?.presence?.gatewayId, 'gw-test-2');
    assert.equal(listed?.presence?.online, false);
  });
});
