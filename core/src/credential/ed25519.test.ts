import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { fromHex } from './bytes.ts';
import { ed25519 } from './ed25519.ts';
import { createNodeEd25519Verify } from './node-ed25519.ts';
import { sizeBaseTableForPhone } from './phone.ts';
import { nobleEd25519Verify } from './signature.ts';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  assert.ok(bytes, text);
  return bytes;
}

describe('ed25519 for the phone', () => {
  test('when the RFC 8032 test vectors are signed and verified, then keys and signatures match', () => {
    // Goal: our curve assembly is RFC 8032 Ed25519, byte for byte.
    const vectors = [
      {
        secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
        publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        message: '',
        signature:
          'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      },
      {
        secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
        publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
        message: 'af82',
        signature:
          '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
      },
    ];
    for (const vector of vectors) {
      assert.deepEqual(ed25519.getPublicKey(hex(vector.secret)), hex(vector.publicKey));
      assert.deepEqual(ed25519.sign(hex(vector.message), hex(vector.secret)), hex(vector.signature));
      assert.equal(ed25519.verify(hex(vector.signature), hex(vector.message), hex(vector.publicKey)), true);
    }
  });

  test('when any key signs any message, then noble, our assembly and OpenSSL agree', () => {
    // Goal: signatures are identical to noble's ed25519 and every verifier accepts the same ones.
    const opensslVerify = createNodeEd25519Verify();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(63),
        (secret, message, flipAt) => {
          const publicKey = ed25519.getPublicKey(secret);
          assert.deepEqual(publicKey, nobleEd25519.getPublicKey(secret));
          const signature = ed25519.sign(message, secret);
          assert.deepEqual(signature, nobleEd25519.sign(message, secret));
          assert.equal(nobleEd25519Verify(signature, message, publicKey), true);
          assert.equal(opensslVerify(signature, message, publicKey), true);
          const broken = Uint8Array.from(signature);
          broken[flipAt] = (broken[flipAt] ?? 0) ^ 0x01;
          assert.equal(nobleEd25519Verify(broken, message, publicKey), false);
          assert.equal(opensslVerify(broken, message, publicKey), false);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('when the phone sizes the base table small, then keys and signatures are the same bytes and verify', () => {
    // Goal: sizeBaseTableForPhone (what the mini-program calls before its first code) changes only the
    // time of the first signature, never a byte of it: noble's own instance keeps its W = 6 table.
    sizeBaseTableForPhone();
    try {
      const opensslVerify = createNodeEd25519Verify();
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ maxLength: 200 }),
          (secret, message) => {
            const publicKey = ed25519.getPublicKey(secret);
            assert.deepEqual(publicKey, nobleEd25519.getPublicKey(secret));
            const signature = ed25519.sign(message, secret);
            assert.deepEqual(signature, nobleEd25519.sign(message, secret));
            assert.equal(opensslVerify(signature, message, publicKey), true);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      ed25519.Point.BASE.precompute(6);
    }
  });

  test('when a verifier gets keys or signatures of the wrong shape, then it answers false without throwing', () => {
    // Goal: both backends keep the Ed25519Verify contract on garbage.
    const opensslVerify = createNodeEd25519Verify({ keyCacheEntriesMax: 1 });
    const message = new Uint8Array(3);
    const notAPoint = new Uint8Array(32).fill(0xff);
    for (const verify of [nobleEd25519Verify, opensslVerify]) {
      assert.equal(verify(new Uint8Array(64), message, new Uint8Array(31)), false);
      assert.equal(verify(new Uint8Array(63), message, new Uint8Array(32)), false);
      assert.equal(verify(new Uint8Array(64), message, notAPoint), false);
    }
  });
});
