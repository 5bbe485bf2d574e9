// The table of bad byte sequences, for the frame tests: each input, and the one error code decoding it must
// give. Frames whose damage lies past the MAC are re-MACed with the device key, so the check under test is
// actually reached. Envelope faults (framing, MAC, type and flags, encryption) and payload faults (structure
// and values, plain and sealed) are two lists, each tested in its own file.

import { MessageType } from './codes.ts';
import type { ProtocolErrorCode } from './errors.ts';
import {
  exampleDeviceId,
  exampleDeviceKey,
  exampleGcmNonce,
  exampleSessionKey,
  exampleTimeMs,
  fixtures,
} from './fixtures.ts';
import { encodeRawFrame, type FrameKeys } from './frame.ts';
import { fromHex } from './hex.ts';
import { headerBytes, macBytes } from './limits.ts';
import { frameMac } from './mac.ts';
import { sealPayload } from './session-crypto.ts';

export interface BadFrame {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly keys?: FrameKeys;
  readonly code: ProtocolErrorCode;
}

export const envelope = { deviceId: exampleDeviceId, sequence: 42, timestampMs: exampleTimeMs };
export const device: FrameKeys = { macKey: exampleDeviceKey };
export const session: FrameKeys = { macKey: exampleDeviceKey, sessionKey: exampleSessionKey };

const fixtureBytes = (name: string): Uint8Array => fromHex(fixtures.find((f) => f.name === name)?.hex ?? '');
const heartbeat = fixtureBytes('heartbeat');
const identityResult = fixtureBytes('identity_result');

/** A frame of any type with any plaintext payload and a valid MAC. */
export function frame(type: number, payloadHex: string, flags = 0): Uint8Array {
  return encodeRawFrame({ ...envelope, type, flags, payload: fromHex(payloadHex) }, exampleDeviceKey);
}

/** A frame whose payload is `plaintextHex` sealed properly with the session key. */
export function sealed(type: number, plaintextHex: string): Uint8Array {
  const plaintext = fromHex(plaintextHex);
  const placeholder = frame(type, '00'.repeat(plaintext.byteLength + 28), 1);
  const payload = sealPayload(
    exampleSessionKey,
    placeholder.subarray(0, headerBytes),
    plaintext,
    exampleGcmNonce,
  );
  return encodeRawFrame({ ...envelope, type, flags: 1, payload }, exampleDeviceKey);
}

/** A copy with byte `offset` set to `value`. */
function withByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[offset] = value;
  return out;
}

/** A copy whose MAC is made valid again for the bytes in front of it. */
function remac(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(frameMac(exampleDeviceKey, out.subarray(0, out.byteLength - macBytes)), out.byteLength - macBytes);
  return out;
}

export const numericCode = '020012383831323334353637383933303437323131';
export const payTail = '000004e2013525ce00';
export const proof = '00'.repeat(32);
/** A CONFIG_PUSH payload up to the price items: version 7, no merchant, UTC+8, offline and meter fields. */
export function configHead(enabled = '01', priceUnits = '00000001'): string {
  const offline = `${enabled} 003c 001e 00000bb8 00001388 00030d40 07d0 0003f480`;
  const meter = `00 00000000 ${priceUnits} 00000000 00000000 003c 012c`;
  return `00000007 00 01e0 00004e20 0003 ${offline} ${meter}`;
}

