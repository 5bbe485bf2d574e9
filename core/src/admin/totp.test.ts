import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchTotp, newTotpSecret, otpauthUri, totp, totpAtStep } from './totp.ts';

// RFC 6238 appendix B's SHA-1 seed ('12345678901234567890') as base32, and its 8-digit codes at each
// time: the 6-digit code we use is the last six digits (the same HOTP value modulo 10^6).
const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const vectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  test('when computed at the RFC 6238 test times, then every code matches the RFC (SHA-1, 6 digits)', () => {
    for (const [seconds, code] of vectors)
      assert.equal(totp(seed, seconds * 1000), code.slice(2), `at ${seconds}`);
  });

  test('when the RFC 4226 counters 0..9 are taken as steps, then the 6-digit values match the RFC', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    for (const [counter, code] of expected.entries()) assert.equal(totpAtStep(seed, counter), code);
  });

  test('when a code is one step old or ahead it matches its own step, and two steps off or malformed it does not', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    assert.equal(matchTotp(seed, totp(seed, now), now), step);
    assert.equal(matchTotp(seed, totp(seed, now - 30_000), now), step - 1);
    assert.equal(matchTotp(seed, totp(seed, now + 30_000), now), step + 1);
    assert.equal(matchTotp(seed, totp(seed, now - 60_000), now), undefined);
    assert.equal(matchTotp(seed, totp(seed, now + 60_000), now), undefined);
    // At the very first and last second of a step the window still reaches exactly one step either way.
    for (const at of [step * 30_000, step * 30_000 + 29_999]) {
      assert.equal(matchTotp(seed, totpAtStep(seed, step + 1), at), step + 1);
      assert.equal(matchTotp(seed, totpAtStep(seed, step - 1), at), step - 1);
      assert.equal(matchTotp(seed, totpAtStep(seed, step + 2), at), undefined);
      assert.equal(matchTotp(seed, totpAtStep(seed, step - 2), at), undefined);
    }
    assert.equal(matchTotp(seed, '12345', now), undefined);
    assert.equal(matchTotp(seed, '12345a', now), undefined);
  });

  test('when a secret is made, then it is 32 base32 characters, and its otpauth URI names issuer, account, secret', () => {
    const secret = newTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(newTotpSecret(), secret);
    const text = otpauthUri('校园一卡通', 'alice', secret);
    assert.ok(decodeURIComponent(text).startsWith('otpauth://totp/校园一卡通:alice?'), text);
    const uri = new URL(text);
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), '校园一卡通');
  });
});
