import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PlaceDecision } from '@campus-card/core/client';
import type { Place, Rule } from '@campus-card/core/contract';
import { type Admins, signedInAdmins } from './admin-support.ts';
import { boundStudent, openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: 我的通行 answers the caller's own card's rights only (never a card the request names); in the
// backoffice a rule made shows in who can pass the door now, and a remote door command needs a reason and
// lands in the audit trail with it; an auditor reads but commands nothing.
describe('campus passage through the BFF', () => {
  let world: TestWorld;
  let admins: Admins;
  let door: Place;
  before(async () => {
    world = await startWorld();
    admins = await signedInAdmins(world);
    const core = world.core.client;
    const campus = await core.createPassagePlace({ kind: 'campus', parentId: null, name: '主校区' });
    const building = await core.createPassagePlace({ kind: 'building', parentId: campus.id, name: '图书馆' });
    door = await core.createPassagePlace({
      kind: 'door',
      parentId: building.id,
      name: '北门',
      doorKind: 'door',
    });
  });
  after(() => world.stop());

  test('when a student asks for their passage rights, then they get their own card’s and nobody else’s', async () => {
    const student = await boundStudent(world);
    const other = await openPerson(world, { name: '别人' });
    const rule = await world.request<Rule>('POST', '/api/admin/v1/passage/rules', {
      token: admins.super_admin,
      body: {
        name: '别人可进北门',
        effect: 'allow',
        who: { kind: 'person', value: other.personNo },
        where: { kind: 'door', id: door.id },
        windows: [],
      },
    });
    assert.equal(rule.status, 200, JSON.stringify(rule.body));
    const mine = await world.request<{ cardNo: string; items: PlaceDecision[] }>(
      'GET',
      '/api/v1/passage/rights',
      { token: student.accessToken },
    );
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.cardNo, student.cardNo);
    const northDoor = mine.body.items.find((i) => i.doorId === door.id);
    assert.equal(northDoor?.decision.decision ?? 'deny', 'deny');
    // The other person's card, named in the query, is refused, not answered.
    const spoof = await world.request('GET', `/api/v1/passage/rights?cardNo=${other.cardNo}`, {
      token: student.accessToken,
    });
    assert.equal(spoof.status, 400);
    const theirs = await world.core.client.passageRightsOfCard(other.cardNo);
    assert.equal(theirs.items.find((i) => i.doorId === door.id)?.decision.decision, 'allow');
    const anonymous = await world.request('GET', '/api/v1/passage/rights');
    assert.equal(anonymous.status, 401);
  });

  test('when an admin makes a rule and commands a door, then who-can-pass shows it and the command is audited with its reason', async () => {
    const person = await openPerson(world, { name: '门卫甲' });
    const made = await world.request<Rule>('POST', '/api/admin/v1/passage/rules', {
      token: admins.device_admin,
      body: {
        name: '门卫甲可进北门',
        effect: 'allow',
        who: { kind: 'person', value: person.personNo },
        where: { kind: 'door', id: door.id },
        windows: [],
      },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const who = await world.request<{ items: { personNo: string }[] }>(
      'GET',
      `/api/admin/v1/passage/doors/${door.id}/who`,
      { token: admins.auditor },
    );
    assert.equal(who.status, 200, JSON.stringify(who.body));
    assert.ok(who.body.items.some((i) => i.personNo === person.personNo));

    const path = `/api/admin/v1/passage/places/${door.id}/commands`;
    const noReason = await world.request('POST', path, {
      token: admins.super_admin,
      body: { command: 'hold_open', seconds: 600 },
    });
    assert.equal(noReason.status, 400);
    const auditor = await world.request('POST', path, {
      token: admins.auditor,
      body: { command: 'open', reason: '消防检查' },
    });
    assert.equal(auditor.status, 403);
    const held = await world.request<{ command: string; seconds: number }>('POST', path, {
      token: admins.super_admin,
      body: { command: 'hold_open', seconds: 600, reason: '搬运大型设备' },
    });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.equal(held.body.seconds, 600);
    const audit = await world.core.client.searchAudit({ action: 'passage.hold_open', limit: 5 });
    const entry = audit.items.find((e) => e.targetId === door.id);
    assert.ok(entry, 'the command is in the audit trail');
    assert.equal(entry.detail?.reason, '搬运大型设备');
    assert.equal(entry.detail?.by, 'super');
    assert.equal(entry.detail?.seconds, 600);

    const removed = await world.request('DELETE', `/api/admin/v1/passage/rules/${made.body.id}`, {
      token: admins.device_admin,
    });
    assert.equal(removed.status, 200);
    const after = await world.request<{ items: { personNo: string }[] }>(
      'GET',
      `/api/admin/v1/passage/doors/${door.id}/who`,
      { token: admins.super_admin },
    );
    assert.ok(!after.body.items.some((i) => i.personNo === person.personNo));
  });

  test('when an admin builds a door and its device and the door is used, then the access log shows it to the security office, not to the transport office, and its export is in Chinese and audited', async () => {
    // Goal: places are edited in the backoffice (made, renamed, given a device), each change audited; the
    // access log reads the door's passes by building, and its export names what it was made with.
    const campus = (await world.core.client.passagePlaces()).items.find((p) => p.kind === 'campus');
    assert.ok(campus);
    const made = await world.request<Place>('POST', '/api/admin/v1/passage/places', {
      token: admins.device_admin,
      body: { kind: 'building', parentId: campus.id, name: '5号宿舍' },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const bad = await world.request('POST', '/api/admin/v1/passage/places', {
      token: admins.device_admin,
      body: { kind: 'door', parentId: made.body.id, name: '无类型的门' },
    });
    assert.equal(bad.status, 400, 'a door names its kind');
    const dormDoor = await world.request<Place>('POST', '/api/admin/v1/passage/places', {
      token: admins.device_admin,
      body: { kind: 'door', parentId: made.body.id, name: '南门', doorKind: 'door' },
    });
    const renamed = await world.request<Place>('PATCH', `/api/admin/v1/passage/places/${dormDoor.body.id}`, {
      token: admins.device_admin,
      body: { name: '5号宿舍南门' },
    });
    assert.equal(renamed.body.name, '5号宿舍南门');
    const deviceId = String(900_000 + (process.pid % 90_000));
    const put = await world.request('PUT', `/api/admin/v1/passage/doors/${dormDoor.body.id}/devices`, {
      token: admins.device_admin,
      body: { deviceId, direction: 'in' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const audit = await world.core.client.searchAudit({ action: 'passage.place_change', limit: 5 });
    assert.ok(audit.items.some((e) => e.targetId === dormDoor.body.id && e.detail?.name === '5号宿舍南门'));

    const resident = await openPerson(world, { name: '晚归同学' });
    const atMs = Date.UTC(2026, 10, 3, 16, 30);
    await world.core.client.recordAccessEvent({
      deviceId,
      sequence: 1,
      cardNo: resident.cardNo,
      direction: 'in',
      decision: 'deny',
      reason: 'CURFEW',
      source: 'online',
      occurredAtMs: atMs,
    });
    const window = `fromMs=${atMs - 60_000}&toMs=${atMs + 60_000}`;
    const log = await world.request<{
      items: { name: string | null; doorName: string | null; reason: string }[];
    }>('GET', `/api/admin/v1/passage/access-log?placeId=${made.body.id}&${window}`, {
      token: admins.security_office,
    });
    assert.equal(log.status, 200, JSON.stringify(log.body));
    assert.deepEqual(
      log.body.items.map((r) => [r.name, r.doorName, r.reason]),
      [['晚归同学', '5号宿舍南门', 'CURFEW']],
    );
    const refused = await world.request('GET', `/api/admin/v1/passage/access-log?${window}`, {
      token: admins.transport_office,
    });
    assert.equal(refused.status, 403);
    const badQuery = await world.request('GET', '/api/admin/v1/passage/access-log?fromMs=5&toMs=5', {
      token: admins.security_office,
    });
    assert.equal(badQuery.status, 400);

    const response = await fetch(
      `${world.bff.url}/api/admin/v1/passage/access-log/export?placeId=${made.body.id}&${window}&format=csv`,
      { headers: { authorization: `Bearer ${admins.dorm_office}` } },
    );
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /access-log\.csv/);
    const csv = await response.text();
    assert.match(csv, /时间,门,设备,学工号,姓名,卡号,方向,结果,原因,来源/);
    assert.match(csv, /5号宿舍南门,\d+,[^,]+,晚归同学,\d+,进,拒绝,宿舍门禁时段,在线/);
    const exported = await world.core.client.searchAudit({ action: 'passage.log_export', limit: 5 });
    const entry = exported.items.find((e) => e.detail?.placeId === made.body.id);
    assert.equal(entry?.detail?.rows, 1);
    assert.equal(entry?.detail?.by, 'dorm');
  });
});
