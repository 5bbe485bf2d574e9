import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { certificateLifetimeMaxMs, createCampusKeyring } from './campus-keys.ts';
import { breakfastMs, createWorld, seededRandom } from './fixtures.ts';
import { createCampusSigningKey } from './issuer.ts';
import { makeCode } from './phone.ts';
import type { VerifyResult } from './verify-result.ts';

const dayMs = 24 * 3_600_000;

function outcome(result: VerifyResult): string {
  return result.ok ? 'ok' : result.code;
}

describe('rotate the campus issuing key', () => {
  async function rotatedWorld() {
    // Key 1 signed Alice's certificate at breakfast; key 2 takes over at noon and signs Bob's.
    const world = await createWorld();
    const newKey = await createCampusSigningKey(2, seededRandom(2));
    const noonMs = breakfastMs + 3.5 * 3_600_000;
    const bob = await world.holder(world.bob.card, 2002, noonMs, newKey);
    const keyring = createCampusKeyring([
      { kid: 1, publicKey: world.campusKey.publicKey, retiredAtMs: noonMs },
      { kid: 2, publicKey: newKey.publicKey },
    ]);
    return { world, newKey, noonMs, bob, keyring };
  }

  test('when both old and new keys are in the keyring, then certificates from either are accepted', async () => {
    // Goal: rotating does not break cards in the field: Alice's old certificate keeps working beside Bob's new one.
    const { world, noonMs, bob, keyring } = await rotatedWorld();
    world.clock.set(noonMs + dayMs);
    const verifier = world.verifier({ keyring });
    const aliceCode = makeCode({ ...world.alice, nowMs: noonMs + dayMs, counter: 0 });
    const bobCode = makeCode({ ...bob, nowMs: noonMs + dayMs, counter: 0 });
    assert.equal(outcome(await verifier.verify(aliceCode)), 'ok');
    assert.equal(outcome(await verifier.verify(bobCode)), 'ok');
  });

  test('when the retired key signs after its retirement, then the certificate is refused as KEY_RETIRED', async () => {
    // Goal: a retired key that leaked cannot mint fresh certificates that devices accept.
    const { world, noonMs, keyring } = await rotatedWorld();
    const late = await world.holder(world.alice.card, 77, noonMs + 1000, world.campusKey);
    world.clock.set(noonMs + 2000);
    const text = makeCode({ ...late, nowMs: noonMs + 2000, counter: 0 });
    assert.equal(outcome(await world.verifier({ keyring }).verify(text)), 'KEY_RETIRED');
  });

  test('when the retired key is past its grace period, then it is refused even if left in the keyring', async () => {
    // Goal: after every certificate the old key could have signed has expired, nothing it signed passes.
    const { world, noonMs, keyring } = await rotatedWorld();
    // A certificate backdated to just before retirement, made with the same lifetime rules.
    const lastOld = await world.holder(world.alice.card, 78, noonMs - 1000, world.campusKey);
    const afterGraceMs = noonMs + certificateLifetimeMaxMs;
    world.clock.set(afterGraceMs);
    const text = makeCode({ ...lastOld, nowMs: afterGraceMs - 2000, counter: 0 });
    assert.equal(outcome(await world.verifier({ keyring }).verify(text)), 'KEY_RETIRED');
  });

  test('when the retired key is finally removed from the keyring, then its certificates are UNKNOWN_KEY', async () => {
    // Goal: the end state of a rotation is a keyring with only the new key; old certificates are simply unknown.
    const { world, newKey, bob } = await rotatedWorld();
    const keyring = createCampusKeyring([{ kid: 2, publicKey: newKey.publicKey }]);
    const verifier = world.verifier({ keyring });
    world.clock.set(breakfastMs + 4 * 3_600_000);
    const aliceCode = makeCode({ ...world.alice, nowMs: world.clock.now(), counter: 0 });
    const bobCode = makeCode({ ...bob, nowMs: world.clock.now(), counter: 0 });
    assert.equal(outcome(await verifier.verify(aliceCode)), 'UNKNOWN_KEY');
    assert.equal(outcome(await verifier.verify(bobCode)), 'ok');
  });

  test('when a keyring lists a kid twice or a short key, then creating it throws', () => {
    // Goal: a botched key push fails loudly at start rather than trusting the wrong key.
    const publicKey = new Uint8Array(32).fill(7);
    assert.throws(
      () =>
        createCampusKeyring([
          { kid: 1, publicKey },
          { kid: 1, publicKey },
        ]),
      /twice/,
    );
    assert.throws(() => createCampusKeyring([{ kid: 1, publicKey: new Uint8Array(31) }]), /32 bytes/);
    assert.throws(() => createCampusKeyring([{ kid: 70_000, publicKey }]), /16 bits/);
  });
});
