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
});
