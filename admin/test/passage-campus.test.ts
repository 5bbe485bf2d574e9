// Passage per campus in Chromium (issue #18, docs/campuses.md): a device admin scoped to the north campus
// sees only the north campus's passage rules on 通行管理, and the north campus's security office finds
// only its own doors' passes in the access log; the south campus's rule and pass are not on their pages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent } from '@campus-card/tests/kit';
import type { Browser } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { adminToken } from '../../bff/test/admin-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, signIn, startBackoffice } from './support.ts';

const api = '/api/admin/v1';

describe('backoffice in Chromium: passage rules and the access log of one campus', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;

  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    const superToken = await adminToken(world, 'super', demoAdminPassword);
    const cardNo = await openStudent(core);
    for (const [n, [code, name]] of (
      [
        ['north', '北校区'],
        ['south', '南校区'],
      ] as const
    ).entries()) {
      const root = await core.createPassagePlace({ kind: 'campus', parentId: null, name });
      const building = await core.createPassagePlace({
        kind: 'building',
        parentId: root.id,
        name: `${name}图书馆`,
      });
      const door = await core.createPassagePlace({
        kind: 'door',
        parentId: building.id,
        name: `${name}图书馆正门`,
        doorKind: 'door',
      });
      const deviceId = String(830_000 + n);
      await core.setDoorDevice(door.id, { deviceId, direction: 'in' });
      const campus = await world.request<{ id: string }>('POST', `${api}/campuses`, {
        token: superToken,
        body: { code, name, placeId: root.id },
      });
      assert.equal(campus.status, 201, JSON.stringify(campus.body));
      await core.createPassageRule(
        {
          name: `${name}图书馆开放`,
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
      if (code === 'north')
        for (const [username, role] of [
          ['cnorthdev', 'device_admin'],
          ['cnorthsec', 'security_office'],
        ] as const) {
          const account = await world.request('POST', `${api}/accounts`, {
            token: superToken,
            body: {
              username,
              displayName: `北校区${role}`,
              role,
              campusId: campus.body.id,
              password: 'campus-pass-123',
            },
          });
          assert.equal(account.status, 201, JSON.stringify(account.body));
        }
    }
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test("when the north campus's device admin and security office open 通行管理, then only the north campus's rules and passes are there", async () => {
    const devices = await signIn(await openPage(browser), web, 'cnorthdev', {
      password: 'campus-pass-123',
      hash: '#/passage',
    });
    const rules = devices.locator('#passage-rules');
    await rules.getByRole('row').filter({ hasText: '北校区图书馆开放' }).waitFor();
    assert.equal(await rules.getByRole('row').filter({ hasText: '南校区' }).count(), 0);
    await devices.context().close();

    const security = await signIn(await openPage(browser), web, 'cnorthsec', {
      password: 'campus-pass-123',
      hash: '#/passage',
    });
    const log = security.locator('#access-log');
    await log.locator('#access-log-search').click();
    await log.getByRole('row').filter({ hasText: '北校区图书馆正门' }).waitFor();
    assert.equal(await log.getByRole('row').filter({ hasText: '南校区' }).count(), 0);
    await security.context().close();
  });
});
