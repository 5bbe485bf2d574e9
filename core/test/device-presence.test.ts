import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { PresenceReportInput } from '../src/client/index.ts';
import { CoreError } from '../src/client/index.ts';
import { loadConfig } from '../src/config.ts';

let deviceSerial = 0;

type Row = PresenceReportInput['devices'][number];

function row(deviceId: string, fields: Partial<Row> = {}): Row {
  const nowMs = Date.now();
  return {
    deviceId,
    online: true,
    signedInAtMs: nowMs - 60_000,
    lastSeenAtMs: nowMs,
    configVersion: 0,
    blacklistVersion: 0,
    offlinePending: 0,
    firmware: 'pos/2.1',
    ...fields,
  };
}

for (const dialect of dialects) {
  describe(`device presence in the core (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(async () => {
      await t.stop();
    });

    async function device(): Promise<string> {
      deviceSerial += 1;
      const id = String(7000 + deviceSerial);
      await t.client.registerDevice({ id, kind: 'pos' });
      return id;
    }
    const listed = async (id: string) => {
      const found = (await t.client.devices()).items.find((d) => d.id === id);
      assert.ok(found, `device ${id} listed`);
      return found;
    };

    test('when a gateway reports a device, then the device list shows it online with its versions, pending records and lag', async () => {
      // Goal: what a heartbeat carried reaches the backoffice's list, compared with what the device should apply.
      const id = await device();
      const current = (await t.client.putDeviceConfig(id, { paymentMaxFen: 5_000 })).configVersion;
      assert.ok(current > 0);
      const { blacklistVersion } = await t.client.devices();
      const seenAtMs = Date.now();
      const answer = await t.client.reportDevicePresence({
        gatewayId: 'gw-a',
        devices: [row(id, { lastSeenAtMs: seenAtMs, configVersion: 0, blacklistVersion, offlinePending: 3 })],
      });
      assert.deepEqual(answer, { received: 1 });
      const d = await listed(id);
      assert.equal(d.currentConfigVersion, current);
      assert.ok(d.presence);
      assert.equal(d.presence.online, true);
      assert.equal(d.presence.gatewayId, 'gw-a');
      assert.equal(d.presence.lastSeenAtMs, seenAtMs);
      assert.equal(d.presence.offlinePending, 3);
      assert.equal(d.presence.firmware, 'pos/2.1');
      assert.equal(d.presence.configBehind, true, 'the device applies version 0');
      assert.equal(d.presence.blacklistBehind, false);
      assert.ok((await t.client.devicePresenceSummary()).online >= 1);
    });

    test('when an older batch arrives after a newer one, then it does not move the device backwards', async () => {
      // Goal: two gateway instances, batches out of order: the latest lastSeenAtMs wins, decided by the database.
      const id = await device();
      const nowMs = Date.now();
      await t.client.reportDevicePresence({
        gatewayId: 'gw-b',
        devices: [row(id, { lastSeenAtMs: nowMs, configVersion: 4, blacklistVersion: 9, offlinePending: 0 })],
      });
      const late = await t.client.reportDevicePresence({
        gatewayId: 'gw-a',
        devices: [
          row(id, {
            online: false,
            lastSeenAtMs: nowMs - 30_000,
            configVersion: 2,
            blacklistVersion: 7,
            offlinePending: 5,
          }),
        ],
      });
      assert.equal(late.received, 1);
      const d = await listed(id);
      assert.deepEqual(
        d.presence && [
          d.presence.online,
          d.presence.gatewayId,
          d.presence.configVersion,
          d.presence.blacklistVersion,
        ],
        [true, 'gw-b', 4, 9],
      );
      // A newer report (the close) does apply, and a same-instant one too.
      await t.client.reportDevicePresence({
        gatewayId: 'gw-b',
        devices: [row(id, { online: false, lastSeenAtMs: nowMs, configVersion: 4, blacklistVersion: 9 })],
      });
      assert.equal((await listed(id)).presence?.online, false);
    });

    test('when a gateway said online but the device has been silent past the timeout, then it reads offline', async () => {
      // Goal: a crashed gateway never reports offline; silence does it for it.
      const id = await device();
      const before = (await t.client.devicePresenceSummary()).online;
      await t.client.reportDevicePresence({
        gatewayId: 'gw-crashed',
        devices: [row(id, { online: true, lastSeenAtMs: Date.now() - 10 * 60_000 })],
      });
      const d = await listed(id);
      assert.equal(d.presence?.online, false);
      assert.equal((await t.client.devicePresenceSummary()).online, before);
    });

    test('when the core is set to a shorter PRESENCE_SILENCE_MS, then a device silent for two minutes reads offline there and online at the default', async () => {
      // Goal: a campus whose gateways heartbeat often can see a dead terminal sooner than 5 minutes.
      const strict = await startTestCore(dialect, { PRESENCE_SILENCE_MS: '60000' });
      try {
        const id = await device();
        await strict.client.registerDevice({ id, kind: 'pos' });
        const report = {
          gatewayId: 'gw-quiet',
          devices: [row(id, { lastSeenAtMs: Date.now() - 2 * 60_000 })],
        };
        await t.client.reportDevicePresence(report);
        await strict.client.reportDevicePresence(report);
        assert.equal((await listed(id)).presence?.online, true);
        const there = (await strict.client.devices()).items.find((d) => d.id === id);
        assert.equal(there?.presence?.online, false);
      } finally {
        await strict.stop();
      }
      assert.throws(() => loadConfig({ PRESENCE_SILENCE_MS: '1000' }), /presenceSilenceMs/);
    });

    test('when many devices come in one batch, then one request stores them all; a batch above 1,000 is refused', async () => {
      // Goal: the gateway's batches of up to 1,000 rows fit one statement on both dialects.
      const rows = Array.from({ length: 1_000 }, (_, i) => row(String(3_000_000 + i)));
      assert.deepEqual(await t.client.reportDevicePresence({ gatewayId: 'gw-bulk', devices: rows }), {
        received: 1_000,
      });
      const counted = await t.core.db.select<{ n: number }>(
        "SELECT COUNT(*) AS n FROM device_presence WHERE gateway_id = 'gw-bulk'",
      );
      assert.equal(Number(counted[0]?.n), 1_000);
      await assert.rejects(
        t.client.reportDevicePresence({ gatewayId: 'gw-bulk', devices: [...rows, row('4000000')] }),
        (e: unknown) => e instanceof CoreError && e.code === 'VALIDATION_FAILED',
      );
    });
  });
}
