import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeRawFrame } from '../src/protocol/index.ts';
import { registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('bad input over TCP', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ timings: { frameCompleteTimeoutMs: 300 } });
  });
  after(async () => {
    await world.stop();
  });

  async function signedIn(): Promise<TestDevice> {
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    return device;
  }

  async function heartbeatWorks(device: TestDevice): Promise<void> {
    const ack = await device.request({
      kind: 'heartbeat',
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
    });
    assert.equal(ack.message.kind, 'heartbeat_ack');
  }

  test('when a frame declares a length above 4,096 bytes, then FRAME_TOO_LARGE, close, and other devices are served', async () => {
    // Goal: an oversize length is refused from its header, before any payload is buffered.
    const bystander = await signedIn();
    const device = await signedIn();
    device.write(Uint8Array.of(0xca, 0xcd, 0x01, 0xff, 0xff));
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'FRAME_TOO_LARGE');
    await device.untilClosed();
    await heartbeatWorks(bystander);
    bystander.close();
  });

  test('when garbage arrives instead of a frame, then BAD_MAGIC and close', async () => {
    // Goal: framing that is lost is never guessed at.
    const device = await signedIn();
    device.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'BAD_MAGIC');
    await device.untilClosed();
  });

  test('when a signed-in device sends a frame with a bad MAC, then BAD_MAC and close', async () => {
    // Goal: the first forged frame ends the connection.
    const device = await signedIn();
    device.send(
      { kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 },
      undefined,
      new Uint8Array(32).fill(3),
    );
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'BAD_MAC');
    await device.untilClosed();
  });

  test('when a MACed frame has a malformed payload or an unknown type, then an ERROR and the session continues', async () => {
    // Goal: a firmware bug in one message does not cost the device its session.
    const device = await signedIn();
    const base = { deviceId: device.deviceId, timestampMs: Date.now(), flags: 0 };
    device.write(
      encodeRawFrame(
        { ...base, sequence: ++device.sequence, type: 0x10, payload: Uint8Array.of(9, 9) },
        device.key,
      ),
    );
    const malformed = await device.next();
    assert.equal(malformed.message.kind, 'error');
    if (malformed.message.kind === 'error') assert.equal(malformed.message.code, 'BAD_FIELD');
    device.write(
      encodeRawFrame(
        { ...base, sequence: ++device.sequence, type: 0x7e, payload: new Uint8Array(0) },
        device.key,
      ),
    );
    const unknown = await device.next();
    assert.equal(unknown.message.kind, 'error');
    if (unknown.message.kind === 'error') assert.equal(unknown.message.code, 'UNKNOWN_TYPE');
    await heartbeatWorks(device);
    device.close();
  });

  test('when an upload, attendance, blacklist request or server-only message is malformed, then its ERROR and the session continues', async () => {
    // Goal: each new request kind refuses bad bytes with a stable code and executes nothing.
    const device = await signedIn();
    const base = { deviceId: device.deviceId, timestampMs: Date.now(), flags: 0 };
    const cases: [number, Uint8Array, string][] = [
      [0x50, Uint8Array.of(65), 'BAD_FIELD'], // OFFLINE_UPLOAD of 65 records: above 64
      [0x50, Uint8Array.of(1, 1, 1), 'TRUNCATED'], // one record cut short
      [0x30, Uint8Array.of(0), 'BAD_FIELD'], // ATTENDANCE with an empty session id
      [0x60, Uint8Array.of(0, 0, 0, 1), 'TRUNCATED'], // BLACKLIST_REQUEST cut short
      [0x60, new Uint8Array(11), 'TRAILING_BYTES'], // one byte too many
      [0x05, new Uint8Array(16), 'UNEXPECTED_MESSAGE'], // HEARTBEAT_ACK is the server's to send
    ];
    for (const [type, payload, code] of cases) {
      device.write(encodeRawFrame({ ...base, sequence: ++device.sequence, type, payload }, device.key));
      const reply = await device.next();
      assert.equal(reply.message.kind === 'error' && reply.message.code, code, `type 0x${type.toString(16)}`);
    }
    await heartbeatWorks(device);
    device.close();
  });

  test('when a frame starts and never completes, then TRUNCATED and close (slowloris)', async () => {
    // Goal: a slow sender cannot hold a half frame open.
    const device = await signedIn();
    device.write(Uint8Array.of(0xca, 0xcd, 0x01, 0x00, 0x40, 0x04));
    const reply = await device.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'TRUNCATED');
    await device.untilClosed();
  });

  test('when a device floods requests, then RATE_LIMITED errors, then a close, and the gateway keeps serving others', async () => {
    // Goal: one device's flood is contained to its own connection.
    const bystander = await signedIn();
    const device = await signedIn();
    for (let i = 0; i < 100; i++) {
      device.send({ kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 });
    }
    const codes: string[] = [];
    try {
      for (;;) {
        const reply = await device.next(2_000);
        if (reply.message.kind === 'error') codes.push(reply.message.code);
      }
    } catch {
      // the connection closed, or went quiet
    }
    assert.ok(codes.includes('RATE_LIMITED'), `got ${codes.join(',')}`);
    await device.untilClosed();
    await heartbeatWorks(bystander);
    bystander.close();
  });

  test('when the same device signs in on a second connection, then the first gets SESSION_REPLACED', async () => {
    // Goal: one live session per device; a stale half-open connection is dropped.
    const { deviceId, key } = await registerDevice(world);
    const first = await TestDevice.connect(world.gateway.port, deviceId, key);
    await first.signIn();
    const second = await TestDevice.connect(world.gateway.port, deviceId, key);
    second.sequence = 10;
    assert.equal((await second.signIn()).message.kind, 'sign_in_accepted');
    const reply = await first.next();
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'SESSION_REPLACED');
    await first.untilClosed();
    await heartbeatWorks(second);
    second.close();
  });

  test('when bad frames arrive, then each is counted in the metrics by its error code', async () => {
    // Goal: an operator sees floods and forgeries as numbers, not only in logs.
    const metrics = world.gateway.metrics;
    const before = { magic: metrics.get('errors.BAD_MAGIC'), mac: metrics.get('errors.BAD_MAC') };
    const garbage = await signedIn();
    garbage.write(new TextEncoder().encode('garbage!'));
    await garbage.untilClosed();
    const forger = await signedIn();
    forger.send(
      { kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 },
      undefined,
      new Uint8Array(32).fill(9),
    );
    await forger.untilClosed();
    assert.equal(metrics.get('errors.BAD_MAGIC'), before.magic + 1);
    assert.equal(metrics.get('errors.BAD_MAC'), before.mac + 1);
    assert.ok(metrics.get('sign_ins') >= 2);
    assert.ok(metrics.get('connections') >= 2);
  });
});
