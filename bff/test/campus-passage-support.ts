// Two campuses of one centre with a door each, as the campus-scope tests of passage need them (issue #18,
// docs/campuses.md): the admin API test (bff/test/admin-campus-passage.test.ts) and the backoffice's
// browser test (admin/test/passage-campus.test.ts) start from the same tree.

import assert from 'node:assert/strict';
import { openStudent } from '@campus-card/tests/kit';
import type { Place } from '../../core/src/contract/passage.ts';
import { demoAdminPassword } from '../src/admin/seed.ts';
import { adminToken } from './admin-support.ts';
import type { TestWorld } from './support.ts';

export type Side = 'north' | 'south';
export const campusNames: Record<Side, string> = { north: '北校区', south: '南校区' };
/** The password of the north campus's device admin and security office. */
export const campusAdminPassword = 'campus-pass-123';

export interface CampusDoor {
  readonly root: Place;
  readonly door: Place;
  /** The door's allow-everyone rule, named `${campus}${building}开放`. */
  readonly rule: string;
  readonly deviceId: string;
}

/**
 * Per campus: a campus place registered as a campus, a building `${campus}${building}`, its door
 * `${campus}${building}正门` bound to device `firstDeviceId + n` and open to everyone, and a student's
 * allowed pass at that door one minute ago. The north campus gets a device admin and a security office,
 * `${prefix}northdev` and `${prefix}northsec`, scoped to it (password campusAdminPassword). The
 * admin demo must be seeded.
 */
export async function northAndSouthCampuses(
  world: TestWorld,
  options: { building: string; firstDeviceId: number; prefix: string },
): Promise<Record<Side, CampusDoor>> {
  const core = world.core.client;
  const token = await adminToken(world, 'super', demoAdminPassword);
  const cardNo = await openStudent(core);
  const tree = {} as Record<Side, CampusDoor>;
  for (const [n, side] of (['north', 'south'] as const).entries()) {
    const name = campusNames[side];
    const root = await core.createPassagePlace({ kind: 'campus', parentId: null, name });
    const building = await core.createPassagePlace({
      kind: 'building',
      parentId: root.id,
      name: `${name}${options.building}`,
    });
    const door = await core.createPassagePlace({
      kind: 'door',
      parentId: building.id,
      name: `${name}${options.building}正门`,
      doorKind: 'door',
    });
    const deviceId = String(options.firstDeviceId + n);
    await core.setDoorDevice(door.id, { deviceId, direction: 'in' });
    const campus = await world.request<{ id: string }>('POST', '/api/admin/v1/campuses', {
      token,
      body: { code: side, name, placeId: root.id },
    });
    assert.equal(campus.status, 201, JSON.stringify(campus.body));
    const rule = await core.createPassageRule(
      {
        name: `${name}${options.building}开放`,
        effect: 'allow',
        windows: [],
        who: { kind: 'everyone', value: null },
        where: { kind: 'door', id: door.id },
      },
      'admin:setup',
    );
    await core.recordAccessEvent({
      deviceId,
      sequence: n + 1,
      cardNo,
      direction: 'in',
      decision: 'allow',
      reason: null,
      source: 'online',
      occurredAtMs: Date.now() - 60_000,
    });
    tree[side] = { root, door, rule: rule.id, deviceId };
    if (side === 'north')
      for (const [suffix, role] of [
        ['northdev', 'device_admin'],
        ['northsec', 'security_office'],
      ] as const) {
        const account = await world.request('POST', '/api/admin/v1/accounts', {
          token,
          body: {
            username: `${options.prefix}${suffix}`,
            displayName: `${name}${role}`,
            role,
            campusId: campus.body.id,
            password: campusAdminPassword,
          },
        });
        assert.equal(account.status, 201, JSON.stringify(account.body));
      }
  }
  return tree;
}
