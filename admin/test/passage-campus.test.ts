// Passage per campus in Chromium (issue #18, docs/campuses.md): a device admin scoped to the north campus
// sees only the north campus's passage rules on 通行管理, and the north campus's security office finds
// only its own doors' passes in the access log; the south campus's rule and pass are not on their pages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { campusAdminPassword, northAndSouthCampuses } from '../../bff/test/campus-passage-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, signIn, startBackoffice } from './support.ts';

describe('backoffice in Chromium: passage rules and the access log of one campus', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;

  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    await northAndSouthCampuses(world, { building: '图书馆', firstDeviceId: 830_000, prefix: 'c' });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test("when the north campus's device admin and security office open 通行管理, then only the north campus's rules and passes are there", async () => {
    const devices = await signIn(await openPage(browser), web, 'cnorthdev', {
      password: campusAdminPassword,
      hash: '#/passage',
    });
    const rules = devices.locator('#passage-rules');
    await rules.getByRole('row').filter({ hasText: '北校区图书馆开放' }).waitFor();
    assert.equal(await rules.getByRole('row').filter({ hasText: '南校区' }).count(), 0);
    await devices.context().close();

    const security = await signIn(await openPage(browser), web, 'cnorthsec', {
      password: campusAdminPassword,
      hash: '#/passage',
    });
    const log = security.locator('#access-log');
    await log.locator('#access-log-search').click();
    await log.getByRole('row').filter({ hasText: '北校区图书馆正门' }).waitFor();
    assert.equal(await log.getByRole('row').filter({ hasText: '南校区' }).count(), 0);
    await security.context().close();
  });
});
