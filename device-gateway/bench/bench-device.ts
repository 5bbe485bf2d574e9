// A lean terminal for load: frames matched to requests by sequence, pushes counted by type; frames can be
// made ahead (`prepare`) and sent later, their answers handed over raw (`onAnswer`).

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
  frameFlags,
  headerBytes,
  type Message,
  MessageType,
  prepareKey,
  protocolErrorCodes,
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
  /**
   * Answers to frames sent with `send` (no request waiting): the sequence, the frame's type and the frame,
   * MAC unchecked — decode it with `decode` when more than its type is needed.
   */
  onAnswer: ((sequence: number, type: number, frame: Uint8Array) => void) | undefined;

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
    const { sequence, frame } = this.prepare(message, Date.now());
    const answer = this.answerTo(sequence);
    this.send(frame);
    return answer;
  }

  /** The frame of the next request, dated `timestampMs`, to `send` later (frames must leave in this order). */
  prepare(message: Message, timestampMs: number): { sequence: number; frame: Uint8Array } {
    this.sequence += 1;
    const frame = encodeFrame(
      message,
      { deviceId: this.deviceId, sequence: this.sequence, timestampMs },
      this.keys,
    );
    return { sequence: this.sequence, frame };
  }

  send(frame: Uint8Array): void {
    this.socket.write(frame);
  }

  /** An answer's message, or undefined when its MAC or payload is bad. */
  decode(frame: Uint8Array): Message | undefined {
    const decoded = decodeFrame(frame, this.keys);
    return decoded.ok ? decoded.value.message : undefined;
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
      if (waiter === undefined) {
        this.onAnswer?.(sequence >>> 0, type, frame);
        continue;
      }
      this.waiting.delete(sequence >>> 0);
      const anonymous = type === MessageType.CHALLENGE;
      const decoded = decodeFrame(frame, anonymous ? anonymousKeys : this.keys);
      if (decoded.ok) waiter(decoded.value.message);
    }
  }
}

/** Whether an answer is a BUSY refusal: an ERROR whose code (its first field, in the clear) is BUSY; MAC unchecked. */
export function isBusy(type: number, frame: Uint8Array): boolean {
  if (type !== MessageType.ERROR || ((frame[6] as number) & frameFlags.encrypted) !== 0) return false;
  const code = ((frame[headerBytes] as number) << 8) | (frame[headerBytes + 1] as number);
  return code === protocolErrorCodes.BUSY;
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
