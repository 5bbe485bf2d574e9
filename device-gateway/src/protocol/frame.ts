// The frame: a fixed 23-byte header, the payload, and a 16-byte MAC over everything before it.
//
//   offset size field
//        0    2 magic CA CD
//        2    1 version 01
//        3    2 frame length, the whole frame in bytes (39 … 4096)
//        5    1 message type
//        6    1 flags (bit 0: payload encrypted)
//        7    4 device id (0: anonymous)
//       11    4 sequence
//       15    8 timestamp, ms since the Unix epoch, UTC
//       23    n payload
//     23+n   16 MAC = HMAC-SHA256(key, bytes 0 … 22+n), first 16 bytes
//
// All integers are big-endian. Decoding checks in this order, so each bad frame has one definite error:
// magic, version, length, MAC, type, flags, decryption, payload. Nothing past the framing is interpreted
// before the MAC has verified.

import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { encryptedMessageTypes, frameFlags, isMessageType, type MessageType } from './codes.ts';
import { catchProtocolError, type Decoded, ProtocolError } from './errors.ts';
import {
  frameBytesMax,
  frameBytesMin,
  gcmNonceBytes,
  headerBytes,
  macBytes,
  magicBytes,
  payloadBytesMax,
  prefixBytes,
  protocolVersion,
  sealedPayloadBytesMax,
  sealOverheadBytes,
} from './limits.ts';
import { frameMacMatches, type KeyMaterial, type MacKeyMaterial, writeFrameMac } from './mac.ts';
import { type Message, messageTypeOf, parsePayload, serializePayload } from './messages/index.ts';
import { pooledBytes } from './pooled.ts';
import { ByteReader } from './reader.ts';
import { openPayload, sealPayload } from './session-crypto.ts';
import { checkInteger } from './writer.ts';

/** The header fields a sender chooses for each frame. */
export interface Envelope {
  /** 1 … 2^32 − 1 for a device; 0 for anonymous frames. */
  readonly deviceId: number;
  /** Device frames: the device's counter. Server frames: the sequence of the frame answered, 0 for a push. */
  readonly sequence: number;
  /** The sender's clock, ms since the Unix epoch, UTC. */
  readonly timestampMs: number;
}

export interface FrameHeader extends Envelope {
  readonly version: number;
  /** The whole frame, header to MAC. */
  readonly frameBytes: number;
  /** Raw: a type byte this codec does not know is reported by `decodeFrame`, not here. */
  readonly type: number;
  readonly flags: number;
}

export interface FrameKeys {
  /** The device key, or `anonymousKey` for device id 0; raw bytes or prepared once (`FrameMacKey`). */
  readonly macKey: MacKeyMaterial;
  /** Agreed at sign-in; needed to seal or open the types in `encryptedMessageTypes`. */
  readonly sessionKey?: KeyMaterial | undefined;
}

