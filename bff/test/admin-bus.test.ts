import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusRoute, BusRun } from '@campus-card/core/contract';
import { shanghaiToday } from '@campus-card/core/time';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: the transport office makes a route with a fare and a run, sees the run's booked and boarded
// counts and its rides, cannot shrink a run below its bookings, and every change is audited; an auditor
// reads but may not change anything.
describe('校车管理 in the backoffice', () => {
  let world: TestWorld;
  let admins: Admins;
  before(async () => {
    world = await startWorld();
    admins = await signedInAdmins(world);
  });
  after(() => world.stop());

  test('when the transport office makes a route and a run, then bookings and rides show and changes are audited', async () => {
    const token = admins.transport_office;
    const route = await world.request<BusRoute>('POST', '/api/admin/v1/bus/routes', {
      token,
      body: { name: '东区—西区', stops: ['东门', '图书馆', '西门'], fareFen: 200 },
    });
    assert.equal(route.status, 200, JSON.stringify(route.body));
    assert.equal(route.body.fareFen, 200);
    const departsAtMs = Date.now() + 3_600_000;
    const run = await world.request<BusRun>('POST', '/api/admin/v1/bus/runs', {
      token,
      body: { routeId: route.body.id, departsAtMs, seats: 2 },
    });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const cardNo = await openCard(world, '物理学院');
    await world.core.client.bookBus({ requestId: `bus-${process.pid}-1`, cardNo, runId: run.body.id });
    await world.core.client.bookBus({
      requestId: `bus-${process.pid}-2`,
      cardNo: await openCard(world, '物理学院'),
      runId: run.body.id,
    });
    const card = await world.core.client.getCard(cardNo);
    await world.core.client.checkBusRide({
      deviceId: '77',
      sequence: 1,
      runId: run.body.id,
      cardNo,
      cardVersion: card.version,
      merchantId: null,
    });

    const day = shanghaiToday(departsAtMs);
    const runs = await world.request<{ items: BusRun[] }>(
      'GET',
      `/api/admin/v1/bus/runs?from=${day}&to=${day}`,
      {
        token: admins.auditor,
      },
    );
    assert.equal(runs.status, 200);
    const listed = runs.body.items.find((r) => r.id === run.body.id);
    assert.deepEqual([listed?.booked, listed?.boarded], [2, 1]);
    const detail = await world.request<{ counts: Record<string, number>; rides: { kind: string }[] }>(
      'GET',
      `/api/admin/v1/bus/runs/${run.body.id}`,
      { token: admins.auditor },
    );
    assert.deepEqual([detail.body.counts.booked, detail.body.counts.ridden], [1, 1]);
    assert.deepEqual(
      detail.body.rides.map((r) => r.kind),
      ['booked'],
    );

    const shrink = await world.request<{ code: string }>('PUT', `/api/admin/v1/bus/runs/${run.body.id}`, {
      token,
      body: { departsAtMs, seats: 1 },
    });
    assert.deepEqual([shrink.status, shrink.body.code], [409, 'BUS_SEATS_TAKEN']);
    const forbidden = await world.request<{ code: string }>('POST', '/api/admin/v1/bus/routes', {
      token: admins.auditor,
      body: { name: '环线', stops: ['南门', '北门'], fareFen: null },
    });
    assert.equal(forbidden.status, 403);
    const audit = await world.core.client.searchAudit({ action: 'bus.run_create' });
    assert.ok(audit.items.some((e) => e.targetId === run.body.id));
  });
});
