import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

interface DeviceReply {
  id: string;
  kind: string;
  status: string;
  keyVersion: number;
  keyHex?: string;
}

const api = '/api/admin/v1';

describe('admin devices and the live dashboard', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  test('when the device admin registers, re-keys and disables a device, then each key is shown once, the list never shows one, the gateway gets the new key and the audit has each step without a key', async () => {
    const registered = await world.request<DeviceReply>('POST', `${api}/devices`, {
      token: tokens.device_admin,
      body: { id: '4100001', kind: 'pos' },
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.match(registered.body.keyHex ?? '', /^[0-9a-f]{64}$/);

    const list = await world.request<{ items: DeviceReply[] }>('GET', `${api}/devices`, {
      token: tokens.auditor,
    });
    assert.deepEqual(
      list.body.items.map((d) => [d.id, d.status, 'keyHex' in d]),
      [['4100001', 'active', false]],
    );

    const unconfirmed = await world.request('POST', `${api}/devices/4100001/key`, {
      token: tokens.device_admin,
      body: {},
    });
    assert.equal(unconfirmed.status, 400);
    const rekeyed = await world.request<DeviceReply>('POST', `${api}/devices/4100001/key`, {
      token: tokens.device_admin,
      body: { confirm: true },
    });
    assert.equal(rekeyed.body.keyVersion, 2);
    assert.notEqual(rekeyed.body.keyHex, registered.body.keyHex);
    assert.equal((await world.core.client.deviceKey('4100001')).keyHex, rekeyed.body.keyHex);

    const disabled = await world.request<DeviceReply>('POST', `${api}/devices/4100001/status`, {
      token: tokens.device_admin,
      body: { status: 'disabled' },
    });
    assert.equal(disabled.body.status, 'disabled');
    // A repeat changes nothing and is not audited again.
    await world.request('POST', `${api}/devices/4100001/status`, {
      token: tokens.device_admin,
      body: { status: 'disabled' },
    });

    const audit = await world.core.client.searchAudit({ targetId: '4100001', limit: 10 });
    assert.deepEqual(audit.items.map((e) => e.action).reverse(), [
      'device.register',
      'device.rekey',
      'device.disable',
    ]);
    const details = JSON.stringify(audit.items.map((e) => e.detail));
    assert.ok(
      !details.includes(registered.body.keyHex ?? '-') && !details.includes(rekeyed.body.keyHex ?? '-'),
    );
  });

  test('when finance tries to register a device or an auditor to disable one, then both are refused and nothing changes', async () => {
    const finance = await world.request('POST', `${api}/devices`, {
      token: tokens.finance,
      body: { id: '4100002', kind: 'pos' },
    });
    assert.equal(finance.status, 403);
    const auditor = await world.request('POST', `${api}/devices/4100001/status`, {
      token: tokens.auditor,
      body: { status: 'active' },
    });
    assert.equal(auditor.status, 403);
    assert.equal((await world.core.client.getDevice('4100001')).status, 'disabled');
    await assert.rejects(world.core.client.getDevice('4100002'), /device/);
  });

  test("when a card is topped up, then the dashboard counts today's top-up; a content editor is refused the dashboard", async () => {
    const before = await world.request<{
      topUpCount: number;
      topUpAmount: number;
      paymentsByHour: unknown[];
    }>('GET', `${api}/dashboard`, { token: tokens.device_admin });
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(before.body.paymentsByHour.length, 24);
    const cardNo = await openCard(world, '计算机学院');
    await world.core.client.topUp({ id: `dash-${cardNo}`, cardNo, amount: 3_000, channel: 'wechat' });
    const afterTopUp = await world.request<{
      topUpCount: number;
      topUpAmount: number;
      perMinute: { minuteMs: number; topUpCount: number; topUpAmount: number }[];
    }>('GET', `${api}/dashboard`, { token: tokens.finance });
    assert.equal(afterTopUp.body.topUpCount, before.body.topUpCount + 1);
    assert.equal(afterTopUp.body.topUpAmount, before.body.topUpAmount + 3_000);
    // The per-minute series: 60 whole minutes ending with this one (or the one before, when a minute
    // turned between the answer and this line), the top-up in one of the last two.
    const minutes = afterTopUp.body.perMinute;
    assert.equal(minutes.length, 60);
    const nowMs = Date.now();
    const thisMinuteMs = nowMs - (nowMs % 60_000);
    assert.ok([thisMinuteMs, thisMinuteMs - 60_000].includes(minutes.at(-1)?.minuteMs ?? 0));
    assert.ok(
      minutes.slice(-2).some((m) => m.topUpAmount >= 3_000),
      JSON.stringify(minutes.slice(-2)),
    );
    assert.equal(
      minutes.reduce((n, m) => n + m.topUpAmount, 0),
      afterTopUp.body.topUpAmount,
      'every top-up of this test world was made within the hour',
    );
    const editor = await world.request('GET', `${api}/dashboard`, { token: tokens.content_editor });
    assert.equal(editor.status, 403);
  });

  test('when a gateway reports a device signed in, then the dashboard counts it online, and offline once the gateway says it left', async () => {
    const online = async () =>
      (
        await world.request<{ devicesOnline: number }>('GET', `${api}/dashboard`, {
          token: tokens.device_admin,
        })
      ).body.devicesOnline;
    const before = await online();
    await world.core.client.registerDevice({ id: '4100009', kind: 'pos', merchantId: null });
    const report = (isOnline: boolean, atMs: number) =>
      world.core.client.reportDevicePresence({
        gatewayId: 'gw-test',
        devices: [
          {
            deviceId: '4100009',
            online: isOnline,
            signedInAtMs: atMs,
            lastSeenAtMs: atMs,
            configVersion: 0,
            blacklistVersion: 0,
            offlinePending: 0,
            firmware: 'test-1',
          },
        ],
      });
    const now = Date.now();
    await report(true, now);
    assert.equal(await online(), before + 1);
    await report(false, now + 1);
    assert.equal(await online(), before);
  });
});
