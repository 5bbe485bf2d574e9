import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusBooking, BusRun } from '@campus-card/core/contract';
import { shanghaiToday } from '@campus-card/core/time';
import { requestId } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: a bound student sees the day's runs, books a seat with their own card (never a card in the body),
// a retry is the same booking, and cancels it.
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
});
