// Decoding refuses a frame whose envelope is bad (framing, MAC, type and flags, encryption) with the one
// code of that fault; peeking at the header shows framing errors only.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { device, envelopeFaults, payloadFaults } from './bad-frames.ts';
import { decodeFrame, peekHeader } from './frame.ts';

describe('bad byte sequences: the envelope', () => {
  for (const row of envelopeFaults) {
    test(`when a frame has ${row.name}, then decoding gives ${row.code}`, () => {
      const decoded = decodeFrame(row.bytes, row.keys ?? device);
      assert.equal(decoded.ok ? 'ok' : decoded.error.code, row.code, decoded.ok ? '' : decoded.error.message);
      if (!decoded.ok) assert.ok(decoded.error.message.length > 0);
    });
  }

  test('when the same frames are only peeked at, then framing errors show and later ones do not', () => {
    for (const row of [...envelopeFaults, ...payloadFaults]) {
      const peeked = peekHeader(row.bytes);
      const framing = [
        'TRUNCATED',
        'BAD_MAGIC',
        'UNSUPPORTED_VERSION',
        'FRAME_TOO_LARGE',
        'FRAME_TOO_SMALL',
        'TRAILING_BYTES',
      ];
      if (peeked.ok) assert.ok(row.bytes.byteLength >= 39, row.name);
      else assert.ok(framing.includes(peeked.error.code) || peeked.error.code === 'BAD_FIELD', row.name);
    }
  });
});
