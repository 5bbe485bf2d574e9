import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { campusGuards } from '../src/admin/campus-scope.ts';
import { adminRoutes } from '../src/admin/routes.ts';
import { demoAdminPassword, seedAdminDemo } from '../src/admin/seed.ts';
import { adminToken, openCard } from './admin-support.ts';
import { offlineException } from './offline-support.ts';
import { startWorld, type TestWorld } from './support.ts';

// Campus administrators (docs/campuses.md): an account scoped to one campus sees and changes only that
// campus's merchants, devices, places, settlement rows and reports, and the admin API enforces it:
// another campus's device or merchant is refused with CAMPUS_FORBIDDEN, lists and reports are narrowed.

const api = '/api/admin/v1';
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

describe('admin campus scope', () => {
  let world: TestWorld;
  /** Centre-wide demo accounts (only the roles used, to keep the sign-ins few). */
  const tokens = { super_admin: '', finance: '' };
  /** Tokens of accounts scoped to the north campus. */
  const north = { devices: '', finance: '', security: '', content: '' };
  const ids = { north: '', south: '', northRoot: '', northArea: '', southRoot: '' };
  const merchants = { north: 'M-CAMPUS-N', south: 'M-CAMPUS-S' };

  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    tokens.super_admin = await adminToken(world, 'super', demoAdminPassword);
    tokens.finance = await adminToken(world, 'finance', demoAdminPassword);
    const core = world.core.client;
    const northRoot = await core.createPassagePlace({ kind: 'campus', parentId: null, name: '北校区' });
    const northArea = await core.createPassagePlace({ kind: 'area', parentId: northRoot.id, name: '教学区' });
    const southRoot = await core.createPassagePlace({ kind: 'campus', parentId: null, name: '南校区' });
    Object.assign(ids, { northRoot: northRoot.id, northArea: northArea.id, southRoot: southRoot.id });
    for (const [key, code, name, placeId] of [
      ['north', 'north', '北校区', northRoot.id],
      ['south', 'south', '南校区', southRoot.id],
    ] as const) {
      const made = await world.request<{ id: string }>('POST', `${api}/campuses`, {
        token: tokens.super_admin,
        body: { code, name, placeId },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      ids[key] = made.body.id;
    }
    for (const [username, role] of [
      ['northdev', 'device_admin'],
      ['northfin', 'finance'],
      ['northsec', 'security_office'],
      ['northcms', 'content_editor'],
    ] as const) {
      const made = await world.request('POST', `${api}/accounts`, {
        token: tokens.super_admin,
        body: {
          username,
          displayName: `北校区${role}`,
          role,
          campusId: ids.north,
          password: 'campus-pass-123',
        },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    north.devices = await adminToken(world, 'northdev', 'campus-pass-123');
    north.finance = await adminToken(world, 'northfin', 'campus-pass-123');
    north.security = await adminToken(world, 'northsec', 'campus-pass-123');
    north.content = await adminToken(world, 'northcms', 'campus-pass-123');
    for (const [id, campusId] of [
      [merchants.north, ids.north],
      [merchants.south, ids.south],
    ] as const) {
      const made = await world.request('POST', `${api}/merchants`, {
        token: tokens.finance,
        body: { id, name: `${id}食堂`, category: 'canteen', campusId },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    // The backoffice takes core-made merchant ids only; these readable ones are registered directly.
    await core.registerDevice({ id: '9101', kind: 'pos', merchantId: merchants.north, campusId: ids.north });
    await core.registerDevice({ id: '9102', kind: 'pos', merchantId: merchants.south, campusId: ids.south });
  });
  after(() => world.stop());

  test('when a campus admin reaches another campus’s device, then the API refuses it with CAMPUS_FORBIDDEN and lists only its own', async () => {
    const list = await world.request<{
      items: { id: string; campusId: string | null }[];
      merchants: { id: string; campusId: string | null }[];
    }>('GET', `${api}/devices`, {
      token: north.devices,
    });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((d) => [d.id, d.campusId]),
      [['9101', ids.north]],
    );
    // The merchants offered to register a device to (by name, #19): the campus's own only.
    assert.deepEqual(
      list.body.merchants.map((m) => [m.id, m.campusId]),
      [[merchants.north, ids.north]],
    );
    const all = await world.request<{ items: { id: string }[] }>('GET', `${api}/devices`, {
      token: tokens.super_admin,
    });
    assert.deepEqual(all.body.items.map((d) => d.id).sort(), ['9101', '9102']);

    for (const [method, path, body] of [
      ['POST', '/devices/9102/status', { status: 'disabled' }],
      ['POST', '/devices/9102/key', { confirm: true }],
      ['GET', '/devices/9102/config', undefined],
      ['POST', '/devices', { id: '9103', kind: 'gate', campusId: ids.south }],
      ['POST', '/devices', { id: '9103', kind: 'gate' }],
      ['PUT', '/devices/9101/campus', { campusId: ids.south }],
    ] as const) {
      const refused = await world.request(method, `${api}${path}`, {
        token: north.devices,
        ...(body ? { body } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path} ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }
    assert.equal(
      (await world.core.client.getDevice('9102')).status,
      'active',
      'the refused disable changed nothing',
    );
    const own = await world.request<{ status: string }>('POST', `${api}/devices/9101/status`, {
      token: north.devices,
      body: { status: 'disabled' },
    });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.status, 'disabled');
    const added = await world.request<{ campusId: string }>('POST', `${api}/devices`, {
      token: north.devices,
      body: { id: '9103', kind: 'gate', campusId: ids.north },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.campusId, ids.north);
  });

  test('when a campus admin of finance works with merchants, settlement and reports, then only its campus is reached', async () => {
    const list = await world.request<{ items: { id: string }[] }>('GET', `${api}/merchants`, {
      token: north.finance,
    });
    assert.deepEqual(
      list.body.items.map((m) => m.id),
      [merchants.north],
    );
    const today = shanghaiDay(Date.now());
    for (const [method, path, body] of [
      ['POST', `/merchants/${merchants.south}/status`, { status: 'disabled' }],
      ['GET', `/merchants/${merchants.south}/statements/${today}`, undefined],
      ['PUT', `/window-capacities/${merchants.south}`, { paymentsPer15Min: 40 }],
      ['POST', '/merchants', { name: '南区新店', category: 'shop', campusId: ids.south }],
      ['GET', `/reports/top-up-channels?from=${today}&to=${today}`, undefined],
      ['GET', `/reports/turnover-campuses?from=${today}&to=${today}`, undefined],
      ['GET', `/top-up-mismatches?billDate=${today}`, undefined],
    ] as const) {
      const refused = await world.request(method, `${api}${path}`, {
        token: north.finance,
        ...(body ? { body } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path} ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }

    const core = world.core.client;
    const cardNo = await openCard(world, '计算机学院');
    // Device 9101 was disabled by the test before; the north canteen's second till takes this payment.
    await core.registerDevice({ id: '9111', kind: 'pos', merchantId: merchants.north, campusId: ids.north });
    await core.topUp({ id: `t-campus-${Date.now()}`, cardNo, amount: 5_000, channel: 'cash' });
    const paid = [
      await core.pay({
        id: `p-campus-n-${Date.now()}`,
        cardNo,
        merchantId: merchants.north,
        deviceId: '9111',
        amount: 700,
      }),
      await core.pay({
        id: `p-campus-s-${Date.now()}`,
        cardNo,
        merchantId: merchants.south,
        deviceId: '9102',
        amount: 400,
      }),
    ];
    assert.deepEqual(
      paid.map((p) => p.status),
      ['ok', 'ok'],
    );
    // Even asking for the south campus by name, the campus admin's report is its own campus's.
    const report = await world.request<{ items: { merchantId: string; paymentAmount: number }[] }>(
      'GET',
      `${api}/reports/turnover-merchants?from=${today}&to=${today}&campusId=${ids.south}`,
      { token: north.finance },
    );
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.deepEqual(
      report.body.items.map((r) => [r.merchantId, r.paymentAmount]),
      [[merchants.north, 700]],
    );
    const byCampus = await world.request<{ items: { campusName: string; paymentAmount: number }[] }>(
      'GET',
      `${api}/reports/turnover-campuses?from=${today}&to=${today}`,
      { token: tokens.finance },
    );
    assert.deepEqual(byCampus.body.items.map((r) => [r.campusName, r.paymentAmount]).sort(), [
      ['北校区', 700],
      ['南校区', 400],
    ]);
    const rows = await world.request<{ items: { merchantId: string; paymentAmount: number }[] }>(
      'GET',
      `${api}/settlements/${today}`,
      { token: north.finance },
    );
    assert.deepEqual(
      rows.body.items.map((r) => [r.merchantId, r.paymentAmount]),
      [[merchants.north, 700]],
    );
    const yesterday = shanghaiDay(Date.now() - 86_400_000);
    const settled = await world.request<{ items: { merchantId: string }[] }>(
      'POST',
      `${api}/settlements/${yesterday}`,
      {
        token: north.finance,
      },
    );
    assert.equal(settled.status, 200, JSON.stringify(settled.body));
    assert.deepEqual(
      settled.body.items.map((r) => r.merchantId),
      [merchants.north],
    );
  });

  test('when a campus admin of the security office reads places and commands doors, then only its campus’s place tree is reached', async () => {
    const places = await world.request<{ items: { id: string }[] }>('GET', `${api}/passage/places`, {
      token: north.security,
    });
    assert.equal(places.status, 200, JSON.stringify(places.body));
    assert.deepEqual(places.body.items.map((p) => p.id).sort(), [ids.northArea, ids.northRoot].sort());
    for (const [method, path, body] of [
      ['POST', `/passage/places/${ids.southRoot}/commands`, { command: 'open' }],
      ['GET', `/passage/doors/${ids.southRoot}/who`, undefined],
    ] as const) {
      const refused = await world.request(method, `${api}${path}`, {
        token: north.security,
        ...(body ? { body } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path} ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }
    // The same question about its own campus's place goes through to the passage domain.
    const own = await world.request('GET', `${api}/passage/doors/${ids.northArea}/who`, {
      token: north.security,
    });
    assert.notEqual(own.body.code, 'CAMPUS_FORBIDDEN');
  });

  test('when accounts are scoped, then a super admin cannot be and an unknown campus is refused', async () => {
    const superScoped = await world.request('POST', `${api}/accounts`, {
      token: tokens.super_admin,
      body: {
        username: 'supernorth',
        displayName: '北区超管',
        role: 'super_admin',
        campusId: ids.north,
        password: 'campus-pass-123',
      },
    });
    assert.equal(superScoped.status, 400);
    assert.equal(superScoped.body.code, 'VALIDATION_FAILED');
    const unknown = await world.request('POST', `${api}/accounts`, {
      token: tokens.super_admin,
      body: {
        username: 'nowhere',
        displayName: '无校区',
        role: 'finance',
        campusId: 'NOSUCHCAMPUS',
        password: 'campus-pass-123',
      },
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'CAMPUS_NOT_FOUND');
  });

  test('#18 when a campus admin publishes news or courses, then only its own campus is a target it may name, see and change', async () => {
    const options = await world.request<{ departments: unknown[]; campuses: { value: string }[] }>(
      'GET',
      `${api}/content/audiences`,
      { token: north.content },
    );
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.deepEqual(options.body.departments, []);
    assert.deepEqual(
      options.body.campuses.map((c) => c.value),
      [ids.north],
    );
    const count = (token: string, campusId: string) =>
      world.request<{ people: number; code?: string }>(
        'GET',
        `${api}/content/audience-count?type=campus&value=${campusId}`,
        { token },
      );
    assert.equal((await count(north.content, ids.north)).status, 200);
    const otherCount = await count(north.content, ids.south);
    assert.equal(otherCount.status, 403);
    assert.equal(otherCount.body.code, 'CAMPUS_FORBIDDEN');

    const news = (token: string, audience: unknown) =>
      world.request<{ id: string; code?: string }>('POST', `${api}/news`, {
        token,
        body: { title: '校区通知', body: '正文', audience },
      });
    const centre = await news(tokens.super_admin, { type: 'all' });
    assert.equal(centre.status, 201, JSON.stringify(centre.body));
    for (const audience of [
      { type: 'all' },
      { type: 'campus', value: ids.south },
      { type: 'grade', value: '2024' },
    ]) {
      const refused = await news(north.content, audience);
      assert.equal(refused.status, 403, JSON.stringify(audience));
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }
    const own = await news(north.content, { type: 'campus', value: ids.north });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    const listed = await world.request<{ items: { id: string }[] }>('GET', `${api}/news`, {
      token: north.content,
    });
    assert.deepEqual(
      listed.body.items.map((n) => n.id),
      [own.body.id],
    );
    for (const [method, path, body] of [
      ['PATCH', `/news/${centre.body.id}`, { title: '改掉' }],
      ['POST', `/news/${centre.body.id}/withdraw`, undefined],
      ['PATCH', `/news/${own.body.id}`, { audience: { type: 'all' } }],
    ] as const) {
      const refused = await world.request(method, `${api}${path}`, {
        token: north.content,
        ...(body ? { body } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }
    const withdrawn = await world.request('POST', `${api}/news/${own.body.id}/withdraw`, {
      token: north.content,
    });
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));

    const course = (audience: unknown) =>
      world.request<{ id: string; code?: string }>('POST', `${api}/courses`, {
        token: north.content,
        body: { title: '消防演练', teacher: '保卫处', audience },
      });
    assert.equal((await course({ type: 'campus', value: ids.south })).status, 403);
    const ownCourse = await course({ type: 'campus', value: ids.north });
    assert.equal(ownCourse.status, 201, JSON.stringify(ownCourse.body));
    const lesson = await world.request<{ id: string }>(
      'POST',
      `${api}/courses/${ownCourse.body.id}/lessons`,
      {
        token: north.content,
        body: { seq: 1, title: '第一课', video: { url: 'https://example.edu/v.mp4' }, durationSeconds: 60 },
      },
    );
    assert.equal(lesson.status, 201, JSON.stringify(lesson.body));
    const edited = await world.request('PATCH', `${api}/lessons/${lesson.body.id}`, {
      token: north.content,
      body: { title: '第一课（改）' },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
  });

  test('#18 when a campus admin reads the dashboard and the offline exceptions, then only its campus’s figures and exceptions come back; a super admin picks any campus or all', async () => {
    const south = await offlineException(world.core.client, { amount: 700, held: 100 });
    await world.core.client.setDeviceCampus(south.deviceId, ids.south);
    const exceptions = (token: string, query = '') =>
      world.request<{ items: { id: string }[] }>('GET', `${api}/offline-exceptions${query}`, { token });
    const has = (list: { items: { id: string }[] }) => list.items.some((e) => e.id === south.id);
    assert.equal(has((await exceptions(north.devices)).body), false);
    assert.equal(
      has((await exceptions(north.devices, `?campusId=${ids.south}`)).body),
      false,
      'narrowed whatever it asks',
    );
    assert.equal(has((await exceptions(tokens.super_admin)).body), true);
    assert.equal(has((await exceptions(tokens.super_admin, `?campusId=${ids.south}`)).body), true);
    assert.equal(has((await exceptions(tokens.super_admin, `?campusId=${ids.north}`)).body), false);
    const resolve = await world.request('POST', `${api}/offline-exceptions/${south.id}/resolve`, {
      token: north.finance,
      body: { action: 'write_off', requestId: `campus-${Date.now()}`, note: '跨校区' },
    });
    assert.equal(resolve.status, 403);
    assert.equal(resolve.body.code, 'CAMPUS_FORBIDDEN');

    type Dash = { campusId: string | null; topUpCount: number | null; devicesUsedToday: number };
    const dashboard = (token: string, query = '') =>
      world.request<Dash>('GET', `${api}/dashboard${query}`, { token });
    const scoped = await dashboard(north.devices, `?campusId=${ids.south}`);
    assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
    assert.equal(scoped.body.campusId, ids.north);
    assert.equal(scoped.body.topUpCount, null, 'top-ups are the centre’s, not a campus’s');
    const centre = await dashboard(tokens.super_admin);
    assert.equal(centre.body.campusId, null);
    assert.equal(typeof centre.body.topUpCount, 'number');
    assert.equal((await dashboard(tokens.super_admin, `?campusId=${ids.south}`)).body.campusId, ids.south);

    // The live socket follows the session: a campus admin's carries their campus's figures only.
    const firstOnSocket = async (token: string) => {
      const ticket = await world.request<{ path: string }>('POST', `${api}/events/ticket`, { token });
      assert.equal(ticket.status, 200, JSON.stringify(ticket.body));
      const ws = new WebSocket(`${world.bff.url.replace('http', 'ws')}${ticket.body.path}`);
      const first = await new Promise<Dash>((resolve, reject) => {
        ws.once('message', (data) => resolve((JSON.parse(String(data)) as { dashboard: Dash }).dashboard));
        ws.once('error', reject);
      });
      ws.close();
      return first;
    };
    const live = await firstOnSocket(north.devices);
    assert.equal(live.campusId, ids.north);
    assert.equal(live.topUpCount, null);
    assert.equal((await firstOnSocket(tokens.super_admin)).campusId, null);
  });

  test('when the admin routes are listed, then every one reaching merchants, devices, places, settlement or reports has a campus rule', () => {
    const reaches =
      /^\/(merchants|devices|settlements|reports|passage\/(places|doors|devices)|campuses\/|top-up-mismatches|dashboard|offline-exceptions|news|courses|lessons|content\/)/;
    const missing = adminRoutes
      .filter((r) => reaches.test(r.path))
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !(key in campusGuards));
    assert.deepEqual(missing, []);
  });
});
