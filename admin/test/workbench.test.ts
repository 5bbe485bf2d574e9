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

  test('#19.5 when finance signs in, then it lands on the workbench: the approvals waiting for it (not its own) and the open offline exceptions badged, nothing it may not read, and a to-do opens its page', async () => {
    const page = await signIn(await openPage(browser), web, 'finance');
    await page.getByTestId('workbench').waitFor();
    assert.equal(await page.getByRole('menuitem', { name: /工作台/ }).count(), 1);
    await page.getByTestId('todo-approvals-count').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('todo-offline-count').getByText('0', { exact: true }).waitFor();
    // Finance holds neither sync.read nor device.read: those to-dos are not shown (nor asked for).
    assert.equal(await page.getByTestId('todo-sync').count(), 0);
    assert.equal(await page.getByTestId('todo-devices').count(), 0);
    await page.screenshot({ path: `${screenshots}admin-workbench.png` });
    await page.getByTestId('todo-approvals').getByRole('link', { name: '待我审批' }).click();
    await page.waitForURL(/#\/approvals$/);
    await page.getByRole('row', { name: /¥500\.00/ }).waitFor();
    await page.context().close();
  });

  test('#19.5 when the counter and the device admin sign in, then each workbench shows its own to-dos: the failed sync run, the device that is offline', async () => {
    const counter = await signIn(await openPage(browser), web, 'counter');
    await counter.getByTestId('workbench').waitFor();
    await counter.getByTestId('todo-sync-count').getByText('1', { exact: true }).waitFor();
    // The counter proposes but never approves: no approvals to-do.
    assert.equal(await counter.getByTestId('todo-approvals').count(), 0);
    assert.equal(await counter.getByTestId('todo-devices').count(), 0);
    await counter.getByTestId('todo-sync').getByRole('link', { name: '去处理' }).click();
    await counter.waitForURL(/#\/sync$/);
    await counter.context().close();

    const devices = await signIn(await openPage(browser), web, 'devices');
    await devices.getByTestId('todo-devices-count').getByText('1', { exact: true }).waitFor();
    await devices.getByTestId('todo-offline-count').getByText('0', { exact: true }).waitFor();
    assert.equal(await devices.getByTestId('todo-approvals').count(), 0);
    await devices.context().close();

    const editor = await signIn(await openPage(browser), web, 'editor');
    await editor.getByTestId('workbench').getByText('您的角色没有需要跟进的待办').waitFor();
    await editor.context().close();
  });

  test('#19.5 when the editor opens a page its menu does not offer, then it shows 无权访问 and the way back to the workbench, not the page or an error', async () => {
    const page = await signIn(await openPage(browser), web, 'editor', { hash: '#/audit' });
    await page.getByTestId('forbidden').getByText('无权访问', { exact: true }).waitFor();
    assert.equal(await page.getByRole('table').count(), 0);
    await page.screenshot({ path: `${screenshots}admin-forbidden.png` });
    await page.getByRole('button', { name: '返回工作台' }).click();
    await page.getByTestId('workbench').waitFor();
    assert.equal(await page.getByTestId('forbidden').count(), 0);
    await page.context().close();
  });

  test('#19.5 when the API answers a page read with 403, then that page shows 无权访问; another page opens normally', async () => {
    const page = await signIn(await openPage(browser), web, 'auditor');
    // As if the role lost the right after the menu was drawn.
    await page.route(/\/api\/admin\/v1\/audit\?/, (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'FORBIDDEN', message: 'your role may not do this (audit.read)' }),
      }),
    );
    await page.getByRole('menuitem', { name: /审计日志/ }).click();
    await page.getByTestId('forbidden').getByText('无权访问', { exact: true }).waitFor();
    await page.getByRole('menuitem', { name: /工作台/ }).click();
    await page.getByTestId('workbench').waitFor();
    assert.equal(await page.getByTestId('forbidden').count(), 0);
    await page.context().close();
  });

  test('#19.5 when a signed-in admin opens a new tab, then it is signed in there too with no token in any URL; signing out in one tab signs every tab out; a copy idle past 30 minutes is dropped', async () => {
    const first = await signIn(await openPage(browser), web, 'auditor');
    const context = first.context();
    const second = await context.newPage();
    await second.goto(`${web.url}/admin/#/audit`);
    await second.getByTestId('who').waitFor();
    assert.equal(await second.getByLabel('用户名').count(), 0);
    const token = await second.evaluate<string | null>("localStorage.getItem('cc-admin-token')");
    assert.ok(token);
    for (const p of [first, second]) assert.ok(!p.url().includes(token), p.url());

    await first.getByRole('button', { name: /退\s*出/ }).click();
    await first.getByLabel('用户名').waitFor();
    await second.getByLabel('用户名').waitFor();
    assert.equal(await second.evaluate<string | null>("localStorage.getItem('cc-admin-token')"), null);

    // Signed in again, then idle past the BFF's 30 minutes: the next tab asks to sign in.
    await signIn(first, web, 'auditor');
    // Once the workbench's reads are done (each use starts the idle time again).
    await first.getByTestId('todo-sync-count').getByText('1', { exact: true }).waitFor();
    await first.getByTestId('todo-devices-count').getByText('1', { exact: true }).waitFor();
    await first.getByTestId('todo-offline-count').getByText('0', { exact: true }).waitFor();
    await first.evaluate("localStorage.setItem('cc-admin-token-used', String(Date.now() - 31 * 60000))");
    const third = await context.newPage();
    await third.goto(`${web.url}/admin/`);
    await third.getByLabel('用户名').waitFor();
    assert.equal(await third.evaluate<string | null>("localStorage.getItem('cc-admin-token')"), null);
    await context.close();
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
