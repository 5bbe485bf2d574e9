import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, requestId, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;

interface ConfigView {
  deviceId: string;
  kind: string;
  configVersion: number;
  settings: {
    paymentMaxFen: number;
    repeatIntervalSeconds: number;
    offline: Record<string, unknown>;
    meter: Record<string, unknown> & { priceFen: number };
    priceItems: { itemNo: number; priceFen: number; name: string }[];
    mealWindows: { meal: string; start: string; end: string; perCardMaxFen: number }[];
  };
  pendingPrices: { approvalId: string; prices: { priceItems: { priceFen: number }[] } }[];
}

describe('admin device configuration', () => {
  let world: TestWorld;
  let tokens: Admins;
  let merchantId: string;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    merchantId = (await world.core.client.createMerchant({ name: '二食堂 1 号窗口', category: 'canteen' }))
      .id;
  });
  after(() => world.stop());

  const as = (role: keyof Admins) => ({
    get: (path: string) => world.request<Body>('GET', `/api/admin/v1${path}`, { token: tokens[role] }),
    post: (path: string, body: unknown = {}) =>
      world.request<Body>('POST', `/api/admin/v1${path}`, { token: tokens[role], body }),
    put: (path: string, body: unknown) =>
      world.request<Body>('PUT', `/api/admin/v1${path}`, { token: tokens[role], body }),
  });
  const read = async (id: string) =>
    (await as('auditor').get(`/devices/${id}/config`)).body as unknown as ConfigView;
  /** The form the backoffice submits: the configuration as shown, with changes. */
  const form = (view: ConfigView, change: Partial<ConfigView['settings']> & { reason?: string }) => {
    const { utcOffsetMinutes: _, ...settings } = view.settings as ConfigView['settings'] & {
      utcOffsetMinutes?: number;
    };
    return { requestId: requestId(), ...settings, ...change };
  };

  test('#12.21 when a device is registered from the backoffice, then it has a configuration at once, readable with device.read and changed only with device.manage', async () => {
    const registered = await as('device_admin').post('/devices', { id: '4200001', kind: 'pos', merchantId });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const view = await read('4200001');
    assert.equal(view.configVersion, 1, 'the kind’s default, never version 0');
    assert.equal(view.kind, 'pos');
    assert.equal(view.settings.paymentMaxFen, 100_000);
    assert.deepEqual(view.settings.mealWindows, []);

    for (const role of ['finance', 'auditor', 'card_operator', 'content_editor'] as const) {
      const refused = await as(role).put('/devices/4200001/config', form(view, { paymentMaxFen: 1 }));
      assert.equal(refused.status, 403, `${role} may not configure a device`);
    }
    assert.equal((await as('content_editor').get('/devices/4200001/config')).status, 403);
    assert.equal((await read('4200001')).configVersion, 1, 'nothing changed');
  });

  test('#12.21 when the device admin sets limits and meal windows (HH:MM, Asia/Shanghai), then they apply at once as minutes at UTC+8, audited with the fields changed', async () => {
    await as('device_admin').post('/devices', { id: '4200002', kind: 'pos', merchantId });
    const view = await read('4200002');
    const changed = await as('device_admin').put(
      '/devices/4200002/config',
      form(view, {
        paymentMaxFen: 3_000,
        mealWindows: [
          { meal: 'breakfast', start: '06:30', end: '09:30', perCardMaxFen: 1_500 },
          { meal: 'lunch', start: '10:30', end: '13:30', perCardMaxFen: 0 },
        ],
      }),
    );
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.status, 'applied');
    const stored = await world.core.client.deviceConfig('4200002');
    assert.equal(stored.configVersion, 2);
    assert.equal(stored.settings.utcOffsetMinutes, 480);
    assert.deepEqual(
      stored.settings.mealWindows.map((w) => [w.startMinute, w.endMinute, w.perCardMaxFen]),
      [
        [390, 570, 1_500],
        [630, 810, 0],
      ],
    );
    assert.deepEqual((await read('4200002')).settings.mealWindows[0], {
      meal: 'breakfast',
      start: '06:30',
      end: '09:30',
      perCardMaxFen: 1_500,
    });
    const audit = await world.core.client.searchAudit({
      targetId: '4200002',
      action: 'device.configure',
      limit: 5,
    });
    assert.equal(audit.items.length, 1);
    assert.deepEqual((audit.items[0]?.detail as { changed?: string[] } | undefined)?.changed, [
      'paymentMaxFen',
      'mealWindows',
    ]);
  });

  test('#12.21 when the device admin limits a till to staff, then it applies at once (no approval), is audited as personTypes, an unknown type is 400, and an empty list means everyone again', async () => {
    await as('device_admin').post('/devices', { id: '4200009', kind: 'pos', merchantId });
    const view = await read('4200009');
    const bad = await as('device_admin').put('/devices/4200009/config', {
      ...form(view, {}),
      personTypes: ['teacher'],
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
    assert.equal((await read('4200009')).configVersion, 1, 'nothing changed');

    const limited = await as('device_admin').put('/devices/4200009/config', {
      ...form(view, {}),
      personTypes: ['staff'],
    });
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    assert.equal(limited.body.status, 'applied');
    const stored = await world.core.client.deviceConfig('4200009');
    assert.deepEqual([stored.configVersion, stored.settings.personTypes], [2, ['staff']]);
    assert.deepEqual(
      ((await read('4200009')).settings as unknown as { personTypes?: string[] }).personTypes,
      ['staff'],
    );
    const audit = await world.core.client.searchAudit({
      targetId: '4200009',
      action: 'device.configure',
      limit: 5,
    });
    assert.equal(audit.items.length, 1);
    assert.deepEqual((audit.items[0]?.detail as { changed?: string[] } | undefined)?.changed, [
      'personTypes',
    ]);

    const opened = await as('device_admin').put('/devices/4200009/config', {
      ...form(await read('4200009'), {}),
      personTypes: [],
    });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const after = await world.core.client.deviceConfig('4200009');
    assert.deepEqual([after.configVersion, after.settings.personTypes], [3, undefined]);
  });

  test('#12.21 when a configuration is invalid, then 400 VALIDATION_FAILED and nothing changes', async () => {
    await as('device_admin').post('/devices', { id: '4200003', kind: 'pos', merchantId });
    const view = await read('4200003');
    const bad = [
      { mealWindows: [{ meal: 'lunch', start: '25:00', end: '26:00', perCardMaxFen: 0 }] },
      { mealWindows: [{ meal: 'lunch', start: '13:00', end: '11:00', perCardMaxFen: 0 }] },
      {
        mealWindows: [
          { meal: 'breakfast', start: '06:00', end: '10:00', perCardMaxFen: 0 },
          { meal: 'lunch', start: '09:30', end: '13:00', perCardMaxFen: 0 },
        ],
      },
      { paymentMaxFen: 12.5 },
      { paymentMaxFen: -1 },
      { repeatIntervalSeconds: 70_000 },
      { priceItems: [{ itemNo: 1, priceFen: 200_000, name: '超限' }], reason: '定价' },
      {
        priceItems: [
          { itemNo: 1, priceFen: 800, name: '套餐A' },
          { itemNo: 1, priceFen: 900, name: '套餐B' },
        ],
        reason: '定价',
      },
    ];
    for (const change of bad) {
      const refused = await as('device_admin').put('/devices/4200003/config', form(view, change as never));
      assert.equal(refused.status, 400, JSON.stringify(change));
      assert.equal(refused.body.code, 'VALIDATION_FAILED');
    }
    const noReason = await as('device_admin').put(
      '/devices/4200003/config',
      form(view, { priceItems: [{ itemNo: 1, priceFen: 800, name: '套餐A' }] }),
    );
    assert.equal(noReason.status, 400, 'a price change names its reason for the checker');
    assert.equal(
      (await as('device_admin').put('/devices/4000000009/config', form(view, {}))).status,
      404,
      'no such device',
    );
    assert.equal((await read('4200003')).configVersion, 1);
  });

  test('#12.21 when an admin changes prices, then nothing reaches the device until a second admin approves, the maker cannot approve, and the audit has proposal and approval', async () => {
    await as('device_admin').post('/devices', { id: '4200004', kind: 'pos', merchantId });
    await as('device_admin').post('/devices', { id: '4200005', kind: 'shower', merchantId });
    const view = await read('4200004');
    const items = [
      { itemNo: 1, priceFen: 800, name: '套餐A' },
      { itemNo: 2, priceFen: 1_200, name: '套餐B' },
    ];
    const body = form(view, { paymentMaxFen: 20_000, priceItems: items, reason: '新学期套餐定价' });
    const proposed = await as('super_admin').put('/devices/4200004/config', body);
    assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
    assert.equal(proposed.body.status, 'pending_approval');
    const approvalId = (proposed.body.approval as { id: string }).id;
    const retried = await as('super_admin').put('/devices/4200004/config', body);
    assert.equal((retried.body.approval as { id: string }).id, approvalId, 'a retry proposes once');

    // The limit applied at once; the prices wait.
    const waiting = await world.core.client.deviceConfig('4200004');
    assert.equal(waiting.settings.paymentMaxFen, 20_000);
    assert.deepEqual(waiting.settings.priceItems, []);
    assert.deepEqual(
      (await read('4200004')).pendingPrices.map((p) => [
        p.approvalId,
        p.prices.priceItems.map((i) => i.priceFen),
      ]),
      [[approvalId, [800, 1_200]]],
    );

    // A second, different price change waits until this one is decided (nothing of it applies).
    const competing = await as('device_admin').put(
      '/devices/4200004/config',
      form(view, {
        paymentMaxFen: 1_000,
        priceItems: [{ itemNo: 1, priceFen: 500, name: '套餐C' }],
        reason: '降价',
      }),
    );
    assert.equal(competing.status, 409, JSON.stringify(competing.body));
    assert.equal(competing.body.code, 'CONFLICT');
    assert.equal((await world.core.client.deviceConfig('4200004')).settings.paymentMaxFen, 20_000);

    const own = await as('super_admin').post(`/approvals/${approvalId}/approve`);
    assert.equal(own.status, 409);
    assert.equal(own.body.code, 'MAKER_CANNOT_CHECK');
    assert.equal((await as('device_admin').post(`/approvals/${approvalId}/approve`)).status, 403);
    assert.deepEqual((await world.core.client.deviceConfig('4200004')).settings.priceItems, []);

    const approved = await as('finance').post(`/approvals/${approvalId}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const applied = await world.core.client.deviceConfig('4200004');
    assert.deepEqual(applied.settings.priceItems, items);
    assert.equal(applied.settings.paymentMaxFen, 20_000, 'the limit set meanwhile is kept');
    const version = applied.configVersion;
    assert.equal((await as('finance').post(`/approvals/${approvalId}/approve`)).status, 200);
    assert.equal((await world.core.client.deviceConfig('4200004')).configVersion, version, 'approved once');

    // Meter pricing is a price too; a rejected change never applies.
    const shower = await read('4200005');
    const meter = { ...shower.settings.meter, priceFen: 5 };
    const meterChange = await as('device_admin').put(
      '/devices/4200005/config',
      form(shower, { meter, reason: '水价调整' }),
    );
    assert.equal(meterChange.body.status, 'pending_approval');
    const meterApproval = (meterChange.body.approval as { id: string }).id;
    assert.equal((await as('super_admin').post(`/approvals/${meterApproval}/reject`)).status, 200);
    assert.equal((await world.core.client.deviceConfig('4200005')).settings.meter.priceFen, 1);

    const actions = async (targetId: string) =>
      (await world.core.client.searchAudit({ targetId, limit: 20 })).items.map((e) => e.action).reverse();
    // The retry answered the same approval (its proposal may be logged again, naming the same id).
    assert.deepEqual(
      [...new Set(await actions('4200004'))],
      ['device.register', 'device.configure', 'device_config.propose'],
    );
    const proposals = await world.core.client.searchAudit({ action: 'device_config.propose', limit: 20 });
    assert.ok(proposals.items.every((e) => e.targetType === 'device'));
    assert.deepEqual(
      [...new Set(proposals.items.filter((e) => e.targetId === '4200004').map((e) => e.detail?.approvalId))],
      [approvalId],
    );
    assert.deepEqual(await actions(approvalId), ['device_config.approve']);
    assert.deepEqual(await actions(meterApproval), ['device_config.reject']);
  });
});
