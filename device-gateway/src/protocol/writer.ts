// A growable byte buffer for building payloads and frames. Writing a value that does not fit its field is a
// bug in the caller, so it throws a ProtocolError (BAD_FIELD) naming the field instead of wrapping silently.

import { ProtocolError } from './errors.ts';
import { frameBytesMax } from './limits.ts';

const utf8 = new TextEncoder();

export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  /**
   * `bytesMax` bounds the whole buffer: nothing this codec builds can exceed a frame. It starts at 64 bytes,
   * which V8 keeps on its heap (a larger typed array gets a backing store of its own for the garbage
   * collector), and doubles as needed: most answers are a few dozen bytes (issue #20).
   */
  constructor(private readonly bytesMax: number = frameBytesMax) {
    this.buffer = new Uint8Array(64);
    this.view = new DataView(this.buffer.buffer);
  }

  get position(): number {
    return this.length;
  }

  u8(value: number, field: string): this {
    this.checkInteger(value, 0, 0xff, field);
    this.reserve(1).setUint8(this.length, value);
    this.length += 1;
    return this;
  }

  u16(value: number, field: string): this {
    this.checkInteger(value, 0, 0xffff, field);
    this.reserve(2).setUint16(this.length, value, false);
    this.length += 2;
    return this;
  }

  i16(value: number, field: string): this {
    this.checkInteger(value, -0x8000, 0x7fff, field);
    this.reserve(2).setInt16(this.length, value, false);
    this.length += 2;
    return this;
  }

  u32(value: number, field: string): this {
    this.checkInteger(value, 0, 0xffff_ffff, field);
    this.reserve(4).setUint32(this.length, value, false);
    this.length += 4;
    return this;
  }

  u64(value: number, field: string): this {
    this.checkInteger(value, 0, Number.MAX_SAFE_INTEGER, field);
    this.reserve(8).setBigUint64(this.length, BigInt(value), false);
    this.length += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.byteLength);
    this.buffer.set(value, this.length);
    this.length += value.byteLength;
    return this;
  }

  /** Bytes that must be exactly `length` long (nonces, proofs, MACs). */
  fixedBytes(value: Uint8Array, length: number, field: string): this {
    if (value.byteLength !== length) {
      throw new ProtocolError('BAD_FIELD', `${field} must be ${length} bytes, got ${value.byteLength}`);
    }
    return this.bytes(value);
  }

  /** Overwrites a uint16 already written, for length fields known only at the end. */
  patchU16(offset: number, value: number, field: string): this {
    this.checkInteger(value, 0, 0xffff, field);
    this.view.setUint16(offset, value, false);
    return this;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): DataView {
    const needed = this.length + extra;
    if (needed > this.bytesMax) {
      throw new ProtocolError(
        'FRAME_TOO_LARGE',
        `message needs ${needed} bytes, at most ${this.bytesMax} fit`,
      );
    }
    if (needed > this.buffer.byteLength) {
      const grown = new Uint8Array(Math.min(this.bytesMax, Math.max(needed, this.buffer.byteLength * 2)));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    return this.view;
  }

  private checkInteger(value: number, min: number, max: number, field: string): void {
    checkInteger(value, min, max, field);
  }
}

/** A value that does not fit its field is a bug in the caller: BAD_FIELD naming the field. */
export function checkInteger(value: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('BAD_FIELD', `${field} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** UTF-8 bytes of a string that has no lone surrogates (which TextEncoder would silently turn into U+FFFD). */
export function utf8Bytes(text: string, field: string): Uint8Array {
  if (/\p{Cs}/u.test(text)) throw new ProtocolError('BAD_FIELD', `${field} holds a lone surrogate`);
  return utf8.encode(text);
}
