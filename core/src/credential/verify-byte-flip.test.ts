import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeFromText, codeToText } from './code.ts';
import { breakfastMs, createWorld, seededRandom } from './fixtures.ts';
import { certificateLayout, codeLayout } from './layout.ts';
import { makeCode } from './phone.ts';
import type { VerifyFailureCode } from './verify-result.ts';

const cert = codeLayout.certificate; // certificate offsets inside the code are shifted by this

/** Independent of card.ts: digits, then only 0xF padding, at least one digit. */
function isPackedDigits(bytes: Uint8Array): boolean {
  const nibbles = [...bytes].flatMap((byte) => [byte >> 4, byte & 0x0f]);
  const firstPad = nibbles.indexOf(0xf);
  const digits = firstPad === -1 ? nibbles : nibbles.slice(0, firstPad);
  const padding = firstPad === -1 ? [] : nibbles.slice(firstPad);
  return digits.length > 0 && digits.every((n) => n <= 9) && padding.every((n) => n === 0xf);
}

/**
 * The reason each flipped byte must be refused for, worked out from the layout alone (not from the
 * verifier): format bytes and impossible field values are MALFORMED, the kid names no trusted key, any
 * other certificate byte breaks the campus signature, the time byte makes the code stale, early or
 * unsigned, and any other code byte breaks the phone signature.
 */
function expectedReason(offset: number, flipped: Uint8Array, nowMs: number): VerifyFailureCode {
  const certOffset = offset - cert;
  if (offset === codeLayout.format || certOffset === certificateLayout.format) return 'MALFORMED';
  if (certOffset === certificateLayout.kid || certOffset === certificateLayout.kid + 1) return 'UNKNOWN_KEY';
  if (certOffset >= certificateLayout.cardNo && certOffset < certificateLayout.personType) {
    const cardNo = flipped.subarray(cert + certificateLayout.cardNo, cert + certificateLayout.personType);
    return isPackedDigits(cardNo) ? 'BAD_CERT_SIGNATURE' : 'MALFORMED';
  }
  if (certOffset === certificateLayout.personType) return 'MALFORMED'; // 0x01 becomes 0xFE, no such person type
  if (offset < codeLayout.madeAt) return 'BAD_CERT_SIGNATURE';
  if (offset < codeLayout.counter) {
    const madeAtMs = new DataView(flipped.buffer).getUint32(codeLayout.madeAt) * 1000;
    if (nowMs - madeAtMs > 90_000) return 'CODE_EXPIRED';
    if (madeAtMs - nowMs > 30_000) return 'CODE_FROM_FUTURE';
  }
  return 'BAD_CODE_SIGNATURE';
}

describe('flip bytes of a valid code', () => {
  test('when any single byte of a valid code is flipped, then it is refused with the reason for that byte', async () => {
    // Goal: no corruption of any byte is accepted, and each is blamed on the field it hit.
    const world = await createWorld();
    const original = codeFromText(makeCode({ ...world.alice, nowMs: breakfastMs, counter: 513 }));
    assert.ok(original);
    const verifier = world.verifier();
    const seen = new Set<string>();
    for (let offset = 0; offset < original.length; offset++) {
      const flipped = Uint8Array.from(original);
      flipped[offset] = (flipped[offset] ?? 0) ^ 0xff;
      const result = await verifier.verify(codeToText(flipped));
      const expected = expectedReason(offset, flipped, world.clock.now());
      assert.equal(result.ok, false, `byte ${offset} flipped was accepted`);
      if (!result.ok) assert.equal(result.code, expected, `byte ${offset}: ${result.message}`);
      seen.add(expected);
    }
    // The walk must have exercised every kind of refusal a byte can cause.
    assert.deepEqual([...seen].sort(), [
      'BAD_CERT_SIGNATURE',
      'BAD_CODE_SIGNATURE',
      'CODE_EXPIRED',
      'CODE_FROM_FUTURE',
      'MALFORMED',
      'UNKNOWN_KEY',
    ]);
    // And the untouched code still passes afterwards: nothing above consumed it.
    assert.equal((await verifier.verify(codeToText(original))).ok, true);
  });

  test('when random bytes or random text are scanned, then nothing is accepted and nothing throws', async () => {
    // Goal: seeded fuzzing over the byte form (valid format bytes, random rest) and the text form.
    const world = await createWorld();
    const verifier = world.verifier();
    const random = seededRandom(2025);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    for (let i = 0; i < 300; i++) {
      const bytes = (await random(codeLayout.bytes)) as Uint8Array;
      bytes[0] = 0x01;
      bytes[cert] = 0x01;
      const fromBytes = await verifier.verify(codeToText(bytes));
      assert.equal(fromBytes.ok, false);
      const noise = [...((await random(1 + (i % 300))) as Uint8Array)].map((b) => alphabet[b % 45]).join('');
      const fromText = await verifier.verify(`CC:${noise}`);
      assert.equal(fromText.ok, false);
    }
  });
});
