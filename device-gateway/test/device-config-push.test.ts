import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redisUrl } from '@campus-card/tests/kit';
import { pino } from 'pino';
import { handleDevicePriceApprovals } from '../../bff/src/admin/devices.ts';
import { Approvals } from '../../bff/src/admin/services/approvals.ts';
import { AuditTrail } from '../../bff/src/admin/services/audit-trail.ts';
import { MemoryKv } from '../../bff/src/kv/memory-kv.ts';
import { devCampusKeys } from '../src/config.ts';
import { registerDevice, startGatewayFor, startWorld, TestDevice, type TestWorld } from './support.ts';

/** Two backoffice admins as the BFF's session carries them: one proposes, the other approves. */
const maker = {
  adminId: '01J0DEVCONFMAKER0000000000',
  username: 'device-maker',
  displayName: '设备管理员',
  role: 'device_admin' as const,
  department: null,
  startedAtMs: 0,
};
const checker = {
  ...maker,
  adminId: '01J0DEVCONFCHECKER00000000',
  username: 'finance-checker',
  role: 'finance' as const,
};

describe('device configuration reaches the device', () => {
  let world: TestWorld;
  let approvals: Approvals;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    // The BFF's own maker–checker, against this core: what the backoffice's approve button runs.
    approvals = new Approvals(
      world.client,
      new AuditTrail(world.client, pino({ level: 'silent' })),
      new MemoryKv(),
      0,
    );
    handleDevicePriceApprovals(approvals, world.client);
  });
  after(async () => {
    await world.stop();
  });

  test('#12.21 when a newly registered device signs in, then it is sent its kind’s default configuration at once', async () => {
    // Goal: no device stays unconfigured (protocol § 7.3, § 7.8): version 1 differs from the device's 0.
    for (const kind of ['pos', 'shower'] as const) {
      const { deviceId, key } = await registerDevice(world, kind);
      const device = await TestDevice.connect(world.gateway.port, deviceId, key);
      const accepted = await device.signIn(kind);
      assert.equal(accepted.message.kind === 'sign_in_accepted' && accepted.message.configVersion, 1);
      const push = await device.nextPush(1_000);
      assert.equal(push.sequence, 0);
      if (push.message.kind !== 'config_push')
        assert.fail(`expected a config push, got ${push.message.kind}`);
      assert.equal(push.message.configVersion, 1);
      assert.equal(push.message.merchantId, world.merchantId);
      assert.equal(push.message.utcOffsetMinutes, 480);
      assert.equal(push.message.offline.enabled, false);
      assert.deepEqual(
        push.message.campusKeys.map((k) => `${k.kid}:${Buffer.from(k.publicKey).toString('hex')}`),
        [devCampusKeys],
      );
      if (kind === 'pos') {
        assert.equal(push.message.paymentMaxFen, 100_000);
        assert.equal(push.message.meter.unit, 'none');
      } else {
        assert.equal(push.message.paymentMaxFen, 0);
        assert.deepEqual([push.message.meter.unit, push.message.meter.priceFen], ['second', 1]);
      }
      device.close();
    }
  });

  test('#12.21 when a price change is approved by a second admin, then the connected device gets the new prices within a second, and nothing before', async () => {
    // Goal: maker–checker holds the push back; the approval's change reaches the till through the other gateway instance too.
    const second = await startGatewayFor(world.core, {}, { REDIS_URL: redisUrl });
    try {
      const { deviceId, key } = await registerDevice(world, 'pos');
      const device = await TestDevice.connect(second.port, deviceId, key);
      await device.signIn();
      assert.equal((await device.nextPush()).message.kind, 'config_push', 'the default after sign-in');
      const priceItems = [
        { itemNo: 1, priceFen: 800, name: '套餐A' },
        { itemNo: 2, priceFen: 1_200, name: '套餐B' },
      ];
      const current = await world.client.deviceConfig(String(deviceId));
      const approval = await approvals.propose(
        maker,
        {
          kind: 'device_config',
          payload: { deviceId: String(deviceId), prices: { priceItems, meter: current.settings.meter } },
          amount: 0,
          reason: '新学期套餐定价',
          targetId: String(deviceId),
          requestId: `price-${deviceId}`,
        },
        {},
      );
      await assert.rejects(device.nextPush(500), /no frame/, 'nothing is pushed while the change waits');
      await assert.rejects(approvals.decide(maker, approval.id, 'approved'), { code: 'MAKER_CANNOT_CHECK' });
      const startedMs = Date.now();
      await approvals.decide(checker, approval.id, 'approved');
      const push = await device.nextPush(1_000);
      assert.ok(Date.now() - startedMs < 1_000, 'within a second');
      if (push.message.kind !== 'config_push')
        assert.fail(`expected a config push, got ${push.message.kind}`);
      assert.equal(push.message.configVersion, 2);
      assert.deepEqual(push.message.priceItems, priceItems);
      assert.equal(push.message.paymentMaxFen, 100_000, 'the rest of the configuration is kept');
      device.close();
    } finally {
      await second.close();
    }
  });
});
