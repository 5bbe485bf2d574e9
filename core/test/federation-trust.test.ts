// The trust list of federated centres (docs/federation.md) against a real core: adding a centre with its
// link and keys (audited, its accounts opened), rotation and revocation of keys, suspension, and the link's
// own authentication by the centre's secret.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore } from '../../tests/kit/index.ts';
import { Transport } from '../src/client/transport.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

const keyHex = (fill: number) => Buffer.alloc(32, fill).toString('hex');
const secret = () => randomBytes(24).toString('base64url');
const codeOf = (e: unknown) => (e as { code?: string }).code;

describe('federation trust list', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('sqlite', { CENTRE_ID: 'HOME' });
  });
  after(async () => {
    await t.stop();
  });

  test('when a centre is added, then it is listed without its secret, its accounts are opened and the addition is audited; a weak link secret or a taken kid is refused', async () => {
    const input = {
      id: 'NORTH',
      name: '北校联盟',
      linkUrl: 'http://127.0.0.1:9',
      linkSecret: secret(),
      keys: [{ kid: 400, publicKeyHex: keyHex(4), validFromMs: 0 }],
      adminId: 'admin-1',
    };
    await assert.rejects(
      t.client.addCentre({ ...input, linkSecret: 'a'.repeat(40) }),
      (e) => codeOf(e) === 'VALIDATION_FAILED',
    );
    await assert.rejects(
      t.client.addCentre({ ...input, id: 'HOME' }),
      (e) => codeOf(e) === 'VALIDATION_FAILED',
    );
    const centre = await t.client.addCentre(input);
    assert.equal(centre.receivableAccountId, 'SYS-FED-NORTH');
    assert.equal('linkSecret' in centre || 'linkSecretEnc' in centre, false);
    assert.deepEqual(
      (await t.client.centres()).items.map((c) => c.id),
      ['NORTH'],
    );
    await assert.rejects(
      t.client.addCentre({ ...input, id: 'SOUTH', linkSecret: secret() }),
      (e) => codeOf(e) === 'FEDERATION_KEY_CONFLICT',
    );
    const audit = await t.client.searchAudit({ action: 'federation.centre_add', limit: 5 });
    assert.equal(audit.items[0]?.targetId, 'NORTH');
    assert.equal(audit.items[0]?.actorId, 'admin-1');
    assert.equal(JSON.stringify(audit.items[0]?.detail).includes(input.linkSecret), false);
    assert.equal((await checkLedger(t.core.db)).ok, true);
  });

  test('when a key is rotated, then both keys are trusted with the old one ending where the new one starts; a revoked key is no longer handed to gateways', async () => {
    await t.client.addCentre({
      id: 'EAST',
      name: '东校联盟',
      linkUrl: 'http://127.0.0.1:9',
      linkSecret: secret(),
      keys: [{ kid: 500, publicKeyHex: keyHex(5), validFromMs: 1_000 }],
      adminId: 'admin-1',
    });
    await assert.rejects(
      t.client.rotateCentreKey('EAST', {
        key: { kid: 501, publicKeyHex: keyHex(6), validFromMs: 500 },
        retireKid: 500,
        adminId: 'admin-1',
      }),
      (e) => codeOf(e) === 'VALIDATION_FAILED',
    );
    const rotated = await t.client.rotateCentreKey('EAST', {
      key: { kid: 501, publicKeyHex: keyHex(6), validFromMs: 5_000 },
      retireKid: 500,
      adminId: 'admin-1',
    });
    assert.deepEqual(
      rotated.keys.map((k) => [k.kid, k.validFromMs, k.validToMs]),
      [
        [500, 1_000, 5_000],
        [501, 5_000, null],
      ],
    );
    const trusted = await t.client.trustedKeys();
    assert.equal(trusted.centreId, 'HOME');
    assert.deepEqual(
      trusted.keys.filter((k) => k.centreId === 'EAST').map((k) => k.kid),
      [500, 501],
    );
    await t.client.revokeCentreKey(500, { reason: '泄露', adminId: 'admin-2' });
    assert.deepEqual(
      (await t.client.trustedKeys()).keys.filter((k) => k.centreId === 'EAST').map((k) => k.kid),
      [501],
    );
    await assert.rejects(
      t.client.revokeCentreKey(999, { reason: '无', adminId: 'admin-2' }),
      (e) => codeOf(e) === 'FEDERATION_KEY_NOT_FOUND',
    );
  });

  test('when a centre signs the link with its secret, then it is heard; with another secret, or once suspended, it is refused, and its keys and cards are refused here', async () => {
    const linkSecret = secret();
    await t.client.addCentre({
      id: 'WEST',
      name: '西校联盟',
      linkUrl: 'http://127.0.0.1:9',
      linkSecret,
      keys: [{ kid: 600, publicKeyHex: keyHex(7), validFromMs: 0 }],
      adminId: 'admin-1',
    });
    const as = (keyId: string, key: string) => new Transport({ url: t.core.url, keyId, secret: key });
    const good = as('WEST', linkSecret);
    const bad = as('WEST', secret());
    const stranger = as('NOBODY', linkSecret);
    try {
      const file = await good.call<{ debits: unknown[]; sales: unknown[] }>(
        'GET',
        '/federation/v1/settlement/2026-12-07',
      );
      assert.deepEqual([file.debits, file.sales], [[], []]);
      await assert.rejects(
        bad.call('GET', '/federation/v1/settlement/2026-12-07'),
        (e) => codeOf(e) === 'UNAUTHENTICATED',
      );
      await assert.rejects(
        stranger.call('GET', '/federation/v1/settlement/2026-12-07'),
        (e) => codeOf(e) === 'UNAUTHENTICATED',
      );
      // The service API does not take a centre's link key, nor the link a service key.
      await assert.rejects(
        good.call('GET', '/v1/federation/centres'),
        (e) => codeOf(e) === 'UNAUTHENTICATED',
      );

      await t.client.setCentreStatus('WEST', 'suspended', 'admin-3');
      // A centre's row is reused for a second on the link's path: wait for the suspension, not a fixed time.
      for (const startedMs = Date.now(); ; ) {
        const refused = await good.call('GET', '/federation/v1/settlement/2026-12-07').then(
          () => false,
          (e) => codeOf(e) === 'UNAUTHENTICATED',
        );
        if (refused) break;
        assert.ok(Date.now() - startedMs < 10_000, 'the suspended centre was still heard');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(
        (await t.client.trustedKeys()).keys.some((k) => k.centreId === 'WEST'),
        false,
      );
      await assert.rejects(
        t.client.payForeign({
          id: 'dev:1:1',
          centreId: 'WEST',
          cardNo: '20240001',
          merchantId: 'm1',
          amount: 100,
        }),
        (e) => codeOf(e) === 'FEDERATION_CENTRE_NOT_FOUND',
      );
      const audit = await t.client.searchAudit({ action: 'federation.centre_status', limit: 5 });
      assert.equal(audit.items[0]?.actorId, 'admin-3');
    } finally {
      await Promise.all([good.close(), bad.close(), stranger.close()]);
    }
  });
});
