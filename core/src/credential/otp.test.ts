import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asciiBytes } from './bytes.ts';
import { otpDigits, timeStepBytes } from './otp.ts';

describe('one-time passwords', () => {
  test('when the RFC 6238 SHA-256 test vectors are computed, then every value matches', () => {
    // Goal: the HMAC, the time step encoding and the truncation are exactly RFC 6238's.
    const secret = asciiBytes('12345678901234567890123456789012');
    const vectors: [number, string][] = [
      [59, '46119246'],
      [1111111109, '68084774'],
      [1111111111, '67062674'],
      [1234567890, '91819424'],
      [2000000000, '90698825'],
      [20000000000, '77737706'],
    ];
    for (const [timeS, expected] of vectors) {
      assert.equal(otpDigits(secret, timeStepBytes(Math.floor(timeS / 30)), 8), expected, `T=${timeS}`);
    }
  });

  test('when a step is beyond 32 bits, then its 8 bytes carry the high word too', () => {
    // Goal: no silent truncation of the moving factor, without BigInt.
    assert.deepEqual([...timeStepBytes(2 ** 32 + 5)], [0, 0, 0, 1, 0, 0, 0, 5]);
    assert.throws(() => timeStepBytes(-1));
    assert.throws(() => otpDigits(new Uint8Array(32), new Uint8Array(8), 5));
  });
});
