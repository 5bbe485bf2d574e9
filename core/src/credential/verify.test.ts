import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCampusKeyring } from './campus-keys.ts';
import { codeFromText, codeToText } from './code.ts';
import { qrCodeIdentity } from './code-identity.ts';
import { breakfastMs, createWorld, seededRandom } from './fixtures.ts';
import { createCampusSigningKey, issueCertificate } from './issuer.ts';
import { codeLayout } from './layout.ts';
import { createCodeMaker, generatePhoneKeyPair, makeCode } from './phone.ts';
import type { ReplayGuard } from './replay-guard.ts';
import type { VerifyResult } from './verify-result.ts';

const minuteMs = 60_000;

function assertRefused(result: VerifyResult, code: string): void {
  assert.equal(result.ok, false, `expected ${code}, got an accepted code`);
  if (!result.ok) assert.equal(result.code, code, result.message);
}

describe('verify a QR code', () => {
  test('when a fresh code is scanned, then it is accepted with the card it stands for', async () => {
    // Goal: the happy path returns the card facts from the certificate, the code's time and counter,
    // and the code's identity (the gateway names the code by it without decoding it again).
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs + 1500, counter: 7 });
    world.clock.set(breakfastMs + 5_000);
    const result = await world.verifier().verify(text);
    assert.deepEqual(result, {
      ok: true,
      card: world.alice.card,
      kid: 1,
      certificateValidUntilMs: breakfastMs + 7 * 24 * 60 * minuteMs,
      madeAtMs: breakfastMs + 1000,
      counter: 7,
      codeId: qrCodeIdentity({
        cardNo: world.alice.card.cardNo,
        madeAtMs: breakfastMs + 1000,
        counter: 7,
        phonePublicKey: world.alice.keyPair.publicKey,
      }),
    });
    assert.match(result.ok ? result.codeId : '', /^qr:\d+:\d+:7:[0-9a-f]{16}$/);
  });

  test('when the code is older than its validity plus skew, then it is refused as CODE_EXPIRED', async () => {
    // Goal: a screenshot kept past the window (60 s + 30 s skew by default) no longer pays.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    world.clock.set(breakfastMs + 90_001);
    assertRefused(await world.verifier().verify(text), 'CODE_EXPIRED');
  });

  test('when the code is at the last millisecond of validity plus skew, then it is still accepted', async () => {
    // Goal: the boundary is inclusive, so the documented 90 s really holds.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    world.clock.set(breakfastMs + 90_000);
    assert.equal((await world.verifier().verify(text)).ok, true);
  });

  test('when the code is dated further ahead than the skew, then it is refused as CODE_FROM_FUTURE', async () => {
    // Goal: a code pre-made for later (a stockpile for offline fraud) is refused.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs + 31_000, counter: 0 });
    assertRefused(await world.verifier().verify(text), 'CODE_FROM_FUTURE');
    const justInSkew = makeCode({ ...world.alice, nowMs: breakfastMs + 30_000, counter: 1 });
    assert.equal((await world.verifier().verify(justInSkew)).ok, true);
  });

  test('when the phone clock is 5 minutes off, then its codes are refused for their time', async () => {
    // Goal: a phone whose clock is wrong (and not corrected by the server offset) cannot pay either way.
    const world = await createWorld();
    world.clock.set(breakfastMs + 10 * minuteMs);
    const behind = makeCode({ ...world.alice, nowMs: breakfastMs + 5 * minuteMs, counter: 0 });
    const ahead = makeCode({ ...world.alice, nowMs: breakfastMs + 15 * minuteMs, counter: 1 });
    assertRefused(await world.verifier().verify(behind), 'CODE_EXPIRED');
    assertRefused(await world.verifier().verify(ahead), 'CODE_FROM_FUTURE');
  });

  test('when the same code is scanned twice, then the second scan is refused as REPLAYED', async () => {
    // Goal: a code pays once, even well inside its window.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    const verifier = world.verifier();
    assert.equal((await verifier.verify(text)).ok, true);
    assertRefused(await verifier.verify(text), 'REPLAYED');
  });

  test('when the same code reaches two gateway instances sharing a replay guard, then only one accepts', async () => {
    // Goal: replay protection holds across verifiers, which is what a shared Redis guard gives.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    const results = await Promise.all([world.verifier().verify(text), world.verifier().verify(text)]);
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.code)).sort(), ['REPLAYED', 'ok']);
  });

  test('when two phones of one card make a code in the same second with the same counter, then both pay once', async () => {
    // Goal: a card bound in WeChat and in Alipay has two phone keys; their codes are different codes. Keyed
    // without the phone key, the second phone's first code of a second was refused as REPLAYED.
    const world = await createWorld();
    const alipayPhone = await world.holder(world.alice.card, 77);
    const wechatCode = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 3 });
    const alipayCode = makeCode({ ...alipayPhone, nowMs: breakfastMs, counter: 3 });
    const verifier = world.verifier();
    const first = await verifier.verify(wechatCode);
    const second = await verifier.verify(alipayCode);
    assert.equal(first.ok, true);
    assert.equal(second.ok, true, second.ok ? '' : second.message);
    assert.notEqual(first.ok && first.codeId, second.ok && second.codeId);
    assertRefused(await verifier.verify(wechatCode), 'REPLAYED');
    assertRefused(await verifier.verify(alipayCode), 'REPLAYED');
  });

  test('when a phone makes several codes in one second, then each is accepted once', async () => {
    // Goal: the counter keeps tap-refreshed codes apart for the replay guard.
    const world = await createWorld();
    const maker = createCodeMaker(world.alice.keyPair, world.alice.certificate, 65_534);
    const texts = [maker.next(breakfastMs), maker.next(breakfastMs), maker.next(breakfastMs)];
    assert.equal(maker.counter, 1);
    const verifier = world.verifier();
    for (const text of texts) assert.equal((await verifier.verify(text)).ok, true);
  });

  test('when the card version moved on since the certificate, then it is refused as CREDENTIAL_REVOKED', async () => {
    // Goal: after loss, freeze or reissue the card version is bumped and online checks refuse old credentials.
    const world = await createWorld();
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    const revoked = world.verifier({ knownCardVersion: async () => world.alice.card.cardVersion + 1 });
    assertRefused(await revoked.verify(text), 'CREDENTIAL_REVOKED');
    const current = world.verifier({ knownCardVersion: () => world.alice.card.cardVersion });
    assert.equal((await current.verify(text)).ok, true);
  });

  test('#12.2 class: when a certificate names a card version above the current one (minted with a campus key, never issued), then it is refused as CREDENTIAL_REVOKED', async () => {
    const world = await createWorld();
    const current = world.alice.card.cardVersion;
    for (const [counter, version] of [current + 1, 4_000_000_000].entries()) {
      const certificate = issueCertificate(world.campusKey, {
        card: { ...world.alice.card, cardVersion: version },
        phonePublicKey: world.alice.keyPair.publicKey,
        validFromMs: breakfastMs,
      });
      const text = makeCode({ keyPair: world.alice.keyPair, certificate, nowMs: breakfastMs, counter });
      assertRefused(
        await world.verifier({ knownCardVersion: () => current }).verify(text),
        'CREDENTIAL_REVOKED',
      );
      // Without the online lookup the signature alone accepts it: the lookup is what refuses it.
      assert.equal((await world.verifier().verify(text)).ok, true);
    }
  });

  test('when the card is on the blacklist, then it is refused as BLACKLISTED', async () => {
    // Goal: devices offline refuse a lost card from their pushed blacklist.
    const world = await createWorld();
    const blacklist = new Set([world.alice.card.cardNo]);
    const verifier = world.verifier({ isBlacklisted: (card) => blacklist.has(card.cardNo) });
    assertRefused(
      await verifier.verify(makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 })),
      'BLACKLISTED',
    );
    assert.equal(
      (await verifier.verify(makeCode({ ...world.bob, nowMs: breakfastMs, counter: 0 }))).ok,
      true,
    );
  });

  test('when the certificate is signed by a key the verifier does not hold, then it is refused', async () => {
    // Goal: a forged campus key with our kid fails the signature; an unknown kid fails the lookup.
    const world = await createWorld();
    const forger = await createCampusSigningKey(1, seededRandom(666));
    const forged = await world.holder(world.alice.card, 667, breakfastMs, forger);
    assertRefused(
      await world.verifier().verify(makeCode({ ...forged, nowMs: breakfastMs, counter: 0 })),
      'BAD_CERT_SIGNATURE',
    );
    const stranger = await createCampusSigningKey(9, seededRandom(668));
    const foreign = await world.holder(world.alice.card, 669, breakfastMs, stranger);
    assertRefused(
      await world.verifier().verify(makeCode({ ...foreign, nowMs: breakfastMs, counter: 0 })),
      'UNKNOWN_KEY',
    );
  });

  test('when the certificate has expired or is not yet valid, then it is refused for that', async () => {
    // Goal: a phone that has not renewed in a week stops paying; a certificate from the future is refused.
    const world = await createWorld();
    const weekMs = 7 * 24 * 60 * minuteMs;
    world.clock.set(breakfastMs + weekMs + 30_000);
    const lateCode = makeCode({ ...world.alice, nowMs: breakfastMs + weekMs - 1000, counter: 0 });
    assertRefused(await world.verifier().verify(lateCode), 'CERT_EXPIRED');

    const early = await world.holder(world.alice.card, 5, breakfastMs + 10 * minuteMs);
    world.clock.set(breakfastMs);
    const earlyCode = makeCode({ ...early, nowMs: breakfastMs, counter: 0 });
    assertRefused(await world.verifier().verify(earlyCode), 'CERT_NOT_YET_VALID');
  });

  test("when a code carries another card's certificate, then it is refused as BAD_CODE_SIGNATURE", async () => {
    // Goal: holding Bob's certificate (it is in every code he shows) does not let Mallory pay as Bob.
    const world = await createWorld();
    const mallory = await generatePhoneKeyPair(seededRandom(99));
    assert.throws(() =>
      makeCode({ keyPair: mallory, certificate: world.bob.certificate, nowMs: breakfastMs, counter: 0 }),
    );

    // So Mallory builds the code by hand: Bob's certificate, her own signature.
    const own = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    const bytes = codeFromText(own);
    assert.ok(bytes);
    bytes.set(world.bob.certificate, codeLayout.certificate);
    assertRefused(await world.verifier().verify(codeToText(bytes)), 'BAD_CODE_SIGNATURE');
  });

  test('when the phone key is swapped for another in a certificate, then the campus signature fails', async () => {
    // Goal: rewriting the certified phone key to one the attacker holds breaks the certificate.
    const world = await createWorld();
    const mallory = await generatePhoneKeyPair(seededRandom(99));
    const certificate = Uint8Array.from(world.bob.certificate);
    certificate.set(mallory.publicKey, 24);
    const text = makeCode({ keyPair: mallory, certificate, nowMs: breakfastMs, counter: 0 });
    assertRefused(await world.verifier().verify(text), 'BAD_CERT_SIGNATURE');
  });

  test('when the input is not a code at all, then it is refused as MALFORMED without throwing', async () => {
    // Goal: anything a scanner may hand over gets a refusal value, never an exception.
    const world = await createWorld();
    const valid = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    const inputs: unknown[] = [
      '',
      'CC:',
      valid.slice(0, -1),
      `${valid}0`,
      valid.toLowerCase(),
      `XX:${valid.slice(3)}`,
      'C'.repeat(1_000_000),
      '134567890123456789',
      undefined,
      null,
      42,
      {},
    ];
    for (const input of inputs) assertRefused(await world.verifier().verify(input as string), 'MALFORMED');
  });

  test('when the replay guard fails, then verification rejects instead of accepting', async () => {
    // Goal: "Redis down" is not a verdict: the caller sees the failure and fails closed.
    const world = await createWorld();
    const broken: ReplayGuard = {
      claim: async () => {
        throw new Error('redis unreachable');
      },
    };
    const text = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 });
    await assert.rejects(world.verifier({ replayGuard: broken }).verify(text), /redis unreachable/);
  });

  test('when a certificate was checked before, then a cached result is not reused for another key', async () => {
    // Goal: the certificate cache only skips work; removing a key or changing it still takes effect.
    const world = await createWorld();
    let keyring = world.keyring;
    const verifier = world.verifier({ keyring: { get: (kid) => keyring.get(kid) } });
    assert.equal(
      (await verifier.verify(makeCode({ ...world.alice, nowMs: breakfastMs, counter: 0 }))).ok,
      true,
    );
    const other = await createCampusSigningKey(1, seededRandom(4242));
    keyring = createCampusKeyring([{ kid: 1, publicKey: other.publicKey }]);
    const again = makeCode({ ...world.alice, nowMs: breakfastMs, counter: 1 });
    assertRefused(await verifier.verify(again), 'BAD_CERT_SIGNATURE');
  });

  test('when verifier limits are out of bounds, then creating it throws', async () => {
    // Goal: a configuration typo (validity in seconds where ms were meant, or an hour) fails at start.
    const world = await createWorld();
    assert.throws(() => world.verifier({ codeValidityMs: 0 }));
    assert.throws(() => world.verifier({ codeValidityMs: 3_600_000 }));
    assert.throws(() => world.verifier({ clockSkewMs: -1 }));
  });
});

