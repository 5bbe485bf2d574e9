import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolError } from './errors.ts';
import { exampleGcmNonce, exampleSessionKey } from './fixtures.ts';
import { openPayload, sealPayload } from './session-crypto.ts';

const header = new Uint8Array(23).fill(7);
const plaintext = new TextEncoder().encode('张*明');

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('session crypto', () => {
  test('when a payload is sealed and opened with the same key and header, then the plaintext comes back', () => {
    const sealed = sealPayload(exampleSessionKey, header, plaintext, exampleGcmNonce);
    assert.equal(sealed.byteLength, plaintext.byteLength + 28);
    assert.deepEqual(openPayload(exampleSessionKey, header, sealed), plaintext);
  });

  test('when the header differs from the one sealed under, then opening is DECRYPT_FAILED', () => {
    const sealed = sealPayload(exampleSessionKey, header, plaintext, exampleGcmNonce);
    const moved = header.slice();
    moved[5] = 0x22;
    assert.equal(
      codeOf(() => openPayload(exampleSessionKey, moved, sealed)),
      'DECRYPT_FAILED',
    );
  });

  test('when any byte of the sealed payload changes, then opening is DECRYPT_FAILED', () => {
    const sealed = sealPayload(exampleSessionKey, header, plaintext, exampleGcmNonce);
    for (let i = 0; i < sealed.byteLength; i++) {
      const bad = sealed.slice();
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      assert.equal(
        codeOf(() => openPayload(exampleSessionKey, header, bad)),
        'DECRYPT_FAILED',
        `byte ${i}`,
      );
    }
  });

  test('when a sealed payload is shorter than nonce and tag, then opening is TRUNCATED', () => {
    assert.equal(
      codeOf(() => openPayload(exampleSessionKey, header, new Uint8Array(27))),
      'TRUNCATED',
    );
  });

  test('when a session key has the wrong size, then it is a programmer error, not a decode error', () => {
    assert.throws(
      () => openPayload(new Uint8Array(16), header, new Uint8Array(40)),
      (e) => !(e instanceof ProtocolError),
    );
  });
});
