import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '@campus-card/tests/kit';
import {
  type DeviceKind,
  encodeFrame,
  encodeRawFrame,
  type Message,
  signOfflineRecord,
} from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('bad input over TCP', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ timings: { frameCompleteTimeoutMs: 300 } });
  });
  after(async () => {
    await world.stop();
  });

  async function signedIn(kind: DeviceKind = 'pos'): Promise<TestDevice> {
    const { deviceId, key } = await registerDevice(world, kind);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn(kind)).message.kind, 'sign_in_accepted');
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

  test('#12.15 when a signed-in device sends a frame with a bad MAC or a foreign device id, then the ERROR is anonymous: device id 0, sequence 0, the anonymous key', async () => {
    // Goal: protocol § 4.2 — an answer to a frame that did not authenticate is never signed with the device's key.
    const forged = await signedIn();
    forged.send(
      { kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 },
      77,
      new Uint8Array(32).fill(3),
    );
    // TestDevice.next decodes a frame with device id 0 under the anonymous key: a keyed one would fail.
    const reply = await forged.next();
    assert.equal(reply.message.kind === 'error' && reply.message.code, 'BAD_MAC');
    assert.equal(reply.deviceId, 0);
    assert.equal(reply.sequence, 0);
    await forged.untilClosed();

    const foreign = await signedIn();
    foreign.write(
      encodeFrame(
        { kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 },
        { deviceId: foreign.deviceId + 100_000, sequence: 78, timestampMs: Date.now() },
        { macKey: foreign.key },
      ),
    );
    const answer = await foreign.next();
    assert.equal(answer.message.kind === 'error' && answer.message.code, 'BAD_MAC');
    assert.equal(answer.deviceId, 0);
    assert.equal(answer.sequence, 0);
    await foreign.untilClosed();
  });

  test('#12.17 when a whole frame is dribbled a byte at a time for longer than the frame allowance, then TRUNCATED (anonymous) and close, not an answer', async () => {
    // Goal: protocol § 10.1 — the whole frame within its allowance (300 ms here) of its first byte, however
    // steadily the bytes come; a per-byte timer let a 49-byte frame take 24.5 s.
    const device = await signedIn();
    const frame = encodeFrame(
      { kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 },
      { deviceId: device.deviceId, sequence: ++device.sequence, timestampMs: Date.now() },
      { macKey: device.key },
    );
    assert.equal(frame.byteLength, 49);
    for (const byte of frame) {
      if (device.closed) break;
      device.write(Uint8Array.of(byte));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const reply = await device.next();
    assert.equal(reply.message.kind === 'error' && reply.message.code, 'TRUNCATED');
    assert.equal(reply.deviceId, 0);
    await device.untilClosed();
  });

  test('#12.17 when frames arrive back to back in one stream, each within the allowance, then every one is answered', async () => {
    // Goal: the whole-frame timer restarts with each new frame, so a busy device is never cut off.
    const device = await signedIn();
    for (let i = 0; i < 4; i++) {
      await heartbeatWorks(device);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    device.close();
  });

  test('#12.18 when a device sends a request its kind may not send, then UNEXPECTED_MESSAGE, nothing is charged or held, and the session continues', async () => {
    // Goal: protocol § 8.1 — a meter cannot pay, a till cannot hold, a gate cannot sign in to a class.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const code = () => ({ kind: 'qr', text: phone.code() }) as const;
    const cases: [DeviceKind, () => Message][] = [
      ['shower', () => ({ kind: 'pay', code: code(), amountFen: 300, orderNo: 1, itemNo: 0 })],
      ['laundry', () => ({ kind: 'pay', code: code(), amountFen: 300, orderNo: 1, itemNo: 0 })],
      ['gate', () => ({ kind: 'pay', code: code(), amountFen: 300, orderNo: 1, itemNo: 0 })],
      ['pos', () => ({ kind: 'meter_start', service: 'shower', code: code(), holdFen: 500 })],
      ['gate', () => ({ kind: 'meter_start', service: 'shower', code: code(), holdFen: 500 })],
      ['pos', () => ({ kind: 'attendance', sessionId: 'S1', code: code() })],
      ['gate', () => ({ kind: 'attendance', sessionId: 'S1', code: code() })],
      ['shower', () => ({ kind: 'identity_check', code: code(), direction: 'in' })],
      ['attendance', () => ({ kind: 'identity_check', code: code(), direction: 'in' })],
      ['kiosk', () => ({ kind: 'pay', code: code(), amountFen: 300, orderNo: 1, itemNo: 0 })],
    ];
    for (const [kind, request] of cases) {
      const device = await signedIn(kind);
      const reply = await device.request(request());
      assert.equal(
        reply.message.kind === 'error' && reply.message.code,
        'UNEXPECTED_MESSAGE',
        `${kind} sending ${request().kind}`,
      );
      await heartbeatWorks(device);
      device.close();
    }
    const card = await world.client.getCard(cardNo);
    assert.equal(card.balance.main, 5_000, 'nothing charged');
    assert.equal(card.balance.mainPending, 0, 'nothing held');
  });

  test('#12.18 when a meter uploads an offline payment record, then it is rejected NOT_PERMITTED and nothing is charged', async () => {
    // Goal: the offline path keeps the same rule (protocol § 12.1: meters never take anything offline).
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const meter = await signedIn('shower');
    const record = signOfflineRecord(meter.key, meter.deviceId, {
      recordKind: 'payment',
      decision: 'accepted',
      sequence: 50,
      offlineNo: 1,
      takenAtMs: Date.now() - 1_000,
      amountFen: 900,
      orderNo: 1,
      sessionId: '',
      code: { kind: 'qr', text: phone.code() },
    });
    const reply = await meter.request({ kind: 'offline_upload', records: [record] });
    assert.deepEqual(reply.message, {
      kind: 'offline_upload_result',
      results: [{ sequence: 50, status: 'rejected', reason: 'NOT_PERMITTED' }],
      gaps: [],
    });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 5_000);
    meter.close();
  });
});
