// Rotating a federation link's secret with an overlap (docs/federation.md § Link secret rotation), between
// two real cores that trust each other: both enter the new secret with the same sign-from time, the link
// stays up before, across and after the switch, the old secret is accepted during the overlap, and refused
// once retired. Every step is audited without the secret.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCore, type TestCore } from '../../tests/kit/index.ts';
import { Transport } from '../src/client/transport.ts';

const keyHex = (fill: number) => Buffer.alloc(32, fill).toString('hex');
const secret = () => randomBytes(24).toString('base64url');
const codeOf = (e: unknown) => (e as { code?: string }).code;
/** A centre's row (and so its secrets) is reused for a second on the link's path. */
const reuseMs = 1_100;

describe('federation link secret rotation', () => {
  let north: TestCore;
  let south: TestCore;
  before(async () => {
    [north, south] = await Promise.all([
      startTestCore('sqlite', { CENTRE_ID: 'NORTH' }),
      startTestCore('sqlite', { CENTRE_ID: 'SOUTH' }),
    ]);
  });
  after(async () => {
    await Promise.all([north?.stop(), south?.stop()]);
  });

  test('when both centres rotate the link secret with an overlap, then the link keeps working throughout, and the old secret is refused once retired', async () => {
    const s1 = secret();
    await north.client.addCentre({
      id: 'SOUTH',
      name: '南区中心',
      linkUrl: south.core.url,
      linkSecret: s1,
      keys: [{ kid: 710, publicKeyHex: keyHex(7), validFromMs: 0 }],
      adminId: 'admin-n',
    });
    await south.client.addCentre({
      id: 'NORTH',
      name: '北区中心',
      linkUrl: north.core.url,
      linkSecret: s1,
      keys: [{ kid: 720, publicKeyHex: keyHex(8), validFromMs: 0 }],
      adminId: 'admin-s',
    });
    const bothUp = async (when: string) => {
      const [a, b] = await Promise.all([
        north.client.checkCentreLink('SOUTH'),
        south.client.checkCentreLink('NORTH'),
      ]);
      assert.deepEqual([a.up, a.code, b.up, b.code], [true, null, true, null], when);
    };
    await bothUp('before the rotation');

    // A weak secret, or a retirement before the new secret signs, is refused.
    await assert.rejects(
      north.client.rotateLinkSecret('SOUTH', {
        linkSecret: 'a'.repeat(40),
        retireOldAtMs: Date.now() + 60_000,
        adminId: 'admin-n',
      }),
      (e) => codeOf(e) === 'VALIDATION_FAILED',
    );
    await assert.rejects(
      north.client.rotateLinkSecret('SOUTH', {
        linkSecret: secret(),
        signFromMs: Date.now() + 10_000,
        retireOldAtMs: Date.now(),
        adminId: 'admin-n',
      }),
      (e) => codeOf(e) === 'VALIDATION_FAILED',
    );

    // Both enter the new secret, signing from a moment a little ahead; the old one stays good for an hour.
    const s2 = secret();
    const signFromMs = Date.now() + 2_500;
    const retireOldAtMs = Date.now() + 3_600_000;
    const rotated = await north.client.rotateLinkSecret('SOUTH', {
      linkSecret: s2,
      signFromMs,
      retireOldAtMs,
      adminId: 'admin-n',
    });
    assert.deepEqual(rotated.linkSecretRotation, { signFromMs, retireOldAtMs });
    await bothUp('one side rotated, the old secret still signs');
    await south.client.rotateLinkSecret('NORTH', {
      linkSecret: s2,
      signFromMs,
      retireOldAtMs,
      adminId: 'admin-s',
    });
    await bothUp('both rotated, the old secret still signs');
    // A second rotation while one is under way is refused.
    await assert.rejects(
      north.client.rotateLinkSecret('SOUTH', { linkSecret: secret(), retireOldAtMs, adminId: 'admin-n' }),
      (e) => codeOf(e) === 'INVALID_TRANSITION',
    );
    await sleep(Math.max(0, signFromMs - Date.now()) + reuseMs);
    await bothUp('the new secret signs');

    // During the overlap the other centre is heard with either secret.
    const as = (key: string) => new Transport({ url: north.core.url, keyId: 'SOUTH', secret: key });
    const [old, fresh, stranger] = [as(s1), as(s2), as(secret())];
    try {
      const ping = '/federation/v1/ping';
      assert.equal((await old.call<{ centreId: string }>('GET', ping)).centreId, 'NORTH');
      assert.equal((await fresh.call<{ centreId: string }>('GET', ping)).centreId, 'NORTH');
      await assert.rejects(stranger.call('GET', ping), (e) => codeOf(e) === 'UNAUTHENTICATED');

      // Retired on both sides: the old secret is refused, the link stays up on the new one.
      await north.client.retireLinkSecret('SOUTH', 'admin-n');
      await south.client.retireLinkSecret('NORTH', 'admin-s');
      await sleep(reuseMs);
      await assert.rejects(old.call('GET', ping), (e) => codeOf(e) === 'UNAUTHENTICATED');
      assert.equal((await fresh.call<{ centreId: string }>('GET', ping)).centreId, 'NORTH');
      await bothUp('after the retirement');
      const [centre] = (await north.client.centres()).items;
      assert.equal(centre?.linkSecretRotation, null);
      await assert.rejects(
        north.client.retireLinkSecret('SOUTH', 'admin-n'),
        (e) => codeOf(e) === 'INVALID_TRANSITION',
      );
    } finally {
      await Promise.all([old.close(), fresh.close(), stranger.close()]);
    }

    // The next rotation may start once the last one is complete.
    const s3 = secret();
    await north.client.rotateLinkSecret('SOUTH', {
      linkSecret: s3,
      retireOldAtMs: Date.now() + 60_000,
      adminId: 'admin-n',
    });
    const audit = await north.client.searchAudit({ action: 'federation.link_secret_rotate', limit: 5 });
    assert.equal(audit.items.length, 2);
    assert.equal(audit.items[0]?.actorId, 'admin-n');
    const retired = await north.client.searchAudit({ action: 'federation.link_secret_retire', limit: 5 });
    assert.equal(retired.items.length, 1);
    for (const entry of [...audit.items, ...retired.items])
      for (const s of [s1, s2, s3]) assert.equal(JSON.stringify(entry.detail).includes(s), false);
  });
});
