import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverProof } from '../src/protocol/index.ts';
import { registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('sign-in and heartbeat over TCP', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world.stop();
  });

  test('when a registered device answers the challenge with its key, then it is signed in with a server proof', async () => {
    // Goal: the challenge–response of protocol § 4.3 works end to end and the server proves it knows the key.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    const reply = await device.signIn();
    assert.equal(reply.message.kind, 'sign_in_accepted');
    assert.equal(reply.deviceId, deviceId);
    assert.equal(reply.sequence, 1);
    if (reply.message.kind !== 'sign_in_accepted') return;
    assert.ok(reply.message.heartbeatIntervalSeconds >= 30);
    assert.equal(reply.message.serverProof.byteLength, 32);
    // The proof must verify under the key and the nonces: a gateway without the key cannot make it.
    assert.notDeepEqual(
      reply.message.serverProof,
      serverProof(new Uint8Array(32), deviceId, new Uint8Array(16), new Uint8Array(16)),
    );
    device.close();
  });

  test('when the response is made with a wrong key, then the gateway answers BAD_MAC or SIGN_IN_FAILED and closes', async () => {
    // Goal: no device signs in without its key.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    const reply = await device.signIn('pos', new Uint8Array(32).fill(9));
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'BAD_MAC');
    assert.equal(reply.deviceId, 0, 'answers to an unauthenticated frame are anonymous');
    await device.untilClosed();
  });

  test('when the frame MAC is right but the device kind differs from its registration, then SIGN_IN_FAILED and close', async () => {
    // Goal: a POS key cannot sign in as a gate.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    const reply = await device.signIn('gate');
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'SIGN_IN_FAILED');
    await device.untilClosed();
  });

  test('when the device id is not registered, then UNKNOWN_DEVICE and close', async () => {
    // Goal: unknown devices are refused by name.
    const device = await TestDevice.connect(world.gateway.port, 4_000_000_000, new Uint8Array(32));
    const reply = await device.signIn();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'UNKNOWN_DEVICE');
    await device.untilClosed();
  });

  test('when an administrator disabled the device, then DEVICE_DISABLED and close', async () => {
    // Goal: disabling a device in the core shuts it out of the gateway.
    const { deviceId, key } = await registerDevice(world);
    await world.client.setDeviceStatus(String(deviceId), 'disabled');
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    const reply = await device.signIn();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'DEVICE_DISABLED');
    await device.untilClosed();
  });

  test('when the device is re-keyed, then the old key no longer signs in and the new one does', async () => {
    // Goal: re-keying takes effect at the next sign-in.
    const { deviceId, key } = await registerDevice(world);
    const rekeyed = await world.client.rekeyDevice(String(deviceId));
    const oldDevice = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await oldDevice.signIn()).message.kind, 'error');
    const newKey = new Uint8Array(Buffer.from(rekeyed.keyHex, 'hex'));
    const newDevice = await TestDevice.connect(world.gateway.port, deviceId, newKey);
    assert.equal((await newDevice.signIn()).message.kind, 'sign_in_accepted');
    newDevice.close();
  });

  test('when a signed-in device sends HEARTBEAT, then it gets HEARTBEAT_ACK with the server time for its sequence', async () => {
    // Goal: heartbeats are answered and carry a usable server clock.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.signIn();
    const before = Date.now();
    const ack = await device.request({
      kind: 'heartbeat',
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
    });
    assert.equal(ack.message.kind, 'heartbeat_ack');
    assert.equal(ack.sequence, device.sequence);
    if (ack.message.kind === 'heartbeat_ack') {
      assert.ok(Math.abs(ack.message.serverTimeMs - before) < 5_000);
    }
    device.close();
  });

  test('when a request arrives before sign-in, then NOT_SIGNED_IN and close', async () => {
    // Goal: nothing but SIGN_IN is served before sign-in.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.next();
    device.send({ kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 });
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'NOT_SIGNED_IN');
    await device.untilClosed();
  });
});

describe('offline detection', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ timings: { silenceTimeoutMs: 300, signInTimeoutMs: 300 } });
  });
  after(async () => {
    await world.stop();
  });

  test('when a signed-in device falls silent past the timeout, then HEARTBEAT_TIMEOUT and close', async () => {
    // Goal: a half-open or dead device is noticed and its connection freed.
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    await device.signIn();
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'HEARTBEAT_TIMEOUT');
    await device.untilClosed();
    assert.equal(world.gateway.sessions.signedInCount, 0);
  });

  test('when a connection never signs in, then SIGN_IN_TIMEOUT and close', async () => {
    // Goal: slow senders cannot hold connections before sign-in.
    const device = await TestDevice.connect(world.gateway.port, 1, new Uint8Array(32));
    assert.equal((await device.next()).message.kind, 'challenge');
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'SIGN_IN_TIMEOUT');
    await device.untilClosed();
  });
});
