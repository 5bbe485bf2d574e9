import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { VisitView } from '@campus-card/core/contract';
import { createCampusKeyring, createVisitorPassVerifier } from '@campus-card/core/credential';
import { loadConfig } from '../src/config.ts';
import { signingKeyOf } from '../src/services/credentials.ts';
import { type Admins, requestId, signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Goal: a bound host invites a visitor from the mini-program; the visitor's link (no account) answers a
// pass the campus key signed that a gate verifies offline at the visit's places only; a department's
// visits wait for its admin; the security office's list shows who checked in.
describe('visitors through the BFF', () => {
  let world: TestWorld;
  let admins: Admins;
  before(async () => {
    world = await startWorld();
    admins = await signedInAdmins(world);
  });
  after(() => world.stop());

  const invitation = (extra: Record<string, unknown> = {}) => {
    const from = Date.now() - 60_000;
    return {
      requestId: requestId(),
      visitorName: '赵来宾',
      visitorPhone: '13900005678',
      idTail: '4321',
      purpose: '参加讲座',
      validFromMs: from,
      validUntilMs: from + 3 * 3600_000,
      places: ['device:3'],
      ...extra,
    };
  };

  test('when a host invites, then the link answers a pass a gate verifies offline at its places only', async () => {
    const host = await boundStudent(world, { type: 'staff', department: '物理学院' });
    await world.core.client.setVisitorPolicy({
      hostTypes: ['staff', 'student'],
      approvalDepartments: [],
      offeredPlaces: [{ id: 'device:3', name: '南门' }],
    });
    const places = await world.request<{ items: unknown[] }>('GET', '/api/v1/visitor-places', {
      token: host.accessToken,
    });
    assert.deepEqual(places.body.items, [{ id: 'device:3', name: '南门' }]);
    const invited = await world.request<{ visit: VisitView; linkToken: string }>('POST', '/api/v1/visits', {
      token: host.accessToken,
      body: invitation(),
    });
    assert.equal(invited.status, 200, JSON.stringify(invited.body));
    // A host card in the body is not accepted: the host is the caller.
    const spoof = await world.request('POST', '/api/v1/visits', {
      token: host.accessToken,
      body: { ...invitation(), hostCardNo: host.cardNo },
    });
    assert.equal(spoof.status, 400);
    const mine = await world.request<{ items: VisitView[] }>('GET', '/api/v1/visits', {
      token: host.accessToken,
    });
    assert.deepEqual(
      mine.body.items.map((v) => v.id),
      [invited.body.visit.id],
    );

    const pass = await world.request<{ visit: VisitView; passText: string }>(
      'GET',
      `/api/v1/visitor-passes/${invited.body.linkToken}`,
    );
    assert.equal(pass.status, 200);
    assert.equal(pass.headers.get('cache-control'), 'no-store');
    assert.equal(pass.body.visit.visitorName, '赵来宾');
    assert.equal(JSON.stringify(pass.body).includes('4321'), false);
    const key = signingKeyOf(loadConfig(world.env).campusSigningKey);
    const gate = createVisitorPassVerifier({
      keyring: createCampusKeyring([{ kid: key.kid, publicKey: key.publicKey }]),
    });
    const nowMs = Date.now();
    assert.equal(
      gate({ text: pass.body.passText, nowMs, placesHere: ['device:3'], idTail: '4321' }).ok,
      true,
    );
    const wrongPlace = gate({ text: pass.body.passText, nowMs, placesHere: ['device:4'], idTail: '4321' });
    assert.equal(wrongPlace.ok === false && wrongPlace.code, 'WRONG_PLACE');
    const wrongTail = gate({ text: pass.body.passText, nowMs, placesHere: ['device:3'], idTail: '4322' });
    assert.equal(wrongTail.ok === false && wrongTail.code, 'ID_TAIL_MISMATCH');

    const unknown = await world.request('GET', `/api/v1/visitor-passes/${'x'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'VISIT_NOT_FOUND');

    // Checked in at the gate: the security office sees the visitor; the auditor may read, a device admin may not.
    await world.core.client.recordVisitPassage({
      passId: pass.body.visit.passId,
      deviceId: '3',
      sequence: 1,
      direction: 'in',
      source: 'online',
      occurredAtMs: nowMs,
    });
    const onCampus = await world.request<{ items: VisitView[] }>('GET', '/api/admin/v1/visitors/on-campus', {
      token: admins.auditor,
    });
    assert.equal(onCampus.status, 200);
    assert.ok(onCampus.body.items.some((v) => v.id === invited.body.visit.id));
    // A department admin sees only their own department's hosts' visitors (this host is in 物理学院).
    const scoped = await world.request<{ items: VisitView[] }>('GET', '/api/admin/v1/visitors/on-campus', {
      token: admins.department_admin,
    });
    assert.equal(scoped.status, 200);
    assert.equal(
      scoped.body.items.some((v) => v.id === invited.body.visit.id),
      false,
    );
    const refused = await world.request('GET', '/api/admin/v1/visitors/on-campus', {
      token: admins.device_admin,
    });
    assert.equal(refused.status, 403);
  });

  test("when the host's department needs approval, then only its department admin decides and the link waits", async () => {
    const policy = await world.request('PUT', '/api/admin/v1/visitor-policy', {
      token: admins.super_admin,
      body: { hostTypes: ['staff', 'student'], approvalDepartments: ['计算机学院'] },
    });
    assert.equal(policy.status, 200, JSON.stringify(policy.body));
    const host = await boundStudent(world, { type: 'staff', department: '计算机学院' });
    const invited = await world.request<{ visit: VisitView; linkToken: string }>('POST', '/api/v1/visits', {
      token: host.accessToken,
      body: invitation(),
    });
    assert.equal(invited.body.visit.status, 'pending');
    const waiting = await world.request<{ passText: string | null; visit: VisitView }>(
      'GET',
      `/api/v1/visitor-passes/${invited.body.linkToken}`,
    );
    assert.equal(waiting.body.passText, null);
    assert.equal(waiting.body.visit.status, 'pending');

    const queue = await world.request<{ items: VisitView[] }>('GET', '/api/admin/v1/visitors/pending', {
      token: admins.department_admin,
    });
    assert.ok(queue.body.items.some((v) => v.id === invited.body.visit.id));
    assert.ok(queue.body.items.every((v) => v.hostDepartment === '计算机学院'));
    const decided = await world.request<VisitView>(
      'POST',
      `/api/admin/v1/visitors/${invited.body.visit.id}/decision`,
      { token: admins.department_admin, body: { decision: 'approve' } },
    );
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.status, 'approved');
    const ready = await world.request<{ passText: string | null }>(
      'GET',
      `/api/v1/visitor-passes/${invited.body.linkToken}`,
    );
    assert.match(ready.body.passText ?? '', /^CV:/);
    const audit = await world.core.client.searchAudit({ action: 'visitor.approve', limit: 5 });
    assert.ok(audit.items.some((e) => e.targetId === invited.body.visit.id));
  });
});
