// Field codecs that several messages share: length-prefixed text, scanned codes, card numbers, enum bytes.
// Each checks on the way in exactly what it checks on the way out, so every decoded message re-encodes to
// the bytes it came from.

import { type CodeKind, codeKinds, nameOf, type Refusal, reasonCodes } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { cardNoBytes, cardNoDigitsMax, codeBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import { type ByteWriter, utf8Bytes } from '../writer.ts';

/** A code as the device read it from the phone. */
export interface ScannedCode {
  readonly kind: CodeKind;
  readonly text: string;
}

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isPrintable = (byte: number): boolean => byte >= 0x20 && byte <= 0x7e;
/** The core's entity and operation ids: A-Z a-z 0-9 and : _ . - */
const isIdByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x5a) ||
  (byte >= 0x61 && byte <= 0x7a) ||
  byte === 0x3a ||
  byte === 0x5f ||
  byte === 0x2e ||
  byte === 0x2d;

function checkAscii(text: string, field: string, allowed: (byte: number) => boolean): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = text.charCodeAt(i);
    if (!allowed(byte)) throw new ProtocolError('BAD_FIELD', `${field} holds character code ${byte}`);
    out[i] = byte;
  }
  return out;
}

function checkLength(length: number, min: number, max: number, field: string): void {
  if (length < min || length > max) {
    throw new ProtocolError('BAD_FIELD', `${field} must be ${min}–${max} bytes, got ${length}`);
  }
}

/** An enum byte by name. */
export function writeEnum<Name extends string>(
  w: ByteWriter,
  table: Readonly<Record<Name, number>>,
  name: Name,
  field: string,
): void {
  const byte = table[name];
  if (byte === undefined) throw new ProtocolError('BAD_FIELD', `${field} has no byte for "${name}"`);
  w.u8(byte, field);
}

/** An enum byte, refused with BAD_FIELD when the table does not hold it. */
export function readEnum<Name extends string>(
  r: ByteReader,
  table: Readonly<Record<Name, number>>,
  field: string,
): Name {
  const byte = r.u8(field);
  const name = nameOf(table, byte);
  if (name === undefined) {
    throw new ProtocolError('BAD_FIELD', `${field} 0x${byte.toString(16).padStart(2, '0')} is not defined`);
  }
  return name;
}

/** uint8 length, then that many UTF-8 bytes. */
export function writeText(w: ByteWriter, text: string, bytesMax: number, field: string): void {
  const bytes = utf8Bytes(text, field);
  checkLength(bytes.byteLength, 0, bytesMax, field);
  w.u8(bytes.byteLength, `${field} length`).bytes(bytes);
}

export function readText(r: ByteReader, bytesMax: number, field: string): string {
  const length = r.u8(`${field} length`);
  checkLength(length, 0, bytesMax, field);
  return r.utf8(length, field);
}

/** uint8 length, then an id of A-Z a-z 0-9 : _ . - ; `bytesMin` 0 allows "none". */
export function writeId(w: ByteWriter, id: string, bytesMin: number, bytesMax: number, field: string): void {
  checkLength(id.length, bytesMin, bytesMax, field);
  w.u8(id.length, `${field} length`).bytes(checkAscii(id, field, isIdByte));
}

export function readId(r: ByteReader, bytesMin: number, bytesMax: number, field: string): string {
  const length = r.u8(`${field} length`);
  checkLength(length, bytesMin, bytesMax, field);
  return r.ascii(length, field, isIdByte);
}

/** uint8 length, then printable ASCII (firmware versions). */
export function writePrintable(w: ByteWriter, text: string, bytesMax: number, field: string): void {
  checkLength(text.length, 0, bytesMax, field);
  w.u8(text.length, `${field} length`).bytes(checkAscii(text, field, isPrintable));
}

export function readPrintable(r: ByteReader, bytesMax: number, field: string): string {
  const length = r.u8(`${field} length`);
  checkLength(length, 0, bytesMax, field);
  return r.ascii(length, field, isPrintable);
}

