import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeBase45, encodeBase45 } from './base45.ts';
import { asciiBytes } from './bytes.ts';

describe('base45', () => {
  test('when the RFC 9285 examples are encoded and decoded, then the texts and bytes match', () => {
    // Goal: our Base45 is the standard one, so any other implementation reads our codes.
    const vectors: [string, string][] = [
      ['AB', 'BB8'],
      ['Hello!!', '%69 VD92EX0'],
      ['base-45', 'UJCLQE7W581'],
      ['ietf!', 'QED8WEX0'],
      ['', ''],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(encodeBase45(asciiBytes(plain)), encoded);
      assert.deepEqual(decodeBase45(encoded), asciiBytes(plain));
    }
  });

  test('when text is not Base45, then decoding returns undefined', () => {
    // Goal: lowercase, stray characters, dangling characters and overflowing triples are refused, not guessed.
    for (const bad of ['a', 'BB8a', 'GGW', 'ZZ', ':::', 'BB#', 'ÄBC', 'BB8B']) {
      assert.equal(decodeBase45(bad), undefined, bad);
    }
  });

  test('when any bytes are encoded, then decoding gives them back and the text is QR alphanumeric', () => {
    // Goal: the round trip holds for every length, and the text never leaves the alphanumeric set.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase45(bytes);
        assert.match(text, /^[0-9A-Z $%*+\-./:]*$/);
        assert.deepEqual(decodeBase45(text), bytes);
      }),
    );
  });

  test('when a text is decoded from an offset, then it is what the text from there decodes to', () => {
    // Goal: the verifier reads a code past its prefix without slicing, with the same answers.
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.uint8Array({ maxLength: 40 }), (prefix, bytes) => {
        const text = encodeBase45(bytes);
        assert.deepEqual(decodeBase45(prefix + text, prefix.length), decodeBase45(text));
      }),
    );
    assert.equal(decodeBase45('AB', 3), undefined);
  });
});
