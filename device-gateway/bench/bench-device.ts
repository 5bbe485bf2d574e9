// A lean terminal for load: frames matched to requests by sequence, pushes counted by type.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  anonymousKey,
  type DeviceKind,
  decodeFrame,
  deriveSessionKey,
  encodeFrame,
  type FrameKeys,
  FrameSplitter,
  type Message,
  MessageType,
  prepareKey,
  signInResponse,
} from '../src/protocol/index.ts';

const anonymousKeys: FrameKeys = { macKey: prepareKey(anonymousKey) };

export class BenchDevice {
  private readonly splitter = new FrameSplitter();
  private readonly waiting = new Map<number, (message: Message) => void>();
  /** The device key and, once signed in, the session key, prepared once as KeyObjects (as the gateway does). */
  private keys: FrameKeys;
  private sequence = 1;
  onPush: ((type: number) => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly deviceId: number,
    key: Uint8Array,
  ) {
    this.keys = { macKey: prepareKey(key) };
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
  }

  static async connect(
    port: number,
    deviceId: number,
    key: Uint8Array,
    kind: DeviceKind,
  ): Promise<BenchDevice> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await once(socket, 'connect');
    const device = new BenchDevice(socket, deviceId, key);
    const challenge = await device.answerTo(0);
    if (challenge.kind !== 'challenge') throw new Error(`expected CHALLENGE, got ${challenge.kind}`);
    const deviceNonce = new Uint8Array(randomBytes(16));
    const accepted = await device.request({
      kind: 'sign_in',
      deviceKind: kind,
      deviceNonce,
      response: signInResponse(key, deviceId, challenge.serverNonce, deviceNonce),
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
      firmware: 'bench/1.0',
    });
    if (accepted.kind !== 'sign_in_accepted') throw new Error(`sign-in refused: ${JSON.stringify(accepted)}`);
    device.keys = {
      macKey: device.keys.macKey,
      sessionKey: prepareKey(deriveSessionKey(key, deviceId, challenge.serverNonce, deviceNonce)),
    };
    return device;
  }

  request(message: Message): Promise<Message> {
    this.sequence += 1;
    const answer = this.answerTo(this.sequence);
    this.socket.write(
      encodeFrame(
        message,
        { deviceId: this.deviceId, sequence: this.sequence, timestampMs: Date.now() },
        this.keys,
      ),
    );
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }

  private answerTo(sequence: number): Promise<Message> {
    return new Promise((resolve) => this.waiting.set(sequence, resolve));
  }

  private receive(chunk: Buffer): void {
    for (const frame of this.splitter.push(chunk).frames) {
      const type = frame[5] as number;
      const sequence =
        ((frame[11] as number) << 24) |
        ((frame[12] as number) << 16) |
        ((frame[13] as number) << 8) |
        (frame[14] as number);
      if (sequence === 0 && type !== MessageType.CHALLENGE) {
        // Pushes are timed on arrival; a device would decrypt and apply them.
        this.onPush?.(type);
        continue;
      }
      const waiter = this.waiting.get(sequence >>> 0);
      if (waiter === undefined) continue;
      this.waiting.delete(sequence >>> 0);
      const anonymous = type === MessageType.CHALLENGE;
      const decoded = decodeFrame(frame, anonymous ? anonymousKeys : this.keys);
      if (decoded.ok) waiter(decoded.value.message);
    }
  }
}

/** Connects the devices, at most `parallel` signing in at once. */
export async function connectMany(
  port: number,
  devices: readonly { deviceId: number; key: Uint8Array }[],
  kind: DeviceKind,
  parallel: number,
): Promise<BenchDevice[]> {
  const connected: BenchDevice[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < devices.length) {
        const d = devices[next++] as { deviceId: number; key: Uint8Array };
        connected.push(await BenchDevice.connect(port, d.deviceId, d.key, kind));
      }
    }),
  );
  return connected;
}
