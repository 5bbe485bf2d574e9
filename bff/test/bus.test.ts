import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusBooking, BusRidesOfCardPage, BusRun } from '@campus-card/core/contract';
import { shanghaiToday } from '@campus-card/core/time';
import { offlineRecord } from '@campus-card/tests/kit';
import { requestId } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: a bound student sees the day's runs, books a seat with their own card (never a card in the body),
// a retry is the same booking, and cancels it; and sees their own rides.
describe('school bus through the BFF', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('when a student books and cancels a seat, then the run counts follow and the card is the caller’s', async () => {
    const student = await boundStudent(world);
    const route = await world.core.client.addBusRoute({ name: '南线', stops: ['南门', '体育馆'] });
    // Departing later today in Shanghai (or in the next minutes when the day is nearly over).
    const run = await world.core.client.addBusRun({
      routeId: route.id,
      departsAtMs: Date.now() + 120_000,
      seats: 30,
    });
    const day = shanghaiToday(run.departsAtMs);
    const runs = await world.request<{ items: BusRun[] }>('GET', `/api/v1/bus/runs?day=${day}`, {
      token: student.accessToken,
    });
    assert.ok(runs.body.items.some((r) => r.id === run.id));
    const key = requestId();
    const booked = await world.request<BusBooking>('POST', '/api/v1/bus/bookings', {
      token: student.accessToken,
      body: { requestId: key, runId: run.id },
    });
    assert.equal(booked.status, 200, JSON.stringify(booked.body));
    assert.equal(booked.body.cardNo, student.cardNo);
    const again = await world.request<BusBooking>('POST', '/api/v1/bus/bookings', {
      token: student.accessToken,
      body: { requestId: key, runId: run.id },
    });
    assert.equal(again.body.id, booked.body.id);
    const spoof = await world.request('POST', '/api/v1/bus/bookings', {
      token: student.accessToken,
      body: { requestId: requestId(), runId: run.id, cardNo: '20240000' },
    });
    assert.equal(spoof.status, 400);
    assert.equal((await world.core.client.busRun(run.id)).booked, 1);
    const mine = await world.request<{ items: BusBooking[] }>('GET', '/api/v1/bus/bookings', {
      token: student.accessToken,
    });
    assert.deepEqual(
      mine.body.items.map((b) => b.id),
      [booked.body.id],
    );
    const cancelled = await world.request<BusBooking>(
      'POST',
      `/api/v1/bus/bookings/${booked.body.id}/cancel`,
      {
        token: student.accessToken,
      },
    );
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal((await world.core.client.busRun(run.id)).booked, 0);
  });

  test('when a student rode on a seat, for a fare and offline, then 乘车记录 lists their own rides newest first, a page at a time', async () => {
    // Goal: the rider's history reads the caller's bound card only, each ride with its run and route, how
    // they rode (booked seat, fare with its amount) and the rides a reader uploaded from offline.
    const client = world.core.client;
    const student = await boundStudent(world);
    const other = await boundStudent(world);
    const { version } = await client.getCard(student.cardNo);
    await client.topUp({ id: requestId(), cardNo: student.cardNo, amount: 1_000, channel: 'cash' });
    const merchant = await client.createMerchant({ name: '校车', category: 'shop' });
    const deviceId = String(7_000 + (process.pid % 1_000));
    await client.registerDevice({ id: deviceId, kind: 'gate', merchantId: merchant.id });
    const route = await client.addBusRoute({
      name: '东西线',
      stops: ['东门', '图书馆', '西区'],
      fareFen: 200,
    });
    const runAt = (minutes: number) =>
      client.addBusRun({ routeId: route.id, departsAtMs: Date.now() + minutes * 60_000, seats: 10 });
    const [offlineRun, seatRun, fareRun] = [await runAt(30), await runAt(60), await runAt(90)];
    for (const run of [offlineRun, seatRun])
      await client.bookBus({ requestId: requestId(), cardNo: student.cardNo, runId: run.id });
    // Oldest: a booked ride the reader took offline and uploaded at the depot.
    const uploaded = await client.uploadOfflineRecords(deviceId, [
      offlineRecord({
        offlineNo: 1,
        sequence: 1,
        recordKind: 'bus_ride',
        amount: 0,
        orderNo: 0,
        sessionId: offlineRun.id,
        takenAtMs: Date.now() - 120_000,
        cardNo: student.cardNo,
        cardVersion: version,
      }),
    ]);
    assert.equal(uploaded.results[0]?.status, 'accepted', JSON.stringify(uploaded));
    const check = (runId: string, sequence: number) =>
      client.checkBusRide({
        deviceId,
        sequence,
        runId,
        cardNo: student.cardNo,
        cardVersion: version,
        merchantId: merchant.id,
      });
    assert.equal((await check(seatRun.id, 2)).decision, 'allow');
    // Another student's ride is not theirs to see.
    const { version: otherVersion } = await client.getCard(other.cardNo);
    await client.bookBus({ requestId: requestId(), cardNo: other.cardNo, runId: seatRun.id });
    await client.checkBusRide({
      deviceId,
      sequence: 3,
      runId: seatRun.id,
      cardNo: other.cardNo,
      cardVersion: otherVersion,
      merchantId: merchant.id,
    });
    assert.deepEqual(await check(fareRun.id, 4), {
      decision: 'allow',
      kind: 'fare',
      chargedFen: 200,
      balanceAfterFen: 800,
    });

    const mine = await world.request<BusRidesOfCardPage>('GET', '/api/v1/bus/rides', {
      token: student.accessToken,
    });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.deepEqual(
      mine.body.items.map((r) => [r.runId, r.kind, r.amountFen, r.source, r.routeName, r.fromStop, r.toStop]),
      [
        [fareRun.id, 'fare', 200, 'online', '东西线', '东门', '西区'],
        [seatRun.id, 'booked', 0, 'online', '东西线', '东门', '西区'],
        [offlineRun.id, 'booked', 0, 'offline', '东西线', '东门', '西区'],
      ],
    );
    assert.equal(mine.body.items[0]?.departsAtMs, fareRun.departsAtMs);
    assert.equal(mine.body.next, null);
    // Paged: one ride a page through the core, and the BFF follows a cursor it is given.
    const firstPage = await client.busRidesOfCard(student.cardNo, { limit: 1 });
    assert.deepEqual(
      firstPage.items.map((r) => r.runId),
      [fareRun.id],
    );
    assert.ok(firstPage.next);
    const rest = await world.request<BusRidesOfCardPage>(
      'GET',
      `/api/v1/bus/rides?before=${encodeURIComponent(firstPage.next)}`,
      { token: student.accessToken },
    );
    assert.deepEqual(
      rest.body.items.map((r) => r.runId),
      [seatRun.id, offlineRun.id],
    );
    const bad = await world.request('GET', '/api/v1/bus/rides?before=x', { token: student.accessToken });
    assert.equal(bad.status, 400);
    const theirs = await world.request<BusRidesOfCardPage>('GET', '/api/v1/bus/rides', {
      token: other.accessToken,
    });
    assert.deepEqual(
      theirs.body.items.map((r) => r.runId),
      [seatRun.id],
    );
  });
});
