import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mysqlServerUrl } from '@campus-card/tests/kit';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, syncingFrom, type TestWorld } from '../../bff/test/support.ts';
import { Campus } from '../../mock/campus/campus.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice in Chromium: an identity-sync run from the academic-affairs and HR stand-ins', () => {
  let campus: Campus;
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let nameless: string;
  before(async () => {
    campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 5, students: 60, staff: 12 });
    nameless = await campus.insertNamelessStudent();
    world = await startWorld({}, syncingFrom(campus));
    await seedAdminDemo(world.core.client);
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
    await campus?.close({ drop: true });
  });

  test('when the counter starts an incremental sync, then the run ends succeeded, its detail lists the nameless student with the reason, and the core has the new people', async () => {
    const page = await signIn(await openPage(browser, { width: 1280, height: 860 }), web, 'counter');
    await page.getByRole('menuitem', { name: /数据同步/ }).click();
    await page.getByRole('button', { name: '增量同步' }).click();
    // The list follows the run until it ends.
    await page.getByRole('cell', { name: '成功' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${screenshots}admin-sync.png` });
    await page.getByRole('cell', { name: '增量' }).click();
    await page.getByRole('cell', { name: 'MISSING_NAME' }).waitFor();
    await page.getByRole('cell', { name: nameless }).waitFor();
    await page.waitForTimeout(500); // the drawer's slide-in, for the screenshot
    await page.screenshot({ path: `${screenshots}admin-sync-run.png` });
    const [run] = (await world.core.client.syncRuns({ limit: 1 })).items;
    assert.equal(run?.status, 'succeeded');
    assert.equal(run?.counts.created, 72);
    await page.context().close();
  });
});
