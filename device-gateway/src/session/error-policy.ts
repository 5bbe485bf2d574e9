// Which ERROR codes end a session, and which are sent anonymously rather than under the device's key.

import type { ProtocolErrorCode } from '../protocol/index.ts';

/** Errors after which the stream or the peer cannot be trusted: answer, then close. */
export const closingErrors: ReadonlySet<ProtocolErrorCode> = new Set([
  'BAD_MAGIC',
  'UNSUPPORTED_VERSION',
  'FRAME_TOO_LARGE',
  'FRAME_TOO_SMALL',
  'TRUNCATED',
  'BAD_MAC',
  'DECRYPT_FAILED',
  'NO_SESSION_KEY',
  'UNKNOWN_DEVICE',
  'DEVICE_DISABLED',
  'SIGN_IN_FAILED',
  'NOT_SIGNED_IN',
  'SIGN_IN_TIMEOUT',
  'HEARTBEAT_TIMEOUT',
  'SESSION_REPLACED',
]);

/**
 * Errors sent anonymously (device id 0, the anonymous key, sequence 0; protocol § 4.2): they answer a frame
 * that did not authenticate or a device the server no longer serves, so the device's key must not sign them.
 */
export const anonymousErrors: ReadonlySet<ProtocolErrorCode> = new Set([
  'BAD_MAGIC',
  'UNSUPPORTED_VERSION',
  'FRAME_TOO_LARGE',
  'FRAME_TOO_SMALL',
  'BAD_MAC',
  'UNKNOWN_DEVICE',
  'DEVICE_DISABLED',
  'SIGN_IN_FAILED',
]);