/** Code kind (uint8), uint16 length, then the text: printable ASCII for a QR code, digits for a numeric one. */
export function writeCode(w: ByteWriter, code: ScannedCode, field = 'code'): void {
  writeEnum(w, codeKinds, code.kind, `${field} kind`);
  checkLength(code.text.length, 1, codeBytesMax, field);
  w.u16(code.text.length, `${field} length`).bytes(
    checkAscii(code.text, field, code.kind === 'numeric' ? isDigit : isPrintable),
  );
}

export function readCode(r: ByteReader, field = 'code'): ScannedCode {
  const kind = readEnum(r, codeKinds, `${field} kind`);
  const length = r.u16(`${field} length`);
  checkLength(length, 1, codeBytesMax, field);
  return { kind, text: r.ascii(length, field, kind === 'numeric' ? isDigit : isPrintable) };
}

/** Exactly `pinDigits` ASCII digits. */
export function writeDigits(w: ByteWriter, digits: string, count: number, field: string): void {
  if (digits.length !== count) throw new ProtocolError('BAD_FIELD', `${field} must be ${count} digits`);
  w.bytes(checkAscii(digits, field, isDigit));
}

export function readDigits(r: ByteReader, count: number, field: string): string {
  return r.ascii(count, field, isDigit);
}

/**
 * A card number, 1–20 decimal digits, as 10 bytes of packed BCD padded at the end with 0xF nibbles:
 * leading zeros survive, and a hex dump shows the number as it is ("2024000137" → 20 24 00 01 37 ff …).
 */
export function writeCardNo(w: ByteWriter, cardNo: string, field = 'cardNo'): void {
  if (!/^[0-9]{1,20}$/.test(cardNo)) {
    throw new ProtocolError('BAD_FIELD', `${field} must be 1–${cardNoDigitsMax} digits`);
  }
  const nibbles = [...cardNo].map(Number);
  while (nibbles.length < cardNoDigitsMax) nibbles.push(0xf);
  for (let i = 0; i < cardNoBytes; i++) {
    w.u8(((nibbles[i * 2] ?? 0xf) << 4) | (nibbles[i * 2 + 1] ?? 0xf), field);
  }
}

export function readCardNo(r: ByteReader, field = 'cardNo'): string {
  const bytes = r.bytesOf(cardNoBytes, field);
  let cardNo = '';
  let padding = false;
  for (const byte of bytes) {
    for (const nibble of [byte >> 4, byte & 0x0f]) {
      if (nibble === 0xf) padding = true;
      else if (nibble > 9 || padding) throw new ProtocolError('BAD_FIELD', `${field} is not packed BCD`);
      else cardNo += String(nibble);
    }
  }
  if (cardNo.length === 0) throw new ProtocolError('BAD_FIELD', `${field} holds no digit`);
  return cardNo;
}

/** A value that must lie in [min, max]; the reader already bounds it by its width. */
export function checkRange(value: number, min: number, max: number, field: string): number {
  if (value < min || value > max) {
    throw new ProtocolError('BAD_FIELD', `${field} must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A uint8 count followed by that many items, bounded by `countMax`. */
export function readCount(r: ByteReader, countMax: number, field: string): number {
  return checkRange(r.u8(field), 0, countMax, field);
}

export function readCount16(r: ByteReader, countMax: number, field: string): number {
  return checkRange(r.u16(field), 0, countMax, field);
}

export function writeCount(w: ByteWriter, count: number, countMax: number, field: string): void {
  checkRange(count, 0, countMax, field);
  w.u8(count, field);
}

export function writeCount16(w: ByteWriter, count: number, countMax: number, field: string): void {
  checkRange(count, 0, countMax, field);
  w.u16(count, field);
}

/** A reason byte that must name a refusal (not NONE): shared by every "refused" answer. */
export function readRefusal(r: ByteReader, field = 'reason'): Refusal {
  const reason = readEnum(r, reasonCodes, field);
  if (reason === 'NONE') throw new ProtocolError('BAD_FIELD', `${field} must name a refusal, not NONE`);
  return reason;
}

export function writeRefusal(w: ByteWriter, reason: Refusal, field = 'reason'): void {
  if ((reason as string) === 'NONE')
    throw new ProtocolError('BAD_FIELD', `${field} must name a refusal, not NONE`);
  writeEnum(w, reasonCodes, reason, field);
}
