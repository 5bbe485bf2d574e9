// Sign-in, heartbeat, clock sync and error frames: what keeps a session alive, before and around the
// messages that do the campus's work.

import { type DeviceKind, deviceKinds } from '../codes.ts';
import { errorCodeFromWire, ProtocolError, type ProtocolErrorCode, protocolErrorCodes } from '../errors.ts';
import {
  errorMessageBytesMax,
  firmwareBytesMax,
  heartbeatSecondsMax,
  heartbeatSecondsMin,
  signInNonceBytes,
  signInProofBytes,
} from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readEnum,
  readPrintable,
  readText,
  writeEnum,
  writePrintable,
  writeText,
} from './fields.ts';

/** S→D, anonymous, first frame on every connection. */
export interface Challenge {
  readonly kind: 'challenge';
  /** 16 random bytes, fresh for every connection. */
  readonly serverNonce: Uint8Array;
}

export function parseChallenge(r: ByteReader): Challenge {
  const serverNonce = r.bytesOf(signInNonceBytes, 'serverNonce');
  r.end('CHALLENGE');
  return { kind: 'challenge', serverNonce };
}

export function serializeChallenge(w: ByteWriter, m: Challenge): void {
  w.fixedBytes(m.serverNonce, signInNonceBytes, 'serverNonce');
}

/** D→S, the answer to CHALLENGE. */
export interface SignIn {
  readonly kind: 'sign_in';
  readonly deviceKind: DeviceKind;
  /** 16 random bytes, fresh for every sign-in. */
  readonly deviceNonce: Uint8Array;
  /** HMAC-SHA256(device key, "campus-card/sign-in/v1" ‖ device id ‖ server nonce ‖ device nonce). */
  readonly response: Uint8Array;
  readonly configVersion: number;
  readonly blacklistVersion: number;
  readonly offlineRecordsPending: number;
  /** Printable ASCII, for the operators' device list. */
  readonly firmware: string;
}

export function parseSignIn(r: ByteReader): SignIn {
  const m: SignIn = {
    kind: 'sign_in',
    deviceKind: readEnum(r, deviceKinds, 'deviceKind'),
    deviceNonce: r.bytesOf(signInNonceBytes, 'deviceNonce'),
    response: r.bytesOf(signInProofBytes, 'response'),
    configVersion: r.u32('configVersion'),
    blacklistVersion: r.u32('blacklistVersion'),
    offlineRecordsPending: r.u16('offlineRecordsPending'),
    firmware: readPrintable(r, firmwareBytesMax, 'firmware'),
  };
  r.end('SIGN_IN');
  return m;
}

export function serializeSignIn(w: ByteWriter, m: SignIn): void {
  writeEnum(w, deviceKinds, m.deviceKind, 'deviceKind');
  w.fixedBytes(m.deviceNonce, signInNonceBytes, 'deviceNonce');
  w.fixedBytes(m.response, signInProofBytes, 'response');
  w.u32(m.configVersion, 'configVersion');
  w.u32(m.blacklistVersion, 'blacklistVersion');
  w.u16(m.offlineRecordsPending, 'offlineRecordsPending');
  writePrintable(w, m.firmware, firmwareBytesMax, 'firmware');
}

/** S→D, sign-in succeeded; a failed sign-in is answered with ERROR instead. */
export interface SignInAccepted {
  readonly kind: 'sign_in_accepted';
  /** HMAC-SHA256(device key, "campus-card/server-proof/v1" ‖ device id ‖ server nonce ‖ device nonce). */
  readonly serverProof: Uint8Array;
  readonly configVersion: number;
  readonly blacklistVersion: number;
  /** 30–90. */
  readonly heartbeatIntervalSeconds: number;
}

export function parseSignInAccepted(r: ByteReader): SignInAccepted {
  const m: SignInAccepted = {
    kind: 'sign_in_accepted',
    serverProof: r.bytesOf(signInProofBytes, 'serverProof'),
    configVersion: r.u32('configVersion'),
    blacklistVersion: r.u32('blacklistVersion'),
    heartbeatIntervalSeconds: checkRange(
      r.u16('heartbeatIntervalSeconds'),
      heartbeatSecondsMin,
      heartbeatSecondsMax,
      'heartbeatIntervalSeconds',
    ),
  };
  r.end('SIGN_IN_ACCEPTED');
  return m;
}

export function serializeSignInAccepted(w: ByteWriter, m: SignInAccepted): void {
  w.fixedBytes(m.serverProof, signInProofBytes, 'serverProof');
  w.u32(m.configVersion, 'configVersion');
  w.u32(m.blacklistVersion, 'blacklistVersion');
  checkRange(
    m.heartbeatIntervalSeconds,
    heartbeatSecondsMin,
    heartbeatSecondsMax,
    'heartbeatIntervalSeconds',
  );
  w.u16(m.heartbeatIntervalSeconds, 'heartbeatIntervalSeconds');
}

