// One device connection: frames in from the splitter, through the sign-in state machine, to the handlers,
// and answers back out. Every bad input ends as an ERROR frame and/or a close, never as a thrown error.
//
//   challenged ──SIGN_IN ok──▶ signed_in ──(error that closes, timeout, replaced)──▶ closed
//
// The checks of a sign-in are in sign-in.ts, which codes close or go anonymously in error-policy.ts, the
// writes to the socket in outbound.ts, the timings in timings.ts.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Admission } from '../admission.ts';
import type { GatewayBlacklist } from '../blacklist.ts';
import { coreDeadlineMs } from '../deadline.ts';
import { type DeviceDirectory, deviceRefOf, type RegisteredDevice } from '../devices.ts';
import type { FederationBlacklists } from '../federation-blacklists.ts';
import type { Handle, RequestContext } from '../handlers/index.ts';
import { Busy, handledKinds } from '../handlers/index.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { PresenceReporter } from '../presence.ts';
import {
  clockSkewMsMax,
  decodeFrame,
  type Envelope,
  encryptedMessageTypes,
  errorsPerWindowMax,
  errorWindowMs,
  type FrameKeys,
  FrameSplitter,
  headerBytes,
  type Message,
  macBytes,
  type ProtocolErrorCode,
  payloadBytesMax,
  peekHeader,
  requestsInFlightMax,
  requestsOfKind,
  requestsPerSecondMax,
  serializePayload,
  signInNonceBytes,
} from '../protocol/index.ts';
import type { WorkSlices } from '../work-slices.ts';
import { type AnswerCache, requestHash } from './answer-cache.ts';
import { anonymousErrors, closingErrors } from './error-policy.ts';
import { Outbound } from './outbound.ts';
import { RateLimit, WindowCounter } from './rate-limit.ts';
import { checkSignIn, signInAccepted, signInHeader } from './sign-in.ts';
import type { SessionTimings } from './timings.ts';

export interface SessionDeps {
  readonly directory: DeviceDirectory;
  readonly handle: Handle;
  readonly answers: AnswerCache;
  /** Payments in flight gateway-wide; past its bound a new one is answered BUSY (protocol § 7.9). */
  readonly admission: Pick<Admission, 'tryEnter' | 'leave' | 'retryAfter'>;
  /** Where handlers start: in short slices between socket reads (work-slices.ts). */
  readonly slices: Pick<WorkSlices, 'run'>;
  readonly timings: SessionTimings;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  /** The gateway's copy of the blacklist: its version goes out in sign-in and heartbeat answers. */
  readonly blacklist: Pick<GatewayBlacklist, 'version' | 'answer'>;
  /** The other centres' keys and blacklists (protocol § 7.29), where this centre federates. */
  readonly centres?: Pick<FederationBlacklists, 'any' | 'centreKeys' | 'centreOfflinePolicy' | 'answer'>;
  /** The CONFIG_PUSH for a device, from its registry entry. */
  readonly configPush: (device: RegisteredDevice) => Message;
  /** Called once signed in; the registry closes an older session of the same device. */
  readonly onSignedIn: (session: Session) => void;
  readonly onClosed: (session: Session) => void;
  /** Told of sign-in, heartbeats and close; it reports them to the core in batches. */
  readonly presence: Pick<PresenceReporter, 'signedIn' | 'heartbeat' | 'seen' | 'closed'>;
  readonly now?: () => number;
}

type State =
  | { readonly name: 'challenged'; readonly serverNonce: Uint8Array }
  | { readonly name: 'signing_in' }
  | {
      readonly name: 'signed_in';
      readonly device: RegisteredDevice;
      /** The device key and the session key, prepared once for every frame's MAC and AES-GCM. */
      readonly keys: FrameKeys;
    }
  | { readonly name: 'closed' };

export class Session {
  private state: State;
  private readonly splitter = new FrameSplitter();
  private readonly rate = new RateLimit(requestsPerSecondMax);
  private readonly errors = new WindowCounter(errorsPerWindowMax, errorWindowMs);
  private readonly now: () => number;
  private inFlight = 0;
  /** Set when the device is disabled or re-keyed: requests still in flight must not reach the ledger. */
  private revoked = false;
  /** The re-read of the device after an announcement; requests wait for it before they write. */
  private rechecking: Promise<void> = Promise.resolve();
  /** Kept after close, so the registry can still tell which device this was. */
  private signedInAs: number | undefined;
  private signInTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  private readonly outbound: Outbound;

