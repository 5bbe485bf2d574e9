// The other centres' campus keys in the gateway (docs/federation.md): loaded beside its own, trusted from
// their valid-from, retired at their valid-to, gone once the trust list drops them; a kid of our own wins.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrustedKeys } from '@campus-card/core/contract';
import { pino } from 'pino';
import { FederationKeys } from '../src/federation-keys.ts';

const hex = (fill: number) => Buffer.alloc(32, fill).toString('hex');
const ownKey = { kid: 1, publicKey: new Uint8Array(32).fill(1) };

test('when the trust list names foreign keys and policies, then each key is trusted from its valid-from, retired at its valid-to and names its centre, a clash with our own kid keeps ours, and each centre has its offline policy', async () => {
  let nowMs = 10_000;
  let trusted: TrustedKeys = {
    centreId: 'CB',
    keys: [
      { kid: 1, centreId: 'CA', publicKeyHex: hex(9), validFromMs: 0, validToMs: null },
      { kid: 2001, centreId: 'CA', publicKeyHex: hex(2), validFromMs: 0, validToMs: 50_000 },
      { kid: 2002, centreId: 'CA', publicKeyHex: hex(3), validFromMs: 20_000, validToMs: null },
    ],
    policies: [{ centreId: 'CA', paymentMaxFen: 1_000, cardCapFen: 3_000 }],
  };
  const keys = new FederationKeys(
    { trustedKeys: async () => trusted },
    [ownKey],
    pino({ level: 'silent' }),
    () => nowMs,
  );
  await keys.load();

  assert.deepEqual(keys.keyring.get(1)?.publicKey, ownKey.publicKey, 'our own kid 1 wins');
  assert.equal(keys.centreOf(1), undefined, 'a card of our own');
  assert.equal(keys.centreOf(2001), 'CA');
  assert.equal(keys.keyring.get(2001)?.retiredAtMs, 50_000, 'valid-to is when it stops signing');
  assert.equal(keys.keyring.get(2002), undefined, 'not trusted before its valid-from');
  nowMs = 20_000;
  assert.deepEqual(keys.keyring.get(2002)?.publicKey, new Uint8Array(32).fill(3));
  // Each centre's offline policy for its cards here; a centre without one: never offline.
  assert.deepEqual(keys.policyOf('CA'), { paymentMaxFen: 1_000, cardCapFen: 3_000 });
  assert.deepEqual(keys.policyOf('CX'), { paymentMaxFen: 0, cardCapFen: 0 });

  // Revoked at the core: the next load drops it.
  trusted = { ...trusted, keys: trusted.keys.filter((k) => k.kid !== 2001) };
  await keys.load();
  assert.equal(keys.keyring.get(2001), undefined);
  assert.equal(keys.centreOf(2001), undefined);
});
