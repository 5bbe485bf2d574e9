import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createCampusKeyring } from './campus-keys.ts';
import { personTypes } from './card.ts';
import { createFakeClock, seededRandom } from './fixtures.ts';
import { createCampusSigningKey, issueCertificate } from './issuer.ts';
import { generatePhoneKeyPair, makeCode } from './phone.ts';
import { createMemoryReplayGuard } from './replay-guard.ts';
import { createVerifier } from './verify.ts';

const secondMs = 1000;

/** A card, its keys, a certificate, the settings, and a time the phone makes a code at. */
const scenario = fc
  .record({
    cardNo: fc.stringMatching(/^[0-9]{1,16}$/),
    personType: fc.constantFrom(...personTypes),
    cardVersion: fc.integer({ min: 0, max: 0xffff_ffff }),
    kid: fc.integer({ min: 0, max: 0xffff }),
    campusSeed: fc.integer(),
    phoneSeed: fc.integer(),
    issuedAtS: fc.integer({ min: 1_600_000_000, max: 4_000_000_000 }),
    lifetimeS: fc.integer({ min: 3600, max: 7 * 24 * 3600 }),
    codeValidityMs: fc.integer({ min: 5_000, max: 120_000 }),
    clockSkewMs: fc.integer({ min: 0, max: 60_000 }),
    counter: fc.integer({ min: 0, max: 0xffff }),
    /** Where in the certificate's life the phone makes the code, 0..1. */
    madeAtShare: fc.double({ min: 0, max: 1, noNaN: true }),
    /** Millisecond within the second the phone's clock reads. */
    madeAtMsPart: fc.integer({ min: 0, max: 999 }),
    /** Where in the code's acceptance window the scan happens, 0..1. */
    scanShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .filter((s) => s.lifetimeS * secondMs > s.codeValidityMs + 2 * secondMs);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function build(s: Scenario) {
  const campusKey = await createCampusSigningKey(s.kid, seededRandom(s.campusSeed));
  const keyPair = await generatePhoneKeyPair(seededRandom(s.phoneSeed));
  const card = { cardNo: s.cardNo, personType: s.personType, cardVersion: s.cardVersion };
  const validFromMs = s.issuedAtS * secondMs;
  const lifetimeMs = s.lifetimeS * secondMs;
  const certificate = issueCertificate(campusKey, {
    card,
    phonePublicKey: keyPair.publicKey,
    validFromMs,
    lifetimeMs,
  });
  // The phone only makes codes while its certificate is valid; leave room for the whole code window.
  const lastMadeAtS = s.issuedAtS + Math.floor((lifetimeMs - s.codeValidityMs) / secondMs) - 1;
  const madeAtS = s.issuedAtS + Math.floor(s.madeAtShare * (lastMadeAtS - s.issuedAtS));
  const clock = createFakeClock(0);
  const verifier = createVerifier({
    keyring: createCampusKeyring([{ kid: s.kid, publicKey: campusKey.publicKey }]),
    replayGuard: createMemoryReplayGuard({ now: clock.now }),
    now: clock.now,
    codeValidityMs: s.codeValidityMs,
    clockSkewMs: s.clockSkewMs,
    knownCardVersion: () => s.cardVersion,
  });
  const text = makeCode({
    keyPair,
    certificate,
    nowMs: madeAtS * secondMs + s.madeAtMsPart,
    counter: s.counter,
  });
  return { card, clock, verifier, text, madeAtMs: madeAtS * secondMs };
}

describe('codes across their window', () => {
  test('when any phone makes a code and it is scanned within its window, then it verifies', async () => {
    // Goal: for every card, key, setting and time, the phone and the verifier agree on what is valid.
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { card, clock, verifier, text, madeAtMs } = await build(s);
        // The window runs from skew before the code's second to validity plus skew after it.
        const windowMs = s.clockSkewMs + s.codeValidityMs + s.clockSkewMs;
        clock.set(madeAtMs - s.clockSkewMs + Math.floor(s.scanShare * windowMs));
        const result = await verifier.verify(text);
        assert.equal(result.ok, true, result.ok ? '' : result.message);
        if (result.ok) assert.deepEqual(result.card, card);
      }),
      { numRuns: 150 },
    );
  });

  test('when any code is scanned outside its window, then it is refused for its time', async () => {
    // Goal: the same boundaries hold from the outside: one millisecond past either edge is refused.
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.boolean(),
        fc.integer({ min: 1, max: 3_600_000 }),
        async (s, late, byMs) => {
          const { clock, verifier, text, madeAtMs } = await build(s);
          const edge = late
            ? madeAtMs + s.codeValidityMs + s.clockSkewMs + byMs
            : madeAtMs - s.clockSkewMs - byMs;
          clock.set(edge);
          const result = await verifier.verify(text);
          assert.equal(result.ok, false);
          // Far enough out, the certificate's own validity may be the first check to fail.
          const timeCodes = ['CODE_EXPIRED', 'CODE_FROM_FUTURE', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID'];
          if (!result.ok) assert.ok(timeCodes.includes(result.code), result.code);
          if (!result.ok && result.code.startsWith('CODE')) {
            assert.equal(result.code, late ? 'CODE_EXPIRED' : 'CODE_FROM_FUTURE');
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
