import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixtures } from './fixtures.ts';
import { fromHex, toHex } from './hex.ts';
import { frameBytesMax } from './limits.ts';
import { FrameSplitter } from './splitter.ts';

const heartbeat = fromHex(fixtures.find((f) => f.name === 'heartbeat')?.hex ?? '');

describe('frame splitter', () => {
  test('when a prefix declares more than frameBytesMax, then it is FRAME_TOO_LARGE before any payload is buffered', () => {
    const splitter = new FrameSplitter();
    const chunk = new Uint8Array(70_000).fill(0x41);
    chunk.set([0xca, 0xcd, 0x01, 0xff, 0xff], 0);
    const { frames, error } = splitter.push(chunk);
    assert.equal(error?.code, 'FRAME_TOO_LARGE');
    assert.equal(frames.length, 0);
    assert.equal(splitter.bufferedBytes, 0);
  });

  test('when a prefix declares exactly frameBytesMax, then the splitter waits for that many bytes and no more', () => {
    const splitter = new FrameSplitter();
    const big = new Uint8Array(frameBytesMax + 10);
    big.set([0xca, 0xcd, 0x01, frameBytesMax >> 8, frameBytesMax & 0xff], 0);
    assert.equal(splitter.push(big.subarray(0, frameBytesMax - 1)).frames.length, 0);
    assert.equal(splitter.bufferedBytes, frameBytesMax - 1);
    const { frames, error } = splitter.push(big.subarray(frameBytesMax - 1, frameBytesMax));
    assert.equal(error, undefined);
    assert.equal(frames[0]?.byteLength, frameBytesMax);
  });

  const badStreams: { name: string; hex: string; code: string; bufferedAfter: number }[] = [
    { name: 'a first byte other than CA', hex: 'ff', code: 'BAD_MAGIC', bufferedAfter: 0 },
    { name: 'an HTTP request', hex: '474554202f20485454502f312e310d0a', code: 'BAD_MAGIC', bufferedAfter: 0 },
    { name: 'a second byte other than CD', hex: 'ca00', code: 'BAD_MAGIC', bufferedAfter: 0 },
    { name: 'a declared length of 4,097', hex: 'cacd011001', code: 'FRAME_TOO_LARGE', bufferedAfter: 0 },
    { name: 'a declared length of 65,535', hex: 'cacd01ffff', code: 'FRAME_TOO_LARGE', bufferedAfter: 0 },
    { name: 'a declared length of 38', hex: 'cacd010026', code: 'FRAME_TOO_SMALL', bufferedAfter: 0 },
    { name: 'a declared length of 0', hex: 'cacd010000', code: 'FRAME_TOO_SMALL', bufferedAfter: 0 },
  ];
  for (const bad of badStreams) {
    test(`when the stream starts with ${bad.name}, then the splitter gives ${bad.code}`, () => {
      const splitter = new FrameSplitter();
      const { frames, error } = splitter.push(fromHex(bad.hex));
      assert.equal(error?.code, bad.code);
      assert.equal(frames.length, 0);
      assert.equal(splitter.bufferedBytes, bad.bufferedAfter);
    });
  }

  test('when the version byte is unknown, then the splitter still cuts the frame, for decode to answer it', () => {
    const frame = heartbeat.slice();
    frame[2] = 0x07;
    const { frames, error } = new FrameSplitter().push(frame);
    assert.equal(error, undefined);
    assert.equal(frames.length, 1);
  });

  test('when good frames precede garbage in one chunk, then the good frames come out with the error', () => {
    const chunk = new Uint8Array(heartbeat.byteLength * 2 + 1);
    chunk.set(heartbeat, 0);
    chunk.set(heartbeat, heartbeat.byteLength);
    chunk[chunk.byteLength - 1] = 0x00;
    const { frames, error } = new FrameSplitter().push(chunk);
    assert.equal(frames.length, 2);
    assert.equal(error?.code, 'BAD_MAGIC');
  });

  test('when an error has occurred, then every later push gives the same error and no frames', () => {
    const splitter = new FrameSplitter();
    const first = splitter.push(fromHex('00'));
    const later = splitter.push(heartbeat);
    assert.equal(later.error, first.error);
    assert.equal(later.frames.length, 0);
  });

  test('when the stream ends inside a frame, then end() is TRUNCATED', () => {
    const splitter = new FrameSplitter();
    splitter.push(heartbeat.subarray(0, 30));
    assert.equal(splitter.midFrame, true);
    assert.equal(splitter.end()?.code, 'TRUNCATED');
  });

  test('when the stream ends inside the five-byte prefix, then end() is TRUNCATED too', () => {
    const splitter = new FrameSplitter();
    splitter.push(heartbeat.subarray(0, 3));
    assert.equal(splitter.end()?.code, 'TRUNCATED');
  });

  test('when the stream ends between frames, then end() reports nothing', () => {
    const splitter = new FrameSplitter();
    splitter.push(heartbeat);
    assert.equal(splitter.end(), undefined);
  });

  test('when a frame is emitted, then it is a copy the caller may keep while the input buffer is reused', () => {
    const splitter = new FrameSplitter();
    const input = heartbeat.slice();
    const { frames } = splitter.push(input);
    input.fill(0);
    assert.equal(toHex(frames[0] ?? new Uint8Array()), toHex(heartbeat));
  });

  test('when an empty chunk arrives, then nothing changes', () => {
    const splitter = new FrameSplitter();
    assert.deepEqual(splitter.push(new Uint8Array()), { frames: [] });
    assert.equal(splitter.midFrame, false);
  });
});