export interface EncodeOptions {
  /** Source of the 12-byte GCM nonce; tests fix it to get reproducible frames. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

export interface DecodedFrame extends Envelope {
  readonly type: MessageType;
  readonly flags: number;
  readonly message: Message;
}

/** A frame's parts before the MAC, with any type, flags and payload: for tests and for ERROR replies. */
export interface RawFrame extends Envelope {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
  /** Defaults to the protocol version; tests set others. */
  readonly version?: number;
}

const defaultRandomBytes = (length: number): Uint8Array => new Uint8Array(nodeRandomBytes(length));

/** A big-endian uint32 at `at`. */
function putU32(frame: Uint8Array, at: number, value: number): void {
  frame[at] = value >>> 24;
  frame[at + 1] = (value >>> 16) & 0xff;
  frame[at + 2] = (value >>> 8) & 0xff;
  frame[at + 3] = value & 0xff;
}

/**
 * The buffer a frame is sent in, its header written: the payload goes in after, then the MAC in place, so a
 * frame is built in one allocation (issue #20). Fields that do not fit throw BAD_FIELD, as ByteWriter does.
 */
function frameWithHeader(raw: Omit<RawFrame, 'payload'>, payloadBytes: number): Uint8Array {
  const version = raw.version ?? protocolVersion;
  const frameBytes = frameBytesMin + payloadBytes;
  checkInteger(version, 0, 0xff, 'version');
  checkInteger(frameBytes, 0, 0xffff, 'frame length');
  checkInteger(raw.type, 0, 0xff, 'type');
  checkInteger(raw.flags, 0, 0xff, 'flags');
  checkInteger(raw.deviceId, 0, 0xffff_ffff, 'deviceId');
  checkInteger(raw.sequence, 0, 0xffff_ffff, 'sequence');
  checkInteger(raw.timestampMs, 0, Number.MAX_SAFE_INTEGER, 'timestampMs');
  // Every byte is written before the frame is sent: the header here, the payload and MAC by the caller.
  const frame = pooledBytes(frameBytes);
  frame[0] = magicBytes[0];
  frame[1] = magicBytes[1];
  frame[2] = version;
  frame[3] = frameBytes >>> 8;
  frame[4] = frameBytes & 0xff;
  frame[5] = raw.type;
  frame[6] = raw.flags;
  putU32(frame, 7, raw.deviceId);
  putU32(frame, 11, raw.sequence);
  putU32(frame, 15, Math.floor(raw.timestampMs / 2 ** 32));
  putU32(frame, 19, raw.timestampMs >>> 0);
  return frame;
}

/** Header, payload and MAC in the one buffer that is sent: the payload copied once, the MAC in place. */
function assemble(raw: Omit<RawFrame, 'payload'>, payload: Uint8Array, macKey: MacKeyMaterial): Uint8Array {
  const frame = frameWithHeader(raw, payload.byteLength);
  frame.set(payload, headerBytes);
  writeFrameMac(macKey, frame, headerBytes + payload.byteLength);
  return frame;
}

/** Header, payload as given, MAC. Throws FRAME_TOO_LARGE for a payload above 4,057 bytes. */
export function encodeRawFrame(raw: RawFrame, macKey: MacKeyMaterial): Uint8Array {
  if (raw.payload.byteLength > payloadBytesMax) {
    throw new ProtocolError(
      'FRAME_TOO_LARGE',
      `payload of ${raw.payload.byteLength} bytes exceeds ${payloadBytesMax}`,
    );
  }
  return assemble(raw, raw.payload, macKey);
}

/**
 * A complete frame for a typed message: serialized, sealed with the session key when its type carries
 * personal data, and MACed with the device key. Invalid field values are a caller bug and throw ProtocolError.
 */
export function encodeFrame(
  message: Message,
  envelope: Envelope,
  keys: FrameKeys,
  options: EncodeOptions = {},
): Uint8Array {
  const type = messageTypeOf[message.kind];
  if (type === undefined) throw new ProtocolError('UNKNOWN_TYPE', `no message kind "${message.kind}"`);
  const encrypted = encryptedMessageTypes.has(type);
  const plaintext = serializePayload(message, encrypted ? sealedPayloadBytesMax : payloadBytesMax);
  const raw = {
    deviceId: envelope.deviceId,
    sequence: envelope.sequence,
    timestampMs: envelope.timestampMs,
    type,
    flags: encrypted ? frameFlags.encrypted : 0,
  };
  // serializePayload bounds it to payloadBytesMax, so it fits a frame.
  if (!encrypted) return assemble(raw, plaintext, keys.macKey);
  if (keys.sessionKey === undefined) {
    throw new ProtocolError('NO_SESSION_KEY', `${message.kind} is encrypted and no session key was given`);
  }
  const frame = frameWithHeader(raw, plaintext.byteLength + sealOverheadBytes);
  const nonce = (options.randomBytes ?? defaultRandomBytes)(gcmNonceBytes);
  const sealed = sealPayload(keys.sessionKey, frame.subarray(0, headerBytes), plaintext, nonce);
  frame.set(sealed, headerBytes);
  writeFrameMac(keys.macKey, frame, headerBytes + sealed.byteLength);
  return frame;
}

function readHeader(frame: Uint8Array): FrameHeader {
  if (frame.byteLength < prefixBytes) {
    throw new ProtocolError(
      'TRUNCATED',
      `a frame needs at least ${prefixBytes} bytes, got ${frame.byteLength}`,
    );
  }
  const r = new ByteReader(frame);
  if (r.u8('magic') !== magicBytes[0] || r.u8('magic') !== magicBytes[1]) {
    throw new ProtocolError('BAD_MAGIC', 'the frame does not start with CA CD');
  }
  const version = r.u8('version');
  if (version !== protocolVersion) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `version ${version} is not supported; this side speaks ${protocolVersion}`,
    );
  }
  const frameBytes = r.u16('frame length');
  checkDeclaredLength(frameBytes);
  if (frame.byteLength < frameBytes) {
    throw new ProtocolError(
      'TRUNCATED',
      `the frame declares ${frameBytes} bytes, ${frame.byteLength} arrived`,
    );
  }
  if (frame.byteLength > frameBytes) {
    throw new ProtocolError(
      'TRAILING_BYTES',
      `the frame declares ${frameBytes} bytes, ${frame.byteLength} given`,
    );
  }
  return {
    version,
    frameBytes,
    type: r.u8('type'),
    flags: r.u8('flags'),
    deviceId: r.u32('deviceId'),
    sequence: r.u32('sequence'),
    timestampMs: r.u64('timestampMs'),
  };
}

