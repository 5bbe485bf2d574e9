import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

for (const dialect of dialects) {
  describe(`device registry (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(async () => {
      await t.stop();
    });

    test('when a device is registered, then its key is answered once and stored sealed, not in the clear', async () => {
      // Goal: the key leaves the core only on registration, re-key and the gateway's key lookup.
      const registered = await t.client.registerDevice({ id: '7001', kind: 'pos', merchantId: null });
      assert.match(registered.keyHex, /^[0-9a-f]{64}$/);
      const shown = await t.client.getDevice('7001');
      assert.equal('keyHex' in shown, false);
      assert.deepEqual(shown, {
        id: '7001',
        kind: 'pos',
        merchantId: null,
        status: 'active',
        keyVersion: 1,
        campusId: null,
      });
      const rows = await t.core.db.select<{ key_enc: string }>('SELECT key_enc FROM devices WHERE id = ?', [
        '7001',
      ]);
      assert.ok(rows[0] && !rows[0].key_enc.includes(registered.keyHex));
      assert.equal((await t.client.deviceKey('7001')).keyHex, registered.keyHex);
    });

    test('when a device is re-keyed or disabled, then the lookup shows the new key and status', async () => {
      // Goal: admins can replace a leaked key and shut a device out.
      const registered = await t.client.registerDevice({ id: '7002', kind: 'shower' });
      const rekeyed = await t.client.rekeyDevice('7002');
      assert.notEqual(rekeyed.keyHex, registered.keyHex);
      assert.equal(rekeyed.keyVersion, 2);
      await t.client.setDeviceStatus('7002', 'disabled');
      const looked = await t.client.deviceKey('7002');
      assert.equal(looked.keyHex, rekeyed.keyHex);
      assert.equal(looked.status, 'disabled');
    });

    test('when the id is taken, not a u32, or unknown, then ALREADY_EXISTS, VALIDATION_FAILED or NOT_FOUND', async () => {
      // Goal: registry refusals are stable codes.
      await t.client.registerDevice({ id: '7003', kind: 'gate' });
      const codeOf = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (e instanceof CoreError ? e.code : 'other'),
        );
      assert.equal(await codeOf(t.client.registerDevice({ id: '7003', kind: 'gate' })), 'ALREADY_EXISTS');
      assert.equal(
        await codeOf(t.client.registerDevice({ id: '4294967296', kind: 'gate' })),
        'VALIDATION_FAILED',
      );
      assert.equal(await codeOf(t.client.deviceKey('9999')), 'NOT_FOUND');
    });
  });
}