/** Faults found before the payload is parsed: framing, the MAC, type and flags, encryption. */
export const envelopeFaults: readonly BadFrame[] = [
  // Framing: found before the MAC, in the five-byte prefix and the header.
  { name: 'no bytes at all', bytes: new Uint8Array(), code: 'TRUNCATED' },
  { name: 'one byte of magic', bytes: fromHex('ca'), code: 'TRUNCATED' },
  { name: 'a first magic byte of CB', bytes: withByte(heartbeat, 0, 0xcb), code: 'BAD_MAGIC' },
  { name: 'a second magic byte of CC', bytes: withByte(heartbeat, 1, 0xcc), code: 'BAD_MAGIC' },
  { name: 'version 0x00', bytes: withByte(heartbeat, 2, 0x00), code: 'UNSUPPORTED_VERSION' },
  { name: 'version 0x02', bytes: withByte(heartbeat, 2, 0x02), code: 'UNSUPPORTED_VERSION' },
  {
    name: 'a declared length of 4,097',
    bytes: withByte(withByte(heartbeat, 3, 0x10), 4, 0x01),
    code: 'FRAME_TOO_LARGE',
  },
  { name: 'a declared length of 38', bytes: withByte(heartbeat, 4, 0x26), code: 'FRAME_TOO_SMALL' },
  {
    name: 'one byte fewer than declared',
    bytes: heartbeat.subarray(0, heartbeat.byteLength - 1),
    code: 'TRUNCATED',
  },
  { name: 'one byte more than declared', bytes: fromHex(`${fixtures[3]?.hex}00`), code: 'TRAILING_BYTES' },
  {
    name: 'a timestamp above 2^53 − 1',
    bytes: remac(fromHex(`${fixtures[3]?.hex.slice(0, 30)}ffffffffffffffff${fixtures[3]?.hex.slice(46)}`)),
    code: 'BAD_FIELD',
  },
  // Authentication.
  {
    name: 'the last MAC byte flipped',
    bytes: withByte(heartbeat, heartbeat.byteLength - 1, 0x58),
    code: 'BAD_MAC',
  },
  { name: 'a payload byte changed', bytes: withByte(heartbeat, 26, 0x08), code: 'BAD_MAC' },
  { name: 'the device id changed', bytes: withByte(heartbeat, 10, 0xea), code: 'BAD_MAC' },
  {
    name: 'a heartbeat checked with the anonymous key',
    bytes: heartbeat,
    keys: { macKey: new Uint8Array(32) },
    code: 'BAD_MAC',
  },
  // Type and flags, after the MAC.
  { name: 'type 0x09', bytes: remac(withByte(heartbeat, 5, 0x09)), code: 'UNKNOWN_TYPE' },
  { name: 'type 0x00', bytes: remac(withByte(heartbeat, 5, 0x00)), code: 'UNKNOWN_TYPE' },
  { name: 'type 0xff', bytes: remac(withByte(heartbeat, 5, 0xff)), code: 'UNKNOWN_TYPE' },
  { name: 'a heartbeat flagged encrypted', bytes: remac(withByte(heartbeat, 6, 0x01)), code: 'BAD_FLAGS' },
  { name: 'a reserved flag bit', bytes: remac(withByte(heartbeat, 6, 0x80)), code: 'BAD_FLAGS' },
  {
    name: 'an identity result not flagged encrypted',
    bytes: remac(withByte(identityResult, 6, 0x00)),
    keys: session,
    code: 'BAD_FLAGS',
  },
  // Encryption.
  {
    name: 'an identity result with no session key',
    bytes: identityResult,
    keys: device,
    code: 'NO_SESSION_KEY',
  },
  {
    name: 'an identity result under another session key',
    bytes: identityResult,
    keys: { macKey: exampleDeviceKey, sessionKey: new Uint8Array(32) },
    code: 'DECRYPT_FAILED',
  },
  {
    name: 'an identity result with a ciphertext byte flipped',
    bytes: remac(withByte(identityResult, 40, 0x00)),
    keys: session,
    code: 'DECRYPT_FAILED',
  },
  {
    name: 'a sealed payload of 27 bytes',
    bytes: frame(MessageType.IDENTITY_RESULT, '00'.repeat(27), 1),
    keys: session,
    code: 'TRUNCATED',
  },
];

