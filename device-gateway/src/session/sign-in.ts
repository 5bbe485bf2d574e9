// The checks of a sign-in (protocol § 6): the first frame must be a SIGN_IN from a known, enabled device of
// the kind registered, whose response proves it holds the device key. The session keeps the state machine,
// the timers and the answers; these only say yes (with the session's keys) or which ERROR code.

import type { RegisteredDevice } from '../devices.ts';
import {
  decodeFrame,
  deriveSessionKey,
  type FrameHeader,
  type FrameKeys,
  FrameMacKey,
  type Message,
  MessageType,
  macEquals,
  type ProtocolErrorCode,
  peekHeader,
  prepareKey,
  type SignIn,
  serverProof,
  signInResponse,
} from '../protocol/index.ts';

/** A step of the sign-in: its result, or the ERROR code to fail with and the type byte it answers. */
export type SignInStep<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ProtocolErrorCode; readonly type: number };

/** The header of the first frame: it must read, and be a SIGN_IN. */
export function signInHeader(frame: Uint8Array): SignInStep<FrameHeader> {
  const peeked = peekHeader(frame);
  if (!peeked.ok) return { ok: false, code: peeked.error.code, type: 0 };
  const head = peeked.value;
  if (head.type !== MessageType.SIGN_IN) return { ok: false, code: 'NOT_SIGNED_IN', type: head.type };
  return { ok: true, value: head };
}

export interface SignedIn {
  readonly device: RegisteredDevice;
  readonly message: SignIn;
  /** The device key and the session key, prepared once for every frame's MAC and AES-GCM. */
  readonly keys: FrameKeys;
}

/**
 * The SIGN_IN checked against the device its header names (undefined: no such device). SIGN_IN_FAILED is
 * the one code that means a wrong response or kind.
 */
export function checkSignIn(
  frame: Uint8Array,
  type: number,
  device: RegisteredDevice | undefined,
  serverNonce: Uint8Array,
): SignInStep<SignedIn> {
  if (device === undefined) return { ok: false, code: 'UNKNOWN_DEVICE', type };
  if (device.disabled) return { ok: false, code: 'DEVICE_DISABLED', type };
  const decoded = decodeFrame(frame, { macKey: device.key });
  if (!decoded.ok) return { ok: false, code: decoded.error.code, type };
  const message = decoded.value.message;
  if (message.kind !== 'sign_in') return { ok: false, code: 'NOT_SIGNED_IN', type };
  const expected = signInResponse(device.key, device.deviceId, serverNonce, message.deviceNonce);
  if (!macEquals(expected, message.response) || message.deviceKind !== device.kind) {
    return { ok: false, code: 'SIGN_IN_FAILED', type };
  }
  const sessionKey = deriveSessionKey(device.key, device.deviceId, serverNonce, message.deviceNonce);
  return {
    ok: true,
    value: {
      device,
      message,
      keys: { macKey: new FrameMacKey(device.key), sessionKey: prepareKey(sessionKey) },
    },
  };
}

/** The answer to an accepted sign-in: the server's proof, and the versions the device should hold. */
export function signInAccepted(
  device: RegisteredDevice,
  serverNonce: Uint8Array,
  message: SignIn,
  blacklistVersion: number,
  heartbeatIntervalSeconds: number,
): Message {
  return {
    kind: 'sign_in_accepted',
    serverProof: serverProof(device.key, device.deviceId, serverNonce, message.deviceNonce),
    configVersion: device.config.configVersion,
    blacklistVersion,
    heartbeatIntervalSeconds,
  };
}
