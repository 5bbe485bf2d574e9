// Errors the protocol names. A malformed frame is an ordinary event on a device port, so the codec reports
// it as a ProtocolError with a stable code, never as a bare exception; the same codes travel in ERROR frames.

/**
 * Wire values (uint16) of every error code. Codes 0x00xx are found by the codec while decoding a frame;
 * 0x01xx by the session; 0x02xx are the server's own trouble. Never renumber: devices store these.
 */
export const protocolErrorCodes = {
  BAD_MAGIC: 0x0001, // the frame does not start with CA CD: not this protocol, or framing was lost
  UNSUPPORTED_VERSION: 0x0002, // the version byte is not 0x01
  UNKNOWN_TYPE: 0x0003, // the message type byte is not in the type table
  FRAME_TOO_LARGE: 0x0004, // the declared frame length exceeds 4,096 bytes
  FRAME_TOO_SMALL: 0x0005, // the declared frame length is below 39 bytes (header + MAC)
  TRUNCATED: 0x0006, // fewer bytes than declared: the stream ended mid-frame, or a field runs past the payload
  TRAILING_BYTES: 0x0007, // the payload is longer than its fields
  BAD_MAC: 0x0008, // the frame MAC does not match the device's key
  BAD_FLAGS: 0x0009, // a reserved flag bit is set, or the encrypted bit disagrees with the message type
  BAD_FIELD: 0x000a, // a field holds a value outside its range, enum or character set
  DECRYPT_FAILED: 0x000b, // the AES-GCM tag of an encrypted payload does not verify
  NO_SESSION_KEY: 0x000c, // an encrypted payload arrived before a session key was agreed
  UNKNOWN_DEVICE: 0x0101, // no device is registered under this device id
  DEVICE_DISABLED: 0x0102, // the device is registered but disabled by an administrator
  SIGN_IN_FAILED: 0x0103, // the sign-in response does not match the challenge and the device key
  NOT_SIGNED_IN: 0x0104, // a request other than SIGN_IN arrived before sign-in completed
  UNEXPECTED_MESSAGE: 0x0105, // a known message sent the wrong way or in the wrong state
  STALE_SEQUENCE: 0x0106, // a new request reuses a sequence number at or below one already used
  CLOCK_SKEW: 0x0107, // the device timestamp is more than 5 minutes from server time; sync the clock
  SIGN_IN_TIMEOUT: 0x0108, // sign-in did not complete within 10 s of connecting
  HEARTBEAT_TIMEOUT: 0x0109, // nothing arrived for three heartbeat intervals
  SESSION_REPLACED: 0x010a, // the same device signed in on another connection; this one closes
  SEQUENCE_CONFLICT: 0x010b, // a retried sequence number carries a different request than the original
  RATE_LIMITED: 0x0201, // the device sends faster than its allowance; slow down
  SERVER_BUSY: 0x0202, // reserved: not sent since BUSY; a device treats it as BUSY with retry-after 1 s
  INTERNAL_ERROR: 0x0203, // the server failed; retry the identical frame later
  BUSY: 0x0204, // at capacity, refused before the ledger (nothing charged); retry the same frame after retryAfterMs
  PHOTO_REFERENCE_EXPIRED: 0x0301, // the photo reference is past its expiry: sign the candidate in again for a new one
  PHOTO_REFERENCE_INVALID: 0x0302, // not a photo reference given to this device (altered, another device's, unknown)
} as const;

export type ProtocolErrorCode = keyof typeof protocolErrorCodes;

const codeByWireValue = new Map<number, ProtocolErrorCode>(
  (Object.keys(protocolErrorCodes) as ProtocolErrorCode[]).map((code) => [protocolErrorCodes[code], code]),
);

export function errorCodeFromWire(value: number): ProtocolErrorCode | undefined {
  return codeByWireValue.get(value);
}

/** A decode or protocol failure with a stable code. The message is for logs and never carries key material. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** What a decoder answers: a value, or the typed reason it could not produce one. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ProtocolError };

export function decoded<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function failed<T>(error: ProtocolError): Decoded<T> {
  return { ok: false, error };
}

/**
 * Runs a decoder that signals failure by throwing ProtocolError and turns that into a value. Anything else
 * thrown is a bug in the codec and is rethrown, loudly, rather than disguised as a bad frame.
 */
export function catchProtocolError<T>(decode: () => T): Decoded<T> {
  try {
    return decoded(decode());
  } catch (error) {
    if (error instanceof ProtocolError) return failed(error);
    throw error;
  }
}
