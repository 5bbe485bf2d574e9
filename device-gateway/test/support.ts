// Component-test harness: a real core on port 0 against a fresh MariaDB database, a real gateway on port 0
// talking to it, and a scripted device speaking the protocol over a real TCP socket.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { CoreClient } from '@campus-card/core/client';
import {
  type CampusSigningKey,
  campusSigningKeyFromSecret,
  fromHex,
  generatePhoneKeyPair,
  issueCertificate,
  makeCode,
  makeNumericCode,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { pino } from 'pino';
import { devCampusKeys, loadConfig } from '../src/config.ts';
import {
  anonymousKey,
  type DecodedFrame,
  type DeviceKind,
  decodeFrame,
  deriveSessionKey,
  encodeFrame,
  FrameSplitter,
  type Message,
  signInResponse,
} from '../src/protocol/index.ts';
import { type GatewayOverrides, type RunningGateway, startGateway } from '../src/server.ts';

export interface TestWorld {
  core: TestCore;
  client: CoreClient;
  gateway: RunningGateway;
  merchantId: string;
  stop(): Promise<void>;
}

export async function startWorld(
  overrides: GatewayOverrides = {},
  env: Record<string, string> = {},
  coreEnv: Record<string, string> = {},
): Promise<TestWorld> {
  const core = await startTestCore('mysql', coreEnv);
  const merchant = await core.client.createMerchant({ name: '一食堂 3 号窗口', category: 'canteen' });
  const gateway = await startGatewayFor(core, overrides, env);
  return {
    core,
    client: core.client,
    gateway,
    merchantId: merchant.id,
    async stop() {
      await gateway.close();
      await core.stop();
    },
  };
}

/** A gateway instance against the given core, in its Redis namespace; several may share one core (and one Redis). */
export function startGatewayFor(
  core: TestCore,
  overrides: GatewayOverrides = {},
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  const config = loadConfig({
    GATEWAY_PORT: '0',
    CORE_URL: core.core.url,
    CORE_KEY_ID: testServiceKey.keyId,
    CORE_SECRET: testServiceKey.secret,
    CAMPUS_KEYS: devCampusKeys,
    REDIS_PREFIX: core.redisPrefix,
    // The warm-up's path runs, in a twentieth of a production start's rounds (src/warm-up.test.ts counts them).
    GATEWAY_WARM_UP_PAYMENTS: '100',
    // These tests fire bursts at one gateway on a loaded CI machine and assert what the ledger answers; the
    // backlog bound (admission.ts) would refuse some BUSY there. Its own tests set it (src/admission.test.ts).
    GATEWAY_BACKLOG_MAX_MS: '0',
    ...env,
  });
  return startGateway(config, { log: pino({ level: 'silent' }), ...overrides });
}

/**
 * An offline policy that lets a till take offline payments (the default configuration has offline use
 * off, and the gateway makes an uploaded offline payment of such a till an exception NOT_PERMITTED).
 */
export const offlineOn = {
  enabled: true,
  codeValiditySeconds: 60,
  clockSkewSeconds: 30,
  paymentMaxFen: 50_000,
  perCardDailyMaxFen: 100_000,
  deviceTotalMaxFen: 1_000_000,
  recordsMax: 1_000,
  durationMaxSeconds: 86_400,
};

let deviceSerial = 0;
/** Registers a device in the core; its id is unique within the test process. */
export async function registerDevice(
  world: TestWorld,
  kind: DeviceKind = 'pos',
): Promise<{ deviceId: number; key: Uint8Array }> {
  deviceSerial += 1;
  const deviceId = 1000 + deviceSerial;
  const device = await world.client.registerDevice({
    id: String(deviceId),
    kind,
    merchantId: world.merchantId,
  });
  return { deviceId, key: new Uint8Array(Buffer.from(device.keyHex, 'hex')) };
}

/** The development campus key (secret 32 × 0x01) behind `devCampusKeys`. */
const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1));

/**
 * A phone holding a certificate for the card; each call of `code()` makes a fresh QR text. `cardVersion`
 * makes a certificate for another version than the card's (a superseded phone, or one forged with the
 * public development key); `key` has another campus key sign it (another centre's, in federation tests).
 */
export async function phoneFor(
  client: CoreClient,
  cardNo: string,
  options: { cardVersion?: number; key?: CampusSigningKey } = {},
): Promise<{ code(): string }> {
  const card = await client.getCard(cardNo);
  const keyPair = await generatePhoneKeyPair(webCryptoRandom);
  const certificate = issueCertificate(options.key ?? campusKey, {
    card: { cardNo, personType: 'student', cardVersion: options.cardVersion ?? card.version },
    phonePublicKey: keyPair.publicKey,
    validFromMs: Date.now() - 1000,
  });
  let counter = 0;
  return {
    code: () => {
      counter += 1;
      return makeCode({ keyPair, certificate, nowMs: Date.now(), counter });
    },
  };
}

