import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import QRCode from 'qrcode';
import { codeTextChars } from './code.ts';
import { breakfastMs, createWorld } from './fixtures.ts';
import { codeLayout } from './layout.ts';
import { makeCode } from './phone.ts';

describe('QR size', () => {
  test('when a code is drawn as a QR at error correction M, then it is version 10 in alphanumeric mode', async () => {
    // Goal: hold the size promise of docs/credential.md: 191 bytes, 290 characters, version 10 (57×57), level M.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    assert.equal(codeLayout.bytes, 191);
    assert.equal(text.length, 290);
    assert.equal(codeTextChars, 290);
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    assert.equal(qr.version, 10);
    assert.deepEqual(
      qr.segments.map((segment) => segment.mode.id),
      ['Alphanumeric'],
    );
  });

  test('when many codes are drawn, then none needs more than version 10', async () => {
    // Goal: the version does not depend on the bytes (Base45 has fixed length), checked over many codes.
    const world = await createWorld();
    const versions = new Set<number>();
    for (let counter = 0; counter < 40; counter++) {
      const text = makeCode({ ...world.bob, nowMs: breakfastMs + counter * 1000, counter });
      versions.add(QRCode.create(text, { errorCorrectionLevel: 'M' }).version);
    }
    assert.deepEqual([...versions], [10]);
  });
});
