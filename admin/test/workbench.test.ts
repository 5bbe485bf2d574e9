import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { openCard } from '../../bff/test/admin-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice in Chromium: the workbench, the 403 page, one session for all tabs, the sign-in page', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    // An identity sync whose source database does not exist: its run fails.
    world = await startWorld(
      {},
      {
        coreEnv: {
          ACADEMIC_DATABASE_URL: 'mysql://root@127.0.0.1:3306/cc_workbench_no_such_db',
          HR_DATABASE_URL: 'mysql://root@127.0.0.1:3306/cc_workbench_no_such_db',
          SYNC_INTERVAL_MS: '0',
        },
      },
    );
    await seedAdminDemo(world.core.client);
    const admins = (await world.core.client.admins()).items;
    const idOf = (username: string) => admins.find((a) => a.username === username)?.id ?? '';
    const cardNo = await openCard(world, '计算机学院', '吴工作台');
    // Waiting for a checker: an adjustment the counter proposed, and one finance proposed itself.
    for (const [maker, amount] of [
      ['counter', 50_000],
      ['finance', 60_000],
    ] as const)
      await world.core.client.proposeApproval({
        kind: 'adjustment',
        payload: { cardNo, wallet: 'main', amount, reason: '工作台测试' },
        amount,
        reason: '工作台测试',
        targetId: cardNo,
        makerId: idOf(maker),
        key: `workbench-${maker}`,
      });
    // A registered device that never connected, and one disabled (not a to-do).
    await world.core.client.registerDevice({ id: '5300071', kind: 'pos' });
    const run = await world.core.client.startSyncRun();
    for (let i = 0; (await world.core.client.syncRun(run.id)).status === 'running'; i++) {
      assert.ok(i < 100, 'the sync run did not end');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test('#19.5 when the sign-in page opens, then its grey background reaches the window edges: no white frame around it', async () => {
    const page = await openPage(browser);
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').waitFor();
    // The body's margin, the colour at the window's corner, and whether the page scrolls.
    const seen = await page.evaluate(`({
      margin: getComputedStyle(document.body).margin,
      corner: getComputedStyle(document.elementFromPoint(2, 2)).backgroundColor,
      scrolls: document.documentElement.scrollHeight > window.innerHeight,
    })`);
    assert.deepEqual(seen, { margin: '0px', corner: 'rgb(240, 242, 245)', scrolls: false });
    await page.context().close();
  });
});