/**
 * A phone showing numeric pay codes from the code id and secret the core hands out for the card (what the
 * BFF's credential answer carries); each call of `code()` makes the next seq's 18 digits.
 */
export async function numericPhoneFor(client: CoreClient, cardNo: string): Promise<{ code(): string }> {
  const { codeId, secretHex } = await client.payCodeSecret(cardNo);
  const secret = fromHex(secretHex) as Uint8Array;
  let seq = 0;
  return {
    code: () => {
      seq = (seq + 1) % 10;
      return makeNumericCode({ codeId, secret, nowMs: Date.now(), seq });
    },
  };
}

const pushKinds: ReadonlySet<Message['kind']> = new Set([
  'blacklist_delta',
  'centre_blacklist_delta',
  'centre_keys',
  'centre_offline_policy',
  'config_push',
  'meeting_session',
]);

/** A scripted terminal: raw bytes when a test wants them, typed frames otherwise. */
export class TestDevice {
  private readonly splitter = new FrameSplitter();
  private readonly frames: Uint8Array[] = [];
  /** Frames the server pushed unasked (sequence 0 deltas and configurations), apart from answers. */
  readonly pushes: DecodedFrame[] = [];
  private waiter: (() => void) | undefined;
  private sessionKey: Uint8Array | undefined;
  sequence = 0;
  closed = false;

  private constructor(
    readonly socket: Socket,
    readonly deviceId: number,
    readonly key: Uint8Array,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.splitter.push(chunk).frames);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, deviceId: number, key: Uint8Array): Promise<TestDevice> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new TestDevice(socket, deviceId, key);
  }

  /** The next answer from the server, decoded with the device key (or the anonymous key for device 0). */
  async next(timeoutMs = 5_000): Promise<DecodedFrame> {
    for (;;) {
      const frame = await this.nextFrame(timeoutMs);
      if (frame.sequence === 0 && pushKinds.has(frame.message.kind)) this.pushes.push(frame);
      else return frame;
    }
  }

  /** The next pushed frame (waiting for one if none has come yet). */
  async nextPush(timeoutMs = 5_000): Promise<DecodedFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.pushes.length === 0) {
      const frame = await this.nextFrame(Math.max(0, deadline - Date.now()));
      if (frame.sequence === 0 && pushKinds.has(frame.message.kind)) this.pushes.push(frame);
      else throw new Error(`expected a push, got ${frame.message.kind}`);
    }
    return this.pushes.shift() as DecodedFrame;
  }

  private async nextFrame(timeoutMs: number): Promise<DecodedFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('the gateway closed the connection');
      if (Date.now() > deadline) throw new Error('no frame from the gateway in time');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    const frame = this.frames.shift() as Uint8Array;
    const anonymous = frame[7] === 0 && frame[8] === 0 && frame[9] === 0 && frame[10] === 0;
    const decoded = decodeFrame(frame, {
      macKey: anonymous ? anonymousKey : this.key,
      sessionKey: this.sessionKey,
    });
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  }

  /** Resolves once the gateway has closed the socket. */
  async untilClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the gateway kept the connection open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Encodes a message under the given sequence (default: the next one) and sends it. */
  send(message: Message, sequence = ++this.sequence, key = this.key): number {
    this.write(
      encodeFrame(
        message,
        { deviceId: this.deviceId, sequence, timestampMs: Date.now() },
        {
          macKey: key,
          sessionKey: this.sessionKey,
        },
      ),
    );
    return sequence;
  }

  async request(message: Message, sequence?: number): Promise<DecodedFrame> {
    this.send(message, sequence);
    return this.next();
  }

  /** Reads CHALLENGE, answers SIGN_IN with `responseKey` (a wrong key proves nothing), returns the reply. */
  async signIn(kind: DeviceKind = 'pos', responseKey = this.key): Promise<DecodedFrame> {
    const challenge = await this.next();
    if (challenge.message.kind !== 'challenge') throw new Error('expected CHALLENGE');
    const deviceNonce = new Uint8Array(16).fill(7);
    const serverNonce = challenge.message.serverNonce;
    this.send(
      {
        kind: 'sign_in',
        deviceKind: kind,
        deviceNonce,
        response: signInResponse(responseKey, this.deviceId, serverNonce, deviceNonce),
        configVersion: 0,
        blacklistVersion: 0,
        offlineRecordsPending: 0,
        firmware: 'test/1.0',
      },
      ++this.sequence,
      responseKey,
    );
    const reply = await this.next();
    if (reply.message.kind === 'sign_in_accepted') {
      this.sessionKey = deriveSessionKey(this.key, this.deviceId, serverNonce, deviceNonce);
    }
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}
