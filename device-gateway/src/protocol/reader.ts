// A cursor over received bytes. Every read is bounds-checked and names the field it reads, so a short or
// malformed payload fails with TRUNCATED or BAD_FIELD and a message a vendor can act on.

import { ProtocolError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  u8(field: string): number {
    this.need(1, field);
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return value;
  }

  i16(field: string): number {
    this.need(2, field);
    const value = this.view.getInt16(this.offset, false);
    this.offset += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return value;
  }

  /** Times in ms fit in 53 bits for the next 285,000 years; a larger value is refused, not rounded. */
  u64(field: string): number {
    this.need(8, field);
    const value = this.view.getBigUint64(this.offset, false);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolError('BAD_FIELD', `${field} is ${value}, above 2^53 - 1`);
    }
    this.offset += 8;
    return Number(value);
  }

  /**
   * A copy, so a decoded message never aliases (and keeps alive) the receive buffer: a plain Uint8Array
   * whatever the input is (a Buffer's own slice() would be a view).
   */
  bytesOf(length: number, field: string): Uint8Array {
    this.need(length, field);
    const out = new Uint8Array(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }

  /** The rest of the bytes, without copying; for the frame layer only. */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.offset);
    this.offset = this.bytes.byteLength;
    return out;
  }

  /** Well-formed UTF-8 of exactly `length` bytes; an invalid sequence is BAD_FIELD, never U+FFFD. */
  utf8(length: number, field: string): string {
    const raw = this.bytesOf(length, field);
    try {
      return utf8.decode(raw);
    } catch {
      throw new ProtocolError('BAD_FIELD', `${field} is not well-formed UTF-8`);
    }
  }

  /**
   * Bytes that must each pass `allowed`; decoded one byte a character, by Node in one call (a QR code is 290
   * of them: a string built a character at a time cost the gateway microseconds a payment, issue #20).
   */
  ascii(length: number, field: string, allowed: (byte: number) => boolean): string {
    this.need(length, field);
    const start = this.bytes.byteOffset + this.offset;
    for (let i = this.offset; i < this.offset + length; i++) {
      const byte = this.bytes[i] as number;
      if (!allowed(byte)) {
        throw new ProtocolError('BAD_FIELD', `${field} holds byte 0x${byte.toString(16).padStart(2, '0')}`);
      }
    }
    this.offset += length;
    return Buffer.from(this.bytes.buffer, start, length).toString('latin1');
  }

  /** Every parser ends here: a payload longer than its fields is refused rather than silently ignored. */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new ProtocolError('TRAILING_BYTES', `${what} has ${this.remaining} bytes after its last field`);
    }
  }

  private need(length: number, field: string): void {
    if (this.remaining < length) {
      throw new ProtocolError('TRUNCATED', `${field} needs ${length} bytes, ${this.remaining} left`);
    }
  }
}
