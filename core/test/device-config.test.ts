import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError, type DeviceSettings } from '../src/client/index.ts';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof CoreError ? e.code : 'other'),
  );

for (const dialect of dialects) {
  describe(`device configuration (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(async () => {
      await t.stop();
    });

    test('#12.21 when a device is registered, then it has its kind’s default configuration at version 1, not version 0', async () => {
      // Goal: no registered device stays unconfigured; the default follows the kind (docs/gateway.md).
      const changed: string[] = [];
      t.core.deviceConfigs.onChanged((id) => changed.push(id));
      await t.client.registerDevice({ id: '8101', kind: 'pos', merchantId: null });
      await t.client.registerDevice({ id: '8102', kind: 'shower', merchantId: null });
      await t.client.registerDevice({ id: '8103', kind: 'gate', merchantId: null });
      const pos = await t.client.deviceConfig('8101');
      assert.equal(pos.configVersion, 1);
      assert.equal(pos.settings.paymentMaxFen, 100_000, 'the core’s PAYMENT_AMOUNT_MAX');
      assert.equal(pos.settings.utcOffsetMinutes, 480);
      assert.equal(pos.settings.offline.enabled, false, 'offline use is never a default');
      assert.equal(pos.settings.meter.unit, 'none');
      const shower = await t.client.deviceConfig('8102');
      assert.equal(shower.configVersion, 1);
      assert.deepEqual(
        [shower.settings.paymentMaxFen, shower.settings.meter.unit, shower.settings.meter.priceFen],
        [0, 'second', 1],
      );
      assert.equal(shower.settings.meter.holdFen, 2_000);
      const gate = await t.client.deviceConfig('8103');
      assert.deepEqual([gate.configVersion, gate.settings.paymentMaxFen], [1, 0]);
      assert.deepEqual(changed.slice(-3), ['8101', '8102', '8103'], 'each default announced to the gateways');
    });

    test('#12.21 when a device registered before defaults existed is looked up at sign-in, then it gets its default once', async () => {
      // Goal: devices already in the registry with no configuration are configured at their next sign-in.
      await t.client.registerDevice({ id: '8111', kind: 'laundry', merchantId: null });
      await t.core.db.execute('DELETE FROM device_configs WHERE device_id = ?', ['8111']);
      assert.equal((await t.client.deviceConfig('8111')).configVersion, 0);
      const looked = await Promise.all(Array.from({ length: 20 }, () => t.client.deviceKey('8111')));
      assert.deepEqual([...new Set(looked.map((l) => l.config.configVersion))], [1]);
      assert.equal(looked[0]?.config.settings.meter.unit, 'second');
      assert.equal((await t.client.deviceConfig('8111')).configVersion, 1);
    });

    test('#12.21 when a configuration has two items on one key or overlapping meal windows, then VALIDATION_FAILED and nothing changes', async () => {
      // Goal: a till never gets an ambiguous price or per-card cap.
      await t.client.registerDevice({ id: '8121', kind: 'pos', merchantId: null });
      const items = [
        { itemNo: 1, priceFen: 800, name: '套餐A' },
        { itemNo: 1, priceFen: 900, name: '套餐B' },
      ];
      assert.equal(
        await codeOf(t.client.putDeviceConfig('8121', { priceItems: items })),
        'VALIDATION_FAILED',
      );
      const windows: DeviceSettings['mealWindows'] = [
        { meal: 'breakfast', startMinute: 390, endMinute: 600, perCardMaxFen: 0 },
        { meal: 'lunch', startMinute: 590, endMinute: 810, perCardMaxFen: 0 },
      ];
      assert.equal(
        await codeOf(t.client.putDeviceConfig('8121', { mealWindows: windows })),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await codeOf(t.client.putDeviceConfig('8121', { paymentMaxFen: 12.5 } as never)),
        'VALIDATION_FAILED',
        'fen are whole numbers',
      );
      assert.equal((await t.client.deviceConfig('8121')).configVersion, 1);
    });

    test('#12.21 when a device is limited to some person types, then the list is stored with its configuration and an unknown or repeated type is VALIDATION_FAILED', async () => {
      // Goal: who may use a device is a validated server-side setting (enforced by the gateway online).
      await t.client.registerDevice({ id: '8141', kind: 'pos', merchantId: null });
      assert.equal(
        (await t.client.deviceConfig('8141')).settings.personTypes,
        undefined,
        'everyone by default',
      );
      const put = await t.client.putDeviceConfig('8141', { personTypes: ['staff'] });
      assert.deepEqual(put.settings.personTypes, ['staff']);
      const stored = await t.client.deviceConfig('8141');
      assert.deepEqual([stored.configVersion, stored.settings.personTypes], [2, ['staff']]);
      for (const bad of [['teacher'], ['staff', 'staff'], [1]])
        assert.equal(
          await codeOf(t.client.putDeviceConfig('8141', { personTypes: bad } as never)),
          'VALIDATION_FAILED',
          JSON.stringify(bad),
        );
      assert.deepEqual((await t.client.deviceConfig('8141')).configVersion, 2, 'nothing changed');
      // Prices approved later keep the restriction (they are applied over the configuration in force).
      const priced = await t.client.putDevicePrices('8141', { priceItems: [], meter: stored.settings.meter });
      assert.deepEqual(priced.settings.personTypes, ['staff']);
    });

    test('#12.21 when approved prices are applied, then only the prices change, and a retry writes no new version', async () => {
      // Goal: an approval carries its prices over whatever else the device's configuration holds now.
      await t.client.registerDevice({ id: '8131', kind: 'shower', merchantId: null });
      await t.client.putDeviceConfig('8131', {
        repeatIntervalSeconds: 5,
        meter: { ...(await t.client.deviceConfig('8131')).settings.meter, unit: 'second' },
      });
      const meter = {
        unit: 'second' as const,
        priceFen: 1,
        priceUnits: 3,
        holdFen: 1_500,
        minBalanceFen: 100,
        reportIntervalSeconds: 30,
        silenceMaxSeconds: 120,
      };
      const applied = await t.client.putDevicePrices('8131', { priceItems: [], meter });
      assert.equal(applied.configVersion, 3);
      assert.deepEqual(applied.settings.meter, meter);
      assert.equal(applied.settings.repeatIntervalSeconds, 5, 'the rest is kept');
      const again = await t.client.putDevicePrices('8131', { priceItems: [], meter });
      assert.equal(again.configVersion, 3, 'the same prices again are no new version');
      assert.equal(
        await codeOf(
          t.client.putDevicePrices('8131', { priceItems: [], meter: { ...meter, priceUnits: 0 } }),
        ),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await codeOf(t.client.putDevicePrices('4000000001', { priceItems: [], meter })),
        'NOT_FOUND',
      );
    });
  });
}
