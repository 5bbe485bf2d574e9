// A simulated campus terminal speaking the device protocol over real TCP, built only on the gateway's codec
// (imported, never copied). It signs in, checks the server's proof, and sends requests with the protocol's
// retry rule: the identical frame, same sequence, after `requestTimeoutMs`, at most `requestRetriesMax` more.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  anonymousKey,
  type DecodedFrame,
  type DeviceKind,
  decodeFrame,
  deriveSessionKey,
  encodeFrame,
  FrameSplitter,
  type Message,
  macEquals,
  requestRetriesMax,
  requestTimeoutMs,
  serverProof,
  signInResponse,
  signInStepTimeoutMs,
} from '@campus-card/device-gateway/protocol';

export interface DeviceOptions {
  readonly host?: string;
  readonly port: number;
  readonly deviceId: number;
  /** The 32-byte key the core answered at registration. */
  readonly key: Uint8Array;
  readonly kind: DeviceKind;
  readonly firmware?: string;
  readonly requestTimeoutMs?: number;
  readonly requestRetriesMax?: number;
  /**
   * The device's persisted counters and versions, shared across reconnects: requests and offline records
   * take their sequence numbers from the same counter (protocol § 11.1).
   */
  readonly memory?: DeviceMemoryView;
  /** Frames the server pushes (sequence 0): configuration and blacklist deltas. */
  readonly onPush?: (message: Message) => void;
}

/** What a device keeps in non-volatile memory and reports at sign-in and in heartbeats. */
export interface DeviceMemoryView {
  /** The last sequence used; the next request takes sequence + 1. */
  sequence: number;
  readonly configVersion: number;
  readonly blacklistVersion: number;
  readonly offlineRecordsPending: number;
}

function freshMemory(): DeviceMemoryView {
  return { sequence: 0, configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 };
}

const pushesKeptMax = 64;

interface Waiter {
  resolve(frame: DecodedFrame): void;
  reject(error: Error): void;
}

export class SimulatedDevice {
  private readonly splitter = new FrameSplitter();
  private readonly waiting = new Map<number, Waiter>();
  private sessionKey: Uint8Array | undefined;
  private readonly memory: DeviceMemoryView;
  private closedError: Error | undefined;
  /** Frames the server sent unasked (sequence 0): pushes. */
  readonly pushes: Message[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly options: DeviceOptions,
  ) {
    this.memory = options.memory ?? freshMemory();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.fail(new Error('the gateway closed the connection')));
  }

  /** Connects and signs in; throws if the gateway refuses or cannot prove it knows the key. */
  static async connect(options: DeviceOptions): Promise<SimulatedDevice> {
    const socket = connect(options.port, options.host ?? '127.0.0.1');
    await once(socket, 'connect');
    const device = new SimulatedDevice(socket, options);
    await device.signIn();
    return device;
  }

  get deviceId(): number {
    return this.options.deviceId;
  }

  /** Sends a request and waits for its answer, retrying the identical frame on silence. */
  async request(message: Message, sequenceGiven?: number): Promise<Message> {
    if (sequenceGiven === undefined) this.memory.sequence += 1;
    const sequence = sequenceGiven ?? this.memory.sequence;
    const frame = this.encode(message, sequence);
    const timeoutMs = this.options.requestTimeoutMs ?? requestTimeoutMs;
    const retriesMax = this.options.requestRetriesMax ?? requestRetriesMax;
    for (let attempt = 0; ; attempt++) {
      this.socket.write(frame);
      try {
        return (await this.answerTo(sequence, timeoutMs)).message;
      } catch (error) {
        if (attempt >= retriesMax || this.closedError !== undefined) throw error;
      }
    }
  }

  heartbeat(): Promise<Message> {
    return this.request({
      kind: 'heartbeat',
      configVersion: this.memory.configVersion,
      blacklistVersion: this.memory.blacklistVersion,
      offlineRecordsPending: this.memory.offlineRecordsPending,
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private async signIn(): Promise<void> {
    const challenge = await this.answerTo(0, signInStepTimeoutMs);
    if (challenge.message.kind !== 'challenge')
      throw new Error(`expected CHALLENGE, got ${challenge.message.kind}`);
    const { serverNonce } = challenge.message;
    const deviceNonce = new Uint8Array(16);
    crypto.getRandomValues(deviceNonce);
    const { key, deviceId, kind } = this.options;
    this.memory.sequence += 1;
    const sequence = this.memory.sequence;
    this.socket.write(
      this.encode(
        {
          kind: 'sign_in',
          deviceKind: kind,
          deviceNonce,
          response: signInResponse(key, deviceId, serverNonce, deviceNonce),
          configVersion: this.memory.configVersion,
          blacklistVersion: this.memory.blacklistVersion,
          offlineRecordsPending: this.memory.offlineRecordsPending,
          firmware: this.options.firmware ?? 'campus-sim/1.0',
        },
        sequence,
      ),
    );
    const answers = [this.answerTo(sequence, signInStepTimeoutMs), this.answerTo(0, signInStepTimeoutMs)];
    const reply = await Promise.race(answers);
    for (const pending of answers) pending.catch(() => {});
    // The other waiter goes now: left until its timeout, the one on sequence 0 swallowed the first push.
    this.waiting.delete(reply.sequence === 0 ? sequence : 0);
    if (reply.message.kind === 'error') throw new Error(`sign-in refused: ${reply.message.code}`);
    if (reply.message.kind !== 'sign_in_accepted') throw new Error(`unexpected ${reply.message.kind}`);
    if (!macEquals(reply.message.serverProof, serverProof(key, deviceId, serverNonce, deviceNonce))) {
      this.close();
      throw new Error('the server proof does not verify: not our gateway');
    }
    this.sessionKey = deriveSessionKey(key, deviceId, serverNonce, deviceNonce);
  }

  private encode(message: Message, sequence: number): Uint8Array {
    return encodeFrame(
      message,
      { deviceId: this.options.deviceId, sequence, timestampMs: Date.now() },
      { macKey: this.options.key, sessionKey: this.sessionKey },
    );
  }

  private answerTo(sequence: number, timeoutMs: number): Promise<DecodedFrame> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(sequence);
        reject(new Error(`no answer to sequence ${sequence} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(sequence, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private receive(chunk: Buffer): void {
    const { frames, error } = this.splitter.push(chunk);
    for (const frame of frames) {
      const anonymous = frame[7] === 0 && frame[8] === 0 && frame[9] === 0 && frame[10] === 0;
      const decoded = decodeFrame(frame, {
        macKey: anonymous ? anonymousKey : this.options.key,
        sessionKey: this.sessionKey,
      });
      // Protocol § 9: a frame that does not authenticate is never answered; the device closes.
      if (!decoded.ok) {
        this.close();
        return;
      }
      const waiter = this.waiting.get(decoded.value.sequence);
      // Protocol § 4.2: after an anonymous ERROR (a frame it could not authenticate, a disable, a re-key)
      // the device closes and reconnects later; requests waiting for answers fail with the close.
      if (anonymous && decoded.value.message.kind === 'error' && waiter === undefined) {
        this.close();
        return;
      }
      if (waiter !== undefined) {
        this.waiting.delete(decoded.value.sequence);
        waiter.resolve(decoded.value);
      } else {
        // Kept for tests to look at; bounded, a long-running demo device gets many.
        this.pushes.push(decoded.value.message);
        if (this.pushes.length > pushesKeptMax) this.pushes.shift();
        this.options.onPush?.(decoded.value.message);
      }
    }
    if (error !== undefined) this.close();
  }

  private fail(error: Error): void {
    this.closedError = error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
