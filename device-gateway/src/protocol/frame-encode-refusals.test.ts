// Encoding refuses what decoding would refuse: a caller's bad message throws the code a device would get.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { device, envelope, session } from './bad-frames.ts';
import type { ProtocolErrorCode } from './errors.ts';
import { exampleTimeMs } from './fixtures.ts';
import { encodeFrame } from './frame.ts';

describe('encoding refuses what decoding would refuse', () => {
  const refused: { name: string; encode: () => unknown; code: ProtocolErrorCode }[] = [
    {
      name: 'an encrypted type without a session key',
      encode: () =>
        encodeFrame(
          {
            kind: 'identity_result',
            decision: 'allow',
            reason: 'NONE',
            personType: 'staff',
            displayName: '',
          },
          envelope,
          device,
        ),
      code: 'NO_SESSION_KEY',
    },
    {
      name: 'a payment of 0 fen',
      encode: () =>
        encodeFrame(
          { kind: 'pay', code: { kind: 'numeric', text: '88' }, amountFen: 0, orderNo: 1, itemNo: 0 },
          envelope,
          device,
        ),
      code: 'BAD_FIELD',
    },
    {
      name: 'an amount of 1.5 fen',
      encode: () =>
        encodeFrame(
          { kind: 'pay_approved', chargedFen: 1.5, subsidyFen: 0, balanceAfterFen: 0 },
          envelope,
          device,
        ),
      code: 'BAD_FIELD',
    },
    {
      name: 'a sequence above 2^32 − 1',
      encode: () => encodeFrame({ kind: 'clock_sync' }, { ...envelope, sequence: 2 ** 32 }, device),
      code: 'BAD_FIELD',
    },
    {
      name: 'an upload too large for one frame',
      encode: () =>
        encodeFrame(
          {
            kind: 'offline_upload',
            records: Array.from({ length: 20 }, (_, i) => ({
              recordKind: 'payment' as const,
              decision: 'accepted' as const,
              sequence: i + 1,
              offlineNo: i + 1,
              takenAtMs: exampleTimeMs,
              amountFen: 100,
              orderNo: 0,
              sessionId: '',
              code: { kind: 'qr' as const, text: 'C'.repeat(300) },
              mac: new Uint8Array(16),
            })),
          },
          envelope,
          device,
        ),
      code: 'FRAME_TOO_LARGE',
    },
    {
      name: 'a remove-only kind used as an add',
      encode: () =>
        encodeFrame(
          { kind: 'blacklist_delta', fromVersion: 2, toVersion: 2, changes: [] },
          envelope,
          session,
        ),
      code: 'BAD_FIELD',
    },
  ];
  for (const row of refused) {
    test(`when asked to encode ${row.name}, then it throws ${row.code}`, () => {
      assert.throws(row.encode, (e) => e instanceof Error && 'code' in e && e.code === row.code);
    });
  }
});