/** D→S, every heartbeat interval; any frame counts as a sign of life, this one also reports versions. */
export interface Heartbeat {
  readonly kind: 'heartbeat';
  readonly configVersion: number;
  readonly blacklistVersion: number;
  readonly offlineRecordsPending: number;
}

export function parseHeartbeat(r: ByteReader): Heartbeat {
  const m: Heartbeat = {
    kind: 'heartbeat',
    configVersion: r.u32('configVersion'),
    blacklistVersion: r.u32('blacklistVersion'),
    offlineRecordsPending: r.u16('offlineRecordsPending'),
  };
  r.end('HEARTBEAT');
  return m;
}

export function serializeHeartbeat(w: ByteWriter, m: Heartbeat): void {
  w.u32(m.configVersion, 'configVersion');
  w.u32(m.blacklistVersion, 'blacklistVersion');
  w.u16(m.offlineRecordsPending, 'offlineRecordsPending');
}

/** S→D. A device whose versions differ from these gets CONFIG_PUSH, or asks for the blacklist. */
export interface HeartbeatAck {
  readonly kind: 'heartbeat_ack';
  readonly serverTimeMs: number;
  readonly configVersion: number;
  readonly blacklistVersion: number;
}

export function parseHeartbeatAck(r: ByteReader): HeartbeatAck {
  const m: HeartbeatAck = {
    kind: 'heartbeat_ack',
    serverTimeMs: r.u64('serverTimeMs'),
    configVersion: r.u32('configVersion'),
    blacklistVersion: r.u32('blacklistVersion'),
  };
  r.end('HEARTBEAT_ACK');
  return m;
}

export function serializeHeartbeatAck(w: ByteWriter, m: HeartbeatAck): void {
  w.u64(m.serverTimeMs, 'serverTimeMs');
  w.u32(m.configVersion, 'configVersion');
  w.u32(m.blacklistVersion, 'blacklistVersion');
}

/** D→S, empty: the header timestamp is the device's send time t0. */
export interface ClockSync {
  readonly kind: 'clock_sync';
}

export function parseClockSync(r: ByteReader): ClockSync {
  r.end('CLOCK_SYNC');
  return { kind: 'clock_sync' };
}

export function serializeClockSync(_w: ByteWriter, _m: ClockSync): void {}

/** S→D. With its own receive time t3 the device sets offset = ((t1 − t0) + (t2 − t3)) / 2. */
export interface ClockSyncResult {
  readonly kind: 'clock_sync_result';
  /** t0, the CLOCK_SYNC header timestamp, echoed. */
  readonly deviceTimeMs: number;
  /** t1, server time when CLOCK_SYNC arrived. */
  readonly serverReceivedAtMs: number;
  /** t2, server time when this answer left. */
  readonly serverSentAtMs: number;
}

export function parseClockSyncResult(r: ByteReader): ClockSyncResult {
  const m: ClockSyncResult = {
    kind: 'clock_sync_result',
    deviceTimeMs: r.u64('deviceTimeMs'),
    serverReceivedAtMs: r.u64('serverReceivedAtMs'),
    serverSentAtMs: r.u64('serverSentAtMs'),
  };
  r.end('CLOCK_SYNC_RESULT');
  return m;
}

export function serializeClockSyncResult(w: ByteWriter, m: ClockSyncResult): void {
  w.u64(m.deviceTimeMs, 'deviceTimeMs');
  w.u64(m.serverReceivedAtMs, 'serverReceivedAtMs');
  w.u64(m.serverSentAtMs, 'serverSentAtMs');
}

/** Either way. */
export interface ErrorFrame {
  readonly kind: 'error';
  readonly code: ProtocolErrorCode;
  /** The type byte of the frame this answers, raw (it may be a type the sender does not know); 0 if none. */
  readonly inReplyToType: number;
  /** UTF-8, for logs; never shown to card holders and never holding secrets. */
  readonly message: string;
  /**
   * BUSY only, where it is required (a `u16` after the message): how long the device waits before it sends
   * the same request again under the same sequence. Absent for every other code.
   */
  readonly retryAfterMs?: number;
}

export function parseErrorFrame(r: ByteReader): ErrorFrame {
  const wire = r.u16('code');
  const code = errorCodeFromWire(wire);
  if (code === undefined)
    throw new ProtocolError('BAD_FIELD', `error code 0x${wire.toString(16)} is not defined`);
  const inReplyToType = r.u8('inReplyToType');
  const message = readText(r, errorMessageBytesMax, 'message');
  const m: ErrorFrame =
    code === 'BUSY'
      ? { kind: 'error', code, inReplyToType, message, retryAfterMs: r.u16('retryAfterMs') }
      : { kind: 'error', code, inReplyToType, message };
  r.end('ERROR');
  return m;
}

export function serializeErrorFrame(w: ByteWriter, m: ErrorFrame): void {
  w.u16(protocolErrorCodes[m.code], 'code');
  w.u8(m.inReplyToType, 'inReplyToType');
  writeText(w, m.message, errorMessageBytesMax, 'message');
  if (m.code === 'BUSY') w.u16(m.retryAfterMs ?? 0, 'retryAfterMs');
}