  constructor(
    private readonly socket: Socket,
    private readonly deps: SessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.outbound = new Outbound(socket, deps.log, deps.metrics);
    const serverNonce = new Uint8Array(randomBytes(signInNonceBytes));
    this.state = { name: 'challenged', serverNonce };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.signInTimer = setTimeout(() => this.fail('SIGN_IN_TIMEOUT', 0, 0), deps.timings.signInTimeoutMs);
    this.send({ kind: 'challenge', serverNonce }, 0);
  }

  /** The signed-in device, or undefined before sign-in. */
  get deviceId(): number | undefined {
    return this.signedInAs;
  }

  /** A frame the server sends unasked (sequence 0): a blacklist delta, a configuration. */
  push(message: Message): void {
    if (this.state.name !== 'signed_in') return;
    this.deps.metrics.inc(`pushes.${message.kind}`);
    this.send(message, 0);
  }

  /** The device's configuration changed: keep the new one and push it. */
  reconfigure(device: RegisteredDevice): void {
    const state = this.state;
    if (state.name !== 'signed_in' || device.deviceId !== state.device.deviceId) return;
    if (device.disabled || device.keyVersion !== state.device.keyVersion) {
      this.revoke(device.disabled ? 'DEVICE_DISABLED' : 'SIGN_IN_FAILED');
      return;
    }
    const newer = device.config.configVersion > state.device.config.configVersion;
    this.state = { ...state, device };
    // Announcements are hints (another core on the same Redis may name the same id): push only news.
    if (newer) this.push(this.deps.configPush(device));
  }

  /**
   * The device was disabled or re-keyed (protocol § 10.1): its session ends at once with an anonymous
   * ERROR (the old key no longer speaks for it), and requests still in flight are refused before the ledger.
   */
  revoke(code: 'DEVICE_DISABLED' | 'SIGN_IN_FAILED'): void {
    this.revoked = true;
    if (this.state.name !== 'signed_in') return;
    this.deps.log.info({ deviceId: this.deviceId, code }, 'device session revoked');
    this.fail(code, 0, 0);
  }

  /**
   * The core announced a change of this device (configuration, status or key): until its record is read
   * again, requests about to write to the core wait, so one arriving just after a disable is refused.
   */
  recheck(device: Promise<RegisteredDevice | undefined>): Promise<void> {
    this.rechecking = device.then(
      (found) => {
        if (found === undefined) this.revoke('DEVICE_DISABLED');
        else this.reconfigure(found);
      },
      (error: unknown) => this.deps.log.warn({ err: error, deviceId: this.deviceId }, 'device not re-read'),
    );
    return this.rechecking;
  }

  /** Whether requests of this session may still write, once any pending re-read of the device is done. */
  private async live(): Promise<boolean> {
    await this.rechecking;
    return !this.revoked && this.state.name === 'signed_in';
  }
  private readonly liveCheck = () => this.live();

  /** Another connection signed in as the same device: this one is stale (half-open, or a clone). */
  replace(): void {
    this.fail('SESSION_REPLACED', 0, 0);
  }

  close(): void {
    if (this.state.name === 'closed') return;
    this.state = { name: 'closed' };
    clearTimeout(this.signInTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.frameTimer);
    this.socket.end();
    // A peer that never reads would keep the socket half-closed forever.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
    if (this.signedInAs !== undefined) this.deps.presence.closed(this, this.signedInAs);
    this.deps.onClosed(this);
  }

