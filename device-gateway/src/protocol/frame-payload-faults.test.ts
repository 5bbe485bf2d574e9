// Decoding refuses a frame whose payload is bad (structure or values, plain or sealed) with the one code
// of that fault; the same payloads left whole decode, so each row differs by its one fault.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  configHead,
  device,
  frame,
  numericCode,
  payloadFaults,
  payTail,
  proof,
  sealed,
  session,
} from './bad-frames.ts';
import { MessageType } from './codes.ts';
import { decodeFrame } from './frame.ts';

describe('bad byte sequences: the payload', () => {
  test('when the payloads the table damages are left whole, then they decode, so each row differs by its one fault', () => {
    const controls = [
      frame(
        MessageType.CONFIG_PUSH,
        `${configHead()} 00 01 02 0276 0312 00000000 01 0003 ${'d0'.repeat(32)} 0000000000000000`,
      ),
      frame(MessageType.PAY, `${numericCode}${payTail}`),
      frame(MessageType.SIGN_IN_ACCEPTED, `${proof}00000007000004ba003c`),
      frame(MessageType.SIGN_IN, `01${'00'.repeat(48)}00000006000000010000017e`),
      frame(MessageType.OFFLINE_UPLOAD_RESULT, '01 00000036 03 01 01 00000005 00000005'),
      frame(
        MessageType.OFFLINE_UPLOAD,
        `01 0201 00000036 00000007 0000000000000001 00000000 00000000 00 ${numericCode} ${'00'.repeat(16)}`,
      ),
      frame(MessageType.METER_USAGE, '02 48 41 00000078'),
    ];
    for (const bytes of controls) {
      const decoded = decodeFrame(bytes, device);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
    }
    for (const bytes of [
      sealed(MessageType.IDENTITY_RESULT, '02030100'),
      sealed(MessageType.BLACKLIST_CHUNK, '000004ba000000010001 2024000137ffffffffff 00000002 01'),
      sealed(MessageType.BLACKLIST_DELTA, '000004ba000004bb0001 02 2023000555ffffffffff 00000000 00'),
      sealed(MessageType.PAY_WITH_PIN, `${numericCode}${payTail}313233343536`),
    ]) {
      const decoded = decodeFrame(bytes, session);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
    }
  });

  for (const row of payloadFaults) {
    test(`when a frame has ${row.name}, then decoding gives ${row.code}`, () => {
      const decoded = decodeFrame(row.bytes, row.keys ?? device);
      assert.equal(decoded.ok ? 'ok' : decoded.error.code, row.code, decoded.ok ? '' : decoded.error.message);
      if (!decoded.ok) assert.ok(decoded.error.message.length > 0);
    });
  }
});
