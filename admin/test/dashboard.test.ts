import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { newContext } from '../../tests/browser.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { screenshots, startBackoffice } from './support.ts';

// 03:30 in Shanghai, the day before in Los Angeles and in UTC: "today" on the dashboard is
// Shanghai's, or today's payments would be missing from it (issue 21).
setShanghaiTime('03:30');

describe('backoffice in Chromium: the live dashboard', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let cardNo: string;
  let merchantId: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    merchantId = (await world.core.client.createMerchant({ name: '第三食堂', category: 'canteen' })).id;
    await world.core.client.registerDevice({ id: '7100001', kind: 'pos', merchantId });
    cardNo = (
      await world.core.client.openCard({
        personNo: `D${process.pid}${Date.now().toString(36)}`.slice(0, 32),
        name: '郑实时',
        type: 'student',
        department: '计算机学院',
      })
    ).cardNo;
    await world.core.client.topUp({ id: `dl-top-${cardNo}`, cardNo, amount: 20_000, channel: 'cash' });
    const sale = await world.core.client.pay({
      id: `dl-pay-${cardNo}-1`,
      cardNo,
      merchantId,
      deviceId: '7100001',
      amount: 850,
    });
    assert.equal(sale.status, 'ok');
    // A campus with no merchant yet (#18): its dashboard has no sales, and top-ups are the centre's.
    await world.core.client.createCampus({ code: 'east', name: '东校区', placeId: null });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  let paid = 1;
  const pay = async (amount: number) => {
    paid += 1;
    const answer = await world.core.client.pay({
      id: `dl-pay-${cardNo}-${paid}`,
      cardNo,
      merchantId,
      deviceId: '7100001',
      amount,
    });
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
  };

  test("#21 when a payment is made at 03:30 Shanghai while the dashboard is open, then Shanghai today's turnover on the page changes without a reload and without asking GET /dashboard again; when the socket drops, the page says 重连中…, falls back to GET and goes live again", async () => {
    // Goal: the figures come over the socket; GET /dashboard is the first paint only.
    const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    // The events socket passes through to the BFF; while `refuse` is set, a new one is closed at once,
    // as if the BFF were unreachable.
    let refuse = false;
    const opened: { close(options?: { code?: number; reason?: string }): Promise<void> }[] = [];
    await page.routeWebSocket(/\/api\/admin\/v1\/events/, (ws) => {
      if (refuse) return void ws.close({ code: 1011, reason: 'down' });
      ws.connectToServer();
      opened.push(ws);
    });
    const dashboardGets: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/admin/v1/dashboard') dashboardGets.push(request.method());
    });
    let loads = 0;
    page.on('load', () => {
      loads += 1;
    });
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').fill('devices');
    await page.getByLabel('密码').fill(demoAdminPassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('who').waitFor();
    await page.getByRole('menuitem', { name: /实时监控/ }).click();
    await page.getByTestId('live-status').getByText('实时').waitFor();
    const figures = page.getByTestId('dashboard-figures');
    await figures.getByText('¥8.50').waitFor();
    const loadsBefore = loads;

    await pay(1_234);
    // ¥8.50 + ¥12.34, and two payments today.
    await figures.getByText('¥20.84').waitFor({ timeout: 5_000 });
    await figures.getByText('2', { exact: true }).first().waitFor();
    await page.getByTestId('chart-minutes').locator('canvas').waitFor();
    assert.equal(loads, loadsBefore, 'the page was not reloaded');
    assert.deepEqual(dashboardGets, ['GET'], 'one GET /dashboard for the first paint, nothing after');
    await page.screenshot({ path: `${screenshots}admin-dashboard.png` });

    // The socket drops and cannot come back for a while: the page says so and asks GET /dashboard
    // every few seconds meanwhile; once the socket can open again it is live and GETs stop.
    refuse = true;
    await Promise.all(opened.splice(0).map((ws) => ws.close({ code: 1006, reason: 'dropped' })));
    await page.getByTestId('live-status').getByText('重连中…').waitFor();
    await pay(700);
    await figures.getByText('¥27.84').waitFor({ timeout: 15_000 });
    assert.ok(dashboardGets.length >= 2, 'the figure came from the fallback GET');
    refuse = false;
    await page.getByTestId('live-status').getByText('实时').waitFor({ timeout: 40_000 });
    const getsWhenLive = dashboardGets.length;
    await pay(1_000);
    await figures.getByText('¥37.84').waitFor({ timeout: 5_000 });
    assert.equal(dashboardGets.length, getsWhenLive, 'no GET once live again');
    assert.equal(loads, loadsBefore, 'still the same page');

    // #18: a centre-wide admin picks a campus: that campus's figures, asked for every few seconds; all
    // campuses again: the whole centre's, live.
    await page.getByLabel('校区', { exact: true }).click();
    await page.getByTitle('东校区').click();
    await page.getByTestId('live-status').getByText('定时刷新').waitFor();
    await figures.getByText('¥0.00').waitFor();
    assert.equal(await figures.getByText('充值不分校区').count(), 2);
    assert.ok(
      dashboardGets.some((_, i) => i >= getsWhenLive),
      'the campus came from GET /dashboard?campusId=',
    );
    await page.getByLabel('校区', { exact: true }).click();
    await page.getByTitle('全部校区').click();
    await page.getByTestId('live-status').getByText('实时').waitFor({ timeout: 40_000 });
    await figures.getByText('¥37.84').waitFor();
    await context.close();
  });
});
