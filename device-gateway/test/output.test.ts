// The session's output path (issue #20): the frames a session sends within one tick leave the gateway in
// one socket write, not one syscall per frame. Real gateway and core, real TCP.

import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { encodeFrame, type Message } from '../src/protocol/index.ts';
import { registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('session output', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world.stop();
  });

  test('#20.5 when three heartbeats arrive in one chunk, then their three answers leave the gateway in one socket write', async () => {
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    const devicePort = (device as unknown as { socket: Socket }).socket.localPort;
    // Writes the gateway's socket for this device hands to the kernel: one per _write, one per _writev.
    const proto = Socket.prototype as unknown as Record<
      '_write' | '_writev',
      (...args: unknown[]) => unknown
    >;
    const original = { _write: proto._write, _writev: proto._writev };
    let writes = 0;
    for (const name of ['_write', '_writev'] as const) {
      proto[name] = function (this: Socket, ...args: unknown[]) {
        if (this.remotePort === devicePort) writes += 1;
        return original[name]?.apply(this, args);
      };
    }
    try {
      const heartbeat: Message = {
        kind: 'heartbeat',
        configVersion: 0,
        blacklistVersion: 0,
        offlineRecordsPending: 0,
      };
      const frames = [1, 2, 3].map(() => {
        device.sequence += 1;
        return encodeFrame(
          heartbeat,
          { deviceId, sequence: device.sequence, timestampMs: Date.now() },
          { macKey: key },
        );
      });
      device.write(Buffer.concat(frames));
      for (let i = 0; i < 3; i++) assert.equal((await device.next()).message.kind, 'heartbeat_ack');
    } finally {
      proto._write = original._write;
      proto._writev = original._writev;
      device.close();
    }
    assert.equal(writes, 1);
  });
});
