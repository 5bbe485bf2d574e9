import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from './bytes.ts';
import { packCardNo, personTypes, unpackCardNo } from './card.ts';
import { decodeCertificate, encodeCertificateBody } from './certificate.ts';
import { codeFromText, codeTextChars, decodeCode } from './code.ts';
import { breakfastMs, createWorld } from './fixtures.ts';
import { certificateLayout, codeLayout } from './layout.ts';
import { makeCode } from './phone.ts';

describe('certificate and code layout', () => {
  test('when a certificate body is encoded, then its bytes are exactly the documented layout', () => {
    // Goal: the table in docs/credential.md and layout.ts is what goes on the wire, field by field.
    const body = encodeCertificateBody({
      kid: 0x0102,
      card: { cardNo: '2024000137', personType: 'staff', cardVersion: 0x01020304 },
      validFromMs: breakfastMs,
      validUntilMs: breakfastMs + 7 * 24 * 3_600_000,
      phonePublicKey: new Uint8Array(32).fill(0xab),
    });
    const expected = [
      '01', // format
      '0102', // kid
      '2024000137ffffff', // card number, BCD, 0xF padded
      '02', // person type: staff
      '01020304', // card version
      '68b4e908', // valid from: 2025-09-01T00:30:00Z
      '68be2388', // valid until: seven days later
      'ab'.repeat(32), // phone public key
    ].join('');
    assert.equal(toHex(body), expected);
    assert.equal(body.length, certificateLayout.signedBytes);
  });

  test('when a certificate is issued and decoded, then every field comes back', async () => {
    // Goal: issue and decode round-trip, and the code embeds the certificate byte for byte.
    const world = await createWorld();
    const certificate = decodeCertificate(world.alice.certificate);
    assert.ok(certificate);
    assert.equal(world.alice.certificate.length, certificateLayout.bytes);
    assert.deepEqual(certificate.card, world.alice.card);
    assert.equal(certificate.kid, 1);
    assert.equal(certificate.validFromMs, breakfastMs);
    assert.equal(certificate.validUntilMs - certificate.validFromMs, 7 * 24 * 3_600_000);
    assert.deepEqual(certificate.phonePublicKey, world.alice.keyPair.publicKey);

    const text = makeCode({ ...world.alice, nowMs: breakfastMs + 999, counter: 0xbeef });
    assert.equal(text.length, codeTextChars);
    const bytes = codeFromText(text);
    assert.ok(bytes);
    assert.equal(bytes.length, codeLayout.bytes);
    const code = decodeCode(bytes);
    assert.ok(code);
    assert.deepEqual(code.certificate.bytes, world.alice.certificate);
    assert.equal(code.madeAtMs, breakfastMs);
    assert.equal(code.counter, 0xbeef);
  });

  test('when card numbers are packed, then leading zeros survive and only digits then padding unpack', () => {
    // Goal: card numbers are identifiers; "0000190042" must not become "190042".
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,16}$/), (cardNo) => {
        assert.equal(unpackCardNo(packCardNo(cardNo)), cardNo);
      }),
    );
    const unpack = (hex: string) => unpackCardNo(fromHex(hex) ?? new Uint8Array());
    assert.equal(unpack('ffffffffffffffff'), undefined); // no digit
    assert.equal(unpack('f1ffffffffffffff'), undefined); // digit after padding
    assert.equal(unpack('1a00000000000000'), undefined); // not a digit
    assert.equal(unpack('20240001'), undefined); // wrong length
    assert.throws(() => packCardNo(''));
    assert.throws(() => packCardNo('12345678901234567'));
    assert.throws(() => packCardNo('12a4'));
  });

  test('when person types are encoded, then each has its own byte and unknown bytes do not decode', async () => {
    // Goal: the enum is part of the wire format; an unknown byte is MALFORMED rather than a guess.
    const world = await createWorld();
    const seen = new Set<number>();
    for (const personType of personTypes) {
      const holder = await world.holder({ ...world.alice.card, personType }, 31);
      const byte = holder.certificate[certificateLayout.personType] ?? 0;
      seen.add(byte);
      assert.equal(decodeCertificate(holder.certificate)?.card.personType, personType);
    }
    assert.equal(seen.size, personTypes.length);
    const unknown = Uint8Array.from(world.alice.certificate);
    unknown[certificateLayout.personType] = 0x00;
    assert.equal(decodeCertificate(unknown), undefined);
  });
});
