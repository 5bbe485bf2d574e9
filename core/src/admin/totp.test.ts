import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBase32, hotp, matchTotp, toBase32, totp } from './totp.ts';

// RFC 6238 appendix B: the seeds and the 8-digit codes at each time, per hash.
const seeds = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};
const vectors: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  test('when computed at the RFC 6238 test times, then every code matches the RFC for SHA-1, SHA-256 and SHA-512', () => {
    for (const [seconds, sha1, sha256, sha512] of vectors) {
      assert.equal(totp(seeds.sha1, seconds * 1000, 8, 'sha1'), sha1, `sha1 at ${seconds}`);
      assert.equal(totp(seeds.sha256, seconds * 1000, 8, 'sha256'), sha256, `sha256 at ${seconds}`);
      assert.equal(totp(seeds.sha512, seconds * 1000, 8, 'sha512'), sha512, `sha512 at ${seconds}`);
    }
  });

  test('when the RFC 4226 counters 0..9 are hashed, then the 6-digit HOTP values match the RFC', () => {
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
    for (const [counter, code] of expected.entries()) assert.equal(hotp(seeds.sha1, counter), code);
  });

  test('when a code is one step old it matches, and two steps old or malformed it does not', () => {
    const now = 1_700_000_000_000;
    assert.equal(matchTotp(seeds.sha1, totp(seeds.sha1, now - 30_000), now), Math.floor(now / 30_000) - 1);
    assert.equal(matchTotp(seeds.sha1, totp(seeds.sha1, now - 60_000), now), undefined);
    assert.equal(matchTotp(seeds.sha1, '12345', now), undefined);
  });

  test('when a secret goes to base32 and back, then it is unchanged (and the RFC seed reads as authenticators show it)', () => {
    assert.equal(toBase32(seeds.sha1), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.deepEqual(fromBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), seeds.sha1);
  });
});
