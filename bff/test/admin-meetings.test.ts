import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusRoute, BusRun, MeetingBoard, MeetingView } from '@campus-card/core/contract';
import { shanghaiToday } from '@campus-card/core/time';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: the backoffice makes an exam from a CSV roster with seats, shows its live board and exports it;
// a department admin makes meetings of their own department only, and an auditor only reads.
describe('meetings and exams in the backoffice', () => {
  let world: TestWorld;
  let admins: Admins;
  before(async () => {
    world = await startWorld();
    admins = await signedInAdmins(world);
  });
  after(() => world.stop());

  test('when an exam is made from a CSV roster, then its board and export follow the sign-ins', async () => {
    const cards = [await openCard(world, '数学学院', '甲同学'), await openCard(world, '数学学院', '乙同学')];
    const people = await Promise.all(cards.map((c) => world.core.client.getCard(c)));
    const startsAtMs = Date.now() - 60_000;
    const id = `EX${process.pid}${Date.now().toString(36)}`.slice(0, 32);
    const made = await world.request<MeetingView>('POST', '/api/admin/v1/meetings', {
      token: admins.super_admin,
      body: {
        id,
        kind: 'exam',
        title: '线性代数',
        location: '教一-204',
        startsAtMs,
        endsAtMs: startsAtMs + 7_200_000,
        roster: { by: 'csv', csv: `学号,座位号\n${people[0]?.personNo},A01\n${people[1]?.personNo},A02\n` },
        readers: ['41'],
      },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.equal(made.body.rosterSize, 2);
    assert.equal(made.body.organiser, 'super');
    await world.core.client.signInAttendance({
      sessionId: id,
      cardNo: cards[0] ?? '',
      deviceId: '41',
      sequence: 1,
      atMs: Date.now(),
      source: 'online',
    });
    const board = await world.request<MeetingBoard>('GET', `/api/admin/v1/meetings/${id}/board`, {
      token: admins.auditor,
    });
    assert.equal(board.status, 200);
    const expected = [
      [people[0]?.personNo ?? '', '甲同学', 'A01', 'signed_in'],
      [people[1]?.personNo ?? '', '乙同学', 'A02', 'waiting'],
    ].sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
    assert.deepEqual(
      board.body.rows.map((r) => [r.personNo, r.name, r.seat, r.status]),
      expected,
    );
    const exported = await fetch(`${world.bff.url}/api/admin/v1/meetings/${id}/board.csv`, {
      headers: { authorization: `Bearer ${admins.auditor}` },
    });
    assert.equal(exported.status, 200);
    const text = await exported.text();
    assert.match(text, /学号,姓名,院系,座位,状态,签到时间/);
    assert.match(text, /甲同学,数学学院,A01,已签到,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    const told = await world.request<{ late: number; absent: number }>(
      'POST',
      `/api/admin/v1/meetings/${id}/notices`,
      { token: admins.super_admin, body: {} },
    );
    assert.deepEqual(told.body, { late: 0, absent: 0 });
    const today = new Date(startsAtMs + 8 * 3600_000).toISOString().slice(0, 10);
    const list = await world.request<{ items: MeetingView[] }>(
      'GET',
      `/api/admin/v1/meetings?from=${today}&to=${today}`,
      { token: admins.department_admin },
    );
    assert.ok(list.body.items.some((m) => m.id === id));
  });

  test('when a department admin makes a meeting of another department, or an auditor makes one, then 403 and nothing is made', async () => {
    const startsAtMs = Date.now() + 3_600_000;
    const body = (department: string) => ({
      id: `DM${process.pid}${Date.now().toString(36)}`.slice(0, 32),
      kind: 'meeting',
      title: '院务会',
      startsAtMs,
      endsAtMs: startsAtMs + 3_600_000,
      roster: { by: 'department', department },
    });
    const other = body('物理学院');
    const refused = await world.request('POST', '/api/admin/v1/meetings', {
      token: admins.department_admin,
      body: other,
    });
    assert.equal(refused.status, 403);
    const auditor = await world.request('POST', '/api/admin/v1/meetings', {
      token: admins.auditor,
      body: other,
    });
    assert.equal(auditor.status, 403);
    const missing = await world.request('GET', `/api/admin/v1/meetings/${other.id}/board`, {
      token: admins.super_admin,
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'MEETING_NOT_FOUND');
    await openCard(world, '计算机学院', '丙同学');
    const own = await world.request<MeetingView>('POST', '/api/admin/v1/meetings', {
      token: admins.department_admin,
      body: { ...body('计算机学院'), id: `${other.id.slice(0, 30)}b` },
    });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.ok(own.body.rosterSize >= 1);
  });
  // 校车管理 (docs/visitors-meetings-bus.md) shares this world: the transport office makes a route with a
  // fare and a run, sees bookings and rides, cannot shrink the run below its bookings; an auditor reads only.
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
    const cardNo = await openCard(world, '交通运输学院');
    await world.core.client.bookBus({ requestId: `bus-${process.pid}-1`, cardNo, runId: run.body.id });
    await world.core.client.bookBus({
      requestId: `bus-${process.pid}-2`,
      cardNo: await openCard(world, '交通运输学院'),
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
