import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolError } from './errors.ts';
import { toHex } from './hex.ts';
import { ByteReader } from './reader.ts';
import { ByteWriter, utf8Bytes } from './writer.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('byte reader and writer', () => {
  test('when integers are written, then they are big-endian and read back the same', () => {
    const w = new ByteWriter();
    w.u8(0xab, 'a')
      .u16(0x1234, 'b')
      .i16(-2, 'c')
      .u32(0xdeadbeef, 'd')
      .u64(2 ** 53 - 1, 'e');
    const bytes = w.finish();
    assert.equal(toHex(bytes), 'ab1234fffedeadbeef001fffffffffffff');
    const r = new ByteReader(bytes);
    assert.deepEqual(
      [r.u8('a'), r.u16('b'), r.i16('c'), r.u32('d'), r.u64('e')],
      [0xab, 0x1234, -2, 0xdeadbeef, 2 ** 53 - 1],
    );
    r.end('test');
  });

  test('when a value does not fit its field, then writing it is BAD_FIELD', () => {
    const w = new ByteWriter();
    assert.equal(
      codeOf(() => w.u8(256, 'x')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => w.u16(-1, 'x')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => w.u32(1.5, 'x')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => w.u32(Number.NaN, 'x')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => w.u64(2 ** 53, 'x')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => w.fixedBytes(new Uint8Array(3), 4, 'x')),
      'BAD_FIELD',
    );
  });

  test('when a writer would pass its byte maximum, then it is FRAME_TOO_LARGE and nothing grows beyond it', () => {
    const w = new ByteWriter(4);
    w.u32(1, 'x');
    assert.equal(
      codeOf(() => w.u8(1, 'y')),
      'FRAME_TOO_LARGE',
    );
    assert.equal(w.finish().byteLength, 4);
  });

  test('when a field runs past the end, then reading it is TRUNCATED and names the field', () => {
    const r = new ByteReader(new Uint8Array([1, 2, 3]));
    assert.throws(
      () => r.u32('amountFen'),
      (e) => e instanceof ProtocolError && e.code === 'TRUNCATED' && e.message.includes('amountFen'),
    );
  });

  test('when bytes remain after the last field, then end() is TRAILING_BYTES', () => {
    const r = new ByteReader(new Uint8Array([1, 2]));
    r.u8('a');
    assert.equal(
      codeOf(() => r.end('TEST')),
      'TRAILING_BYTES',
    );
  });

  test('when a uint64 exceeds 2^53 - 1, then it is BAD_FIELD rather than a rounded number', () => {
    const r = new ByteReader(new Uint8Array([0x00, 0x20, 0, 0, 0, 0, 0, 0]));
    assert.equal(
      codeOf(() => r.u64('timestampMs')),
      'BAD_FIELD',
    );
  });

  test('when text is not well-formed UTF-8, then it is BAD_FIELD, never a replacement character', () => {
    assert.equal(
      codeOf(() => new ByteReader(new Uint8Array([0xe5, 0xbc])).utf8(2, 'name')),
      'BAD_FIELD',
    );
    assert.equal(
      codeOf(() => new ByteReader(new Uint8Array([0xc0, 0x80])).utf8(2, 'name')),
      'BAD_FIELD',
    );
  });

  test('when a string holds a lone surrogate, then encoding it is BAD_FIELD', () => {
    assert.equal(
      codeOf(() => utf8Bytes('a\ud800b', 'name')),
      'BAD_FIELD',
    );
    assert.equal(toHex(utf8Bytes('张😀', 'name')), 'e5bca0f09f9880');
  });

  test('when a decoded byte string is kept, then it does not alias the input buffer', () => {
    const input = new Uint8Array([1, 2, 3, 4]);
    const copy = new ByteReader(input).bytesOf(4, 'x');
    input[0] = 9;
    assert.equal(copy[0], 1);
  });
});