describe('make a QR code on the phone', () => {
  test('when the certificate belongs to another key or has expired, then making a code throws', async () => {
    // Goal: the page learns it must renew instead of showing codes every scanner refuses.
    const world = await createWorld();
    assert.throws(
      () =>
        makeCode({
          keyPair: world.bob.keyPair,
          certificate: world.alice.certificate,
          nowMs: breakfastMs,
          counter: 0,
        }),
      /another phone key/,
    );
    const weekMs = 7 * 24 * 60 * minuteMs;
    assert.throws(() => makeCode({ ...world.alice, nowMs: breakfastMs + weekMs, counter: 0 }), /expired/);
  });

  test('when the issuer is asked for a bad certificate, then it throws', async () => {
    // Goal: the BFF cannot mint a certificate the verifier would misread or that lives too long.
    const world = await createWorld();
    const phonePublicKey = world.alice.keyPair.publicKey;
    const card = world.alice.card;
    const tooLong = 7 * 24 * 3_600_000 + 1000;
    assert.throws(() =>
      issueCertificate(world.campusKey, {
        card,
        phonePublicKey,
        validFromMs: breakfastMs,
        lifetimeMs: tooLong,
      }),
    );
    assert.throws(() =>
      issueCertificate(world.campusKey, {
        card: { ...card, cardNo: '12345678901234567' },
        phonePublicKey,
        validFromMs: breakfastMs,
      }),
    );
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1; // the identity point: verifies "signatures" for everyone
    assert.throws(() =>
      issueCertificate(world.campusKey, { card, phonePublicKey: smallOrder, validFromMs: breakfastMs }),
    );
  });

  test('when the random source is broken, then key generation throws rather than mint a weak key', async () => {
    // Goal: a mis-wired mini-program adapter (zeros, short arrays) is caught at once.
    await assert.rejects(
      generatePhoneKeyPair(() => new Uint8Array(32)),
      /constant/,
    );
    await assert.rejects(
      generatePhoneKeyPair(() => new Uint8Array(16)),
      /16 bytes/,
    );
    const keyPair = await generatePhoneKeyPair(async (n) => seededRandom(3)(n));
    assert.equal(keyPair.publicKey.length, 32);
  });
});