  private receive(chunk: Buffer): void {
    if (this.state.name === 'closed') return;
    const wasMidFrame = this.splitter.midFrame;
    const { frames, error } = this.splitter.push(chunk);
    for (const frame of frames) this.frame(frame);
    if (error !== undefined) {
      this.fail(error.code, 0, 0);
      return;
    }
    // Protocol § 10.1: the whole frame within 10 s of its first byte. The timer starts with a frame's first
    // byte and is not restarted by later bytes of the same frame, so a frame dribbled a byte at a time
    // cannot hold the connection longer than one frame's allowance.
    if (!this.splitter.midFrame) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
    } else if (!wasMidFrame || frames.length > 0) {
      clearTimeout(this.frameTimer);
      this.frameTimer = setTimeout(
        () => this.fail('TRUNCATED', 0, 0, true),
        this.deps.timings.frameCompleteTimeoutMs,
      );
    }
  }

  private frame(frame: Uint8Array): void {
    const state = this.state;
    if (state.name === 'closed') return;
    this.armSilenceTimer();
    if (state.name === 'challenged') {
      this.state = { name: 'signing_in' };
      this.signIn(frame, state.serverNonce).catch((error: unknown) => {
        this.deps.log.error({ err: error }, 'sign-in failed inside the gateway');
        this.fail('INTERNAL_ERROR', 0, 0);
      });
      return;
    }
    if (state.name === 'signing_in') {
      // The device must wait for SIGN_IN_ACCEPTED before it sends anything else.
      this.fail('UNEXPECTED_MESSAGE', 0, 0);
      return;
    }
    this.request(frame, state.device, state.keys);
  }

  private async signIn(frame: Uint8Array, serverNonce: Uint8Array): Promise<void> {
    const header = signInHeader(frame);
    if (!header.ok) {
      this.fail(header.code, 0, header.type);
      return;
    }
    const head = header.value;
    const found = head.deviceId === 0 ? undefined : await this.deps.directory.find(head.deviceId);
    if (this.state.name === 'closed') return;
    const checked = checkSignIn(frame, head.type, found, serverNonce);
    if (!checked.ok) {
      if (checked.code === 'SIGN_IN_FAILED')
        this.deps.log.warn({ deviceId: found?.deviceId }, 'sign-in refused');
      this.fail(checked.code, 0, checked.type);
      return;
    }
    const { device, message, keys } = checked.value;
    clearTimeout(this.signInTimer);
    this.state = { name: 'signed_in', device, keys };
    this.deps.metrics.inc('sign_ins');
    this.signedInAs = device.deviceId;
    this.deps.presence.signedIn(this, device.deviceId, message);
    this.deps.onSignedIn(this);
    this.armSilenceTimer();
    this.deps.log.info({ deviceId: device.deviceId, firmware: message.firmware }, 'device signed in');
    const { blacklist, timings } = this.deps;
    this.send(
      signInAccepted(device, serverNonce, message, blacklist.version, timings.heartbeatIntervalSeconds),
      head.sequence,
    );
    // Protocol § 7.3: a device whose configuration differs gets CONFIG_PUSH at once.
    if (device.config.configVersion > 0 && message.configVersion !== device.config.configVersion) {
      this.push(this.deps.configPush(device));
    }
    // The other centres whose cards it takes, their keys and lists' versions (protocol § 7.29).
    // Their offline policies right after (protocol § 7.29, CENTRE_OFFLINE_POLICY).
    if (this.deps.centres?.any === true) {
      this.push(this.deps.centres.centreKeys());
      this.push(this.deps.centres.centreOfflinePolicy());
    }
  }

  private request(frame: Uint8Array, device: RegisteredDevice, keys: FrameKeys): void {
    const decoded = decodeFrame(frame, keys);
    if (!decoded.ok) {
      const peeked = peekHeader(frame);
      const type = peeked.ok ? peeked.value.type : 0;
      // A header that does not read, or a MAC that does not verify: nothing in the frame is the device's,
      // so the answer is anonymous (protocol § 4.2) and echoes no sequence.
      if (!peeked.ok || decoded.error.code === 'BAD_MAC') {
        this.fail(decoded.error.code, 0, type, true);
        return;
      }
      const sequence = peeked.value.deviceId === device.deviceId ? peeked.value.sequence : 0;
      // The splitter delivered a whole frame, so TRUNCATED here is a field running past the payload: the
      // stream is intact and the session continues (protocol § 9).
      if (decoded.error.code === 'TRUNCATED') this.refuse('TRUNCATED', sequence, type);
      else this.fail(decoded.error.code, sequence, type);
      return;
    }
    const { message, sequence, deviceId, timestampMs, type } = decoded.value;
    if (deviceId !== device.deviceId) {
      this.fail('BAD_MAC', 0, type, true);
      return;
    }
    // Protocol § 8.1: each kind sends only its own requests (a meter does not pay, a till does not hold).
    if (!requestsOfKind[device.kind].has(type)) {
      this.refuse('UNEXPECTED_MESSAGE', sequence, type);
      return;
    }
    this.deps.metrics.inc(`requests.${message.kind}`);
    if (message.kind !== 'heartbeat') this.deps.presence.seen(this, device.deviceId);
    if (!this.rate.take()) {
      this.refuse('RATE_LIMITED', sequence, type);
      return;
    }
    switch (message.kind) {
      case 'heartbeat': {
        this.deps.presence.heartbeat(this, device.deviceId, message);
        const configVersion = device.config.configVersion;
        this.send(
          {
            kind: 'heartbeat_ack',
            serverTimeMs: this.now(),
            configVersion,
            blacklistVersion: this.deps.blacklist.version,
          },
          sequence,
        );
        // Protocol § 10.4: a heartbeat showing an older configuration gets it pushed again.
        if (configVersion > 0 && message.configVersion < configVersion)
          this.push(this.deps.configPush(device));
        return;
      }
      case 'clock_sync': {
        const receivedAtMs = this.now();
        this.send(
          {
            kind: 'clock_sync_result',
            deviceTimeMs: timestampMs,
            serverReceivedAtMs: receivedAtMs,
            serverSentAtMs: this.now(),
          },
          sequence,
        );
        return;
      }
      case 'blacklist_request':
        // Reads state only: answered afresh each time, its sequence not checked (protocol § 11.2).
        this.send(this.deps.blacklist.answer(message), sequence);
        return;
      case 'centre_blacklist_request':
        if (this.deps.centres === undefined) break;
        this.send(this.deps.centres.answer(message), sequence);
        return;
      case 'error':
        this.deps.log.warn({ deviceId, code: message.code }, 'device reported an error');
        return;
      default:
        break;
    }
    if (!handledKinds.has(message.kind)) {
      this.refuse('UNEXPECTED_MESSAGE', sequence, type);
      return;
    }
    const deviceRef = deviceRefOf(device);
    // Protocol § 11.2: a retry is the same plaintext. An encrypted request (PAY_WITH_PIN) is sealed again
    // under a fresh nonce on every attempt, so its decoded message is what is compared, re-encoded (strict
    // decoding gives one encoding per message).
    const payload = encryptedMessageTypes.has(type)
      ? serializePayload(message, payloadBytesMax)
      : frame.subarray(headerBytes, frame.byteLength - macBytes);
    const hash = requestHash(type, payload);
    const found = this.deps.answers.lookup(deviceRef, sequence, hash);
    if (found.kind === 'conflict') {
      this.refuse('SEQUENCE_CONFLICT', sequence, type);
      return;
    }
    if (found.kind === 'retry') {
      this.answer(found.answer, sequence, type);
      return;
    }
    if (found.kind === 'stale') {
      this.refuse('STALE_SEQUENCE', sequence, type);
      return;
    }
    if (Math.abs(timestampMs - this.now()) > clockSkewMsMax) {
      this.refuse('CLOCK_SKEW', sequence, type);
      return;
    }
    if (this.inFlight >= requestsInFlightMax) {
      this.refuse('RATE_LIMITED', sequence, type);
      return;
    }
    // Past capacity a payment is refused now, before anything about it is kept or the core is asked, so
    // its retry under the same sequence runs as if new (protocol § 7.9).
    const admitted = message.kind === 'pay' || message.kind === 'pay_with_pin';
    if (admitted && !this.deps.admission.tryEnter()) {
      this.busy(sequence, type);
      return;
    }
    const context: RequestContext = {
      live: this.liveCheck,
      deviceId,
      deviceKind: device.kind,
      merchantId: device.merchantId,
      sequence,
      deviceKey: device.key,
      deviceRef,
      config: device.config,
      // Its core calls carry it (a retry keeps it), passed explicitly: no AsyncLocalStorage (issue #20).
      requestId: `gw-${deviceId}-${sequence}`,
      // Answered before the till gives up on it (deadline.ts).
      deadlineAtMs: performance.now() + coreDeadlineMs,
    };
    // Started in a coming slice, not inside this read (work-slices.ts); kept for its retry from now on.
    const answer = this.deps.slices
      .run(() => this.deps.handle(context, message))
      .then((reply) => {
        if (reply === undefined) throw new Error(`no handler answered ${message.kind}`);
        return reply;
      });
    this.deps.answers.remember(deviceRef, sequence, hash, answer);
    // The place given back; an answer from before the ledger forgotten: the identical retry runs again.
    this.answer(answer, sequence, type, (reply) => {
      if (admitted) this.deps.admission.leave();
      if (reply === undefined || ('reason' in reply && reply.reason === 'SERVICE_UNAVAILABLE'))
        this.deps.answers.forget(deviceRef, sequence);
    });
  }

  /** `settled` runs first, with the reply or undefined when the request failed. */
  private answer(
    answer: Promise<Message>,
    sequence: number,
    type: number,
    settled?: (reply: Message | undefined) => void,
  ): void {
    this.inFlight += 1;
    answer.then(
      (reply) => {
        settled?.(reply);
        this.inFlight -= 1;
        this.send(reply, sequence);
      },
      (error: unknown) => {
        settled?.(undefined);
        this.inFlight -= 1;
        if (error instanceof Busy) {
          this.busy(sequence, type);
          return;
        }
        const requestId = `gw-${this.deviceId}-${sequence}`;
        this.deps.log.error({ err: error, deviceId: this.deviceId, sequence, requestId }, 'request failed');
        this.refuse('INTERNAL_ERROR', sequence, type);
      },
    );
  }

  /**
   * BUSY with a retry-after (protocol § 7.9): the request did not reach the ledger. Not counted among the
   * errors that close a connection — a till at a busy canteen is not faulty.
   */
  private busy(sequence: number, type: number): void {
    this.deps.metrics.inc('errors.BUSY');
    this.send(
      {
        kind: 'error',
        code: 'BUSY',
        inReplyToType: type,
        message: '',
        retryAfterMs: this.deps.admission.retryAfter(),
      },
      sequence,
    );
  }

  /** An ERROR the session survives; too many of them in a window close it (a flood of bad frames). */
  private refuse(code: ProtocolErrorCode, sequence: number, type: number): void {
    if (this.errors.exceeded()) {
      this.fail(code, sequence, type);
      return;
    }
    this.sendError(code, sequence, type);
  }

  /**
   * An ERROR, then a close if the code is one the stream or peer cannot recover from. Anonymous for the
   * codes of protocol § 4.2, and whenever the caller says the frame answered did not authenticate.
   */
  private fail(code: ProtocolErrorCode, sequence: number, type: number, anonymous = false): void {
    if (this.state.name === 'closed') return;
    this.deps.log.info({ deviceId: this.deviceId, code }, 'device error');
    this.sendError(code, sequence, type, anonymous || anonymousErrors.has(code));
    if (closingErrors.has(code) || this.errors.exceeded()) this.close();
  }

  private sendError(code: ProtocolErrorCode, sequence: number, type: number, anonymous = false): void {
    this.deps.metrics.inc(`errors.${code}`);
    this.send({ kind: 'error', code, inReplyToType: type, message: '' }, sequence, anonymous);
  }

  private send(message: Message, sequence: number, anonymous = false): void {
    if (this.state.name === 'closed' || this.socket.destroyed) return;
    const signedIn = this.state.name === 'signed_in' && !anonymous ? this.state : undefined;
    const envelope: Envelope = {
      deviceId: signedIn?.device.deviceId ?? 0,
      sequence: signedIn === undefined ? 0 : sequence,
      timestampMs: this.now(),
    };
    this.outbound.write(message, envelope, signedIn?.keys, this.deviceId);
  }

  /** Restarted by every frame: the same timer moved on (refresh), not a new one a frame (issue #20). */
  private armSilenceTimer(): void {
    if (this.state.name !== 'signed_in') {
      clearTimeout(this.silenceTimer);
      this.silenceTimer = undefined;
    } else if (this.silenceTimer === undefined) {
      this.silenceTimer = setTimeout(
        () => this.fail('HEARTBEAT_TIMEOUT', 0, 0),
        this.deps.timings.silenceTimeoutMs,
      );
    } else this.silenceTimer.refresh();
  }
}