/** The bounds on a declared frame length, shared with the splitter so both refuse the same frames. */
export function checkDeclaredLength(frameBytes: number): void {
  if (frameBytes > frameBytesMax) {
    throw new ProtocolError(
      'FRAME_TOO_LARGE',
      `the frame declares ${frameBytes} bytes, above ${frameBytesMax}`,
    );
  }
  if (frameBytes < frameBytesMin) {
    throw new ProtocolError(
      'FRAME_TOO_SMALL',
      `the frame declares ${frameBytes} bytes, below ${frameBytesMin}`,
    );
  }
}

/**
 * The header of one whole frame, without checking its MAC: enough to find the device id and look up its
 * key. Nothing in it may be trusted until `decodeFrame` has verified the MAC.
 */
export function peekHeader(frame: Uint8Array): Decoded<FrameHeader> {
  return catchProtocolError(() => readHeader(frame));
}

/** One whole frame, verified, opened and parsed; or the first check it fails, as a typed error. */
export function decodeFrame(frame: Uint8Array, keys: FrameKeys): Decoded<DecodedFrame> {
  return catchProtocolError(() => {
    const head = readHeader(frame);
    const macAt = head.frameBytes - macBytes;
    if (!frameMacMatches(keys.macKey, frame.subarray(0, macAt), frame.subarray(macAt, head.frameBytes))) {
      throw new ProtocolError('BAD_MAC', `the MAC does not verify for device ${head.deviceId}`);
    }
    const type = head.type;
    if (!isMessageType(type)) {
      throw new ProtocolError(
        'UNKNOWN_TYPE',
        `message type 0x${type.toString(16).padStart(2, '0')} is not defined`,
      );
    }
    const encrypted = encryptedMessageTypes.has(type);
    if (head.flags !== (encrypted ? frameFlags.encrypted : 0)) {
      throw new ProtocolError(
        'BAD_FLAGS',
        `flags 0x${head.flags.toString(16)} are wrong for type 0x${type.toString(16)}`,
      );
    }
    let payload = frame.subarray(headerBytes, macAt);
    if (encrypted) {
      if (keys.sessionKey === undefined) {
        throw new ProtocolError(
          'NO_SESSION_KEY',
          'an encrypted payload arrived before a session key was agreed',
        );
      }
      payload = openPayload(keys.sessionKey, frame.subarray(0, headerBytes), payload);
    }
    const parsed = parsePayload(type, payload);
    if (!parsed.ok) throw parsed.error;
    const { deviceId, sequence, timestampMs, flags } = head;
    return { deviceId, sequence, timestampMs, type, flags, message: parsed.value };
  });
}
