// Passage rules and the access log per campus (issue #18, docs/campuses.md): an administrator scoped to a
// campus sees and changes only that campus's passage rules and reads only its doors' access log; the
// admin API narrows the core's reads to the campus's place tree and refuses another campus's places and
// rules with CAMPUS_FORBIDDEN. A centre-wide admin still sees every campus.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { demoAdminPassword, seedAdminDemo } from '../src/admin/seed.ts';
import { adminToken } from './admin-support.ts';
import {
  type CampusDoor,
  campusAdminPassword,
  northAndSouthCampuses,
  type Side,
} from './campus-passage-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

describe('admin campus scope: passage rules and the access log', () => {
  let world: TestWorld;
  const tokens = { super: '', northDevices: '', northSecurity: '' };
  let tree: Record<Side, CampusDoor>;
  const nowMs = Date.now();

  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    tree = await northAndSouthCampuses(world, { building: '1号楼', firstDeviceId: 820_000, prefix: 'p' });
    tokens.super = await adminToken(world, 'super', demoAdminPassword);
    tokens.northDevices = await adminToken(world, 'pnorthdev', campusAdminPassword);
    tokens.northSecurity = await adminToken(world, 'pnorthsec', campusAdminPassword);
  });
  after(async () => {
    await world?.stop();
  });

  const call = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    world.request<T>(method, `${api}${path}`, { token, ...(body === undefined ? {} : { body }) });
  const ruleNames = async (token: string, query = '') => {
    const answer = await call<{ items: { name: string }[] }>('GET', `/passage/rules${query}`, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items.map((r) => r.name).sort();
  };
  const newRule = (side: Side, name: string) => ({
    name,
    effect: 'deny',
    who: { kind: 'everyone', value: null },
    where: { kind: 'door', id: tree[side].door.id },
    windows: [],
  });

  test("when a campus admin lists, adds and deletes passage rules, then only its campus's rules are reached; another campus's are refused and stay", async () => {
    assert.deepEqual(await ruleNames(tokens.northDevices), ['北校区1号楼开放']);
    assert.deepEqual(await ruleNames(tokens.super), ['北校区1号楼开放', '南校区1号楼开放']);
    const elsewhere = await call('GET', `/passage/rules?placeId=${tree.south.root.id}`, tokens.northDevices);
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.body.code, 'CAMPUS_FORBIDDEN');

    const refused = await call('POST', '/passage/rules', tokens.northDevices, newRule('south', '南门封闭'));
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    const added = await call<{ id: string }>(
      'POST',
      '/passage/rules',
      tokens.northDevices,
      newRule('north', '北门封闭'),
    );
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(await ruleNames(tokens.northDevices), ['北校区1号楼开放', '北门封闭']);

    const notOurs = await call('DELETE', `/passage/rules/${tree.south.rule}`, tokens.northDevices);
    assert.equal(notOurs.status, 403);
    assert.equal(notOurs.body.code, 'CAMPUS_FORBIDDEN');
    const ours = await call('DELETE', `/passage/rules/${added.body.id}`, tokens.northDevices);
    assert.equal(ours.status, 200, JSON.stringify(ours.body));
    assert.deepEqual(await ruleNames(tokens.super), ['北校区1号楼开放', '南校区1号楼开放']);
  });

  test("when a campus security office reads and exports the access log, then only its campus's doors are in it; another campus's place is refused", async () => {
    const window = `fromMs=${nowMs - 60_000}&toMs=${nowMs + 60_000}`;
    const doors = async (token: string, query = '') => {
      const answer = await call<{ items: { doorName: string }[] }>(
        'GET',
        `/passage/access-log?${window}${query}`,
        token,
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.items.map((r) => r.doorName).sort();
    };
    assert.deepEqual(await doors(tokens.northSecurity), ['北校区1号楼正门']);
    assert.deepEqual(await doors(tokens.northSecurity, `&placeId=${tree.north.door.id}`), [
      '北校区1号楼正门',
    ]);
    assert.deepEqual(await doors(tokens.super), ['北校区1号楼正门', '南校区1号楼正门']);
    for (const path of ['/passage/access-log', '/passage/access-log/export']) {
      const refused = await call(
        'GET',
        `${path}?${window}&format=csv&placeId=${tree.south.door.id}`,
        tokens.northSecurity,
      );
      assert.equal(refused.status, 403, `${path} ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.code, 'CAMPUS_FORBIDDEN');
    }
    const exported = await fetch(`${world.bff.url}${api}/passage/access-log/export?${window}&format=csv`, {
      headers: { authorization: `Bearer ${tokens.northSecurity}` },
    });
    assert.equal(exported.status, 200);
    const sheet = await exported.text();
    assert.ok(sheet.includes('北校区1号楼正门'), sheet);
    assert.equal(sheet.includes('南校区'), false);
  });
});