/** Faults in the payload itself: its structure and its values, plain and sealed. */
export const payloadFaults: readonly BadFrame[] = [
  // Payload structure.
  {
    name: 'a heartbeat payload one byte short',
    bytes: frame(MessageType.HEARTBEAT, '00000007000004ba00'),
    code: 'TRUNCATED',
  },
  {
    name: 'a heartbeat payload one byte long',
    bytes: frame(MessageType.HEARTBEAT, '00000007000004ba000000'),
    code: 'TRAILING_BYTES',
  },
  {
    name: 'a clock sync with a payload byte',
    bytes: frame(MessageType.CLOCK_SYNC, '00'),
    code: 'TRAILING_BYTES',
  },
  {
    name: 'a challenge nonce of 15 bytes',
    bytes: frame(MessageType.CHALLENGE, '00'.repeat(15)),
    code: 'TRUNCATED',
  },
  // Payload values.
  {
    name: 'a payment of 0 fen',
    bytes: frame(MessageType.PAY, `${numericCode}00000000013525ce00`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a code kind of 0x03',
    bytes: frame(MessageType.PAY, `03${numericCode.slice(2)}${payTail}`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a numeric code holding a letter',
    bytes: frame(MessageType.PAY, `020002384100000000${payTail.slice(8)}`),
    code: 'BAD_FIELD',
  },
  { name: 'a code of length 0', bytes: frame(MessageType.PAY, `020000${payTail}`), code: 'BAD_FIELD' },
  {
    name: 'a code of length 513',
    bytes: frame(MessageType.PAY, `010201${'41'.repeat(513)}${payTail}`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a QR code holding a line feed',
    bytes: frame(MessageType.PAY, `01000343430a${payTail}`),
    code: 'BAD_FIELD',
  },
  { name: 'a pay code cut short', bytes: frame(MessageType.PAY, '0200123838'), code: 'TRUNCATED' },
  { name: 'a decline with reason NONE', bytes: frame(MessageType.PAY_DECLINED, '00'), code: 'BAD_FIELD' },
  { name: 'a decline with reason 0xee', bytes: frame(MessageType.PAY_DECLINED, 'ee'), code: 'BAD_FIELD' },
  {
    name: 'an approval whose subsidy part exceeds the charge',
    bytes: frame(MessageType.PAY_APPROVED, '00000064000000c800000000'),
    code: 'BAD_FIELD',
  },
  {
    name: 'a sign-in from device kind 0x09',
    bytes: frame(MessageType.SIGN_IN, `09${'00'.repeat(48)}0000000600000001000000`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a firmware string holding 0x7f',
    bytes: frame(MessageType.SIGN_IN, `01${'00'.repeat(48)}00000006000000010000017f`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a heartbeat interval of 29 s',
    bytes: frame(MessageType.SIGN_IN_ACCEPTED, `${proof}00000007000004ba001d`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a heartbeat interval of 91 s',
    bytes: frame(MessageType.SIGN_IN_ACCEPTED, `${proof}00000007000004ba005b`),
    code: 'BAD_FIELD',
  },
  { name: 'an error code 0x7777', bytes: frame(MessageType.ERROR, '77771000'), code: 'BAD_FIELD' },
  {
    name: 'an error message that is not UTF-8',
    bytes: frame(MessageType.ERROR, '01071002ffff'),
    code: 'BAD_FIELD',
  },
  {
    name: 'an error message of 201 bytes',
    bytes: frame(MessageType.ERROR, `010710c9${'41'.repeat(201)}`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config with offline.enabled = 2',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead('02')} 00 00`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config with meter.priceUnits = 0',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead('01', '00000000')} 00 00`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config meal window that ends where it starts',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead()} 00 01 02 0276 0276 00000000`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config meal window ending after midnight',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead()} 00 01 02 0276 05a1 00000000`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config with 5 campus keys',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead()} 00 00 05`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a config with 17 price items',
    bytes: frame(MessageType.CONFIG_PUSH, `${configHead()} 11`),
    code: 'BAD_FIELD',
  },
  {
    name: 'an attendance result "recorded" at time 0',
    bytes: frame(MessageType.ATTENDANCE_RESULT, '01000000000000000000'),
    code: 'BAD_FIELD',
  },
  {
    name: 'an attendance result "code_refused" without a reason',
    bytes: frame(MessageType.ATTENDANCE_RESULT, '06000000000000000000'),
    code: 'BAD_FIELD',
  },
  {
    name: 'an attendance result with a seat after it (the seat has its own answer type)',
    bytes: frame(MessageType.ATTENDANCE_RESULT, '01 00 0000019caca74fb4 04 412d3037'),
    code: 'TRAILING_BYTES',
  },
  {
    name: 'an exam attendance result without its seat field',
    bytes: frame(MessageType.EXAM_ATTENDANCE_RESULT, '01 00 0000019caca74fb4'),
    code: 'TRUNCATED',
  },
  {
    name: 'an exam attendance result "not_on_roster" carrying a seat',
    bytes: frame(MessageType.EXAM_ATTENDANCE_RESULT, '03 00 0000000000000000 04 412d3037'),
    code: 'BAD_FIELD',
  },
  {
    name: 'an attendance session id of length 0',
    bytes: frame(MessageType.ATTENDANCE, `00${numericCode}`),
    code: 'BAD_FIELD',
  },
  {
    name: 'a hold id holding a space',
    bytes: frame(MessageType.METER_USAGE, '02 48 20 00000078'),
    code: 'BAD_FIELD',
  },
  {
    name: 'a meter state of 0x09',
    bytes: frame(MessageType.METER_USAGE_ACK, '090000002400000234'),
    code: 'BAD_FIELD',
  },
  {
    name: 'a meter start holding 0 fen',
    bytes: frame(MessageType.METER_START, `01${numericCode}00000000`),
    code: 'BAD_FIELD',
  },
  { name: 'an upload of 65 records', bytes: frame(MessageType.OFFLINE_UPLOAD, '41'), code: 'BAD_FIELD' },
  {
    name: 'an upload announcing a record it lacks',
    bytes: frame(MessageType.OFFLINE_UPLOAD, '01'),
    code: 'TRUNCATED',
  },
  {
    name: 'an access record carrying an amount',
    bytes: frame(
      MessageType.OFFLINE_UPLOAD,
      `010201000000360000000700000000000000010000006400000000 00${numericCode}${'00'.repeat(16)}`,
    ),
    code: 'BAD_FIELD',
  },
  {
    name: 'an upload result "exception" without a reason',
    bytes: frame(MessageType.OFFLINE_UPLOAD_RESULT, '0100000036030000'),
    code: 'BAD_FIELD',
  },
  {
    name: 'an upload result "accepted" with a reason',
    bytes: frame(MessageType.OFFLINE_UPLOAD_RESULT, '0100000036010100'),
    code: 'BAD_FIELD',
  },
  {
    name: 'a gap from 6 to 5',
    bytes: frame(MessageType.OFFLINE_UPLOAD_RESULT, '00010000000600000005'),
    code: 'BAD_FIELD',
  },
  {
    name: 'a gap from 0',
    bytes: frame(MessageType.OFFLINE_UPLOAD_RESULT, '00010000000000000005'),
    code: 'BAD_FIELD',
  },
  // Encrypted payloads with bad values: sealed correctly, so the parser is what refuses them.
  {
    name: 'an allow that carries a refusal reason',
    bytes: sealed(MessageType.IDENTITY_RESULT, '01030100'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a deny with reason NONE',
    bytes: sealed(MessageType.IDENTITY_RESULT, '02000000'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a person type of 0x09',
    bytes: sealed(MessageType.IDENTITY_RESULT, '01000900'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a display name of 65 bytes',
    bytes: sealed(MessageType.IDENTITY_RESULT, `01000141${'41'.repeat(65)}`),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a PIN holding a letter',
    bytes: sealed(MessageType.PAY_WITH_PIN, `${numericCode}${payTail}31323334354a`),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'chunk 1 of 1',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba000100010000'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a chunk of version 0',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '00000000000000010000'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a chunk of 257 entries',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba000000010101'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a card number with a nibble of 0xA',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba0000000100012a24000137ffffffffff0000000201'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a card number with a digit after padding',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba00000001000120240001f7ffffffffff0000000201'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a card number of padding only',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba000000010001ffffffffffffffffffff0000000201'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a blacklist reason of 0x00',
    bytes: sealed(MessageType.BLACKLIST_CHUNK, '000004ba00000001000120240001 37ffffffffff0000000200'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a delta that does not move forward',
    bytes: sealed(MessageType.BLACKLIST_DELTA, '000004ba000004ba0000'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a remove carrying a card version',
    bytes: sealed(MessageType.BLACKLIST_DELTA, '000004ba000004bb00010220230005 55ffffffffff0000000100'),
    keys: session,
    code: 'BAD_FIELD',
  },
  {
    name: 'a delta op of 0x03',
    bytes: sealed(MessageType.BLACKLIST_DELTA, '000004ba000004bb00010320230005 55ffffffffff0000000000'),
    keys: session,
    code: 'BAD_FIELD',
  },
];
