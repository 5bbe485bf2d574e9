import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Place } from '@campus-card/core/contract';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, signIn, startBackoffice } from './support.ts';

// Goal: a rule made in 通行管理 shows in "who can pass this door now". The device admin (who runs the
// doors) picks the door in the places tree, sees nobody can pass, makes a rule for one person (confirmed),
// and that person appears in the door's list.
describe('backoffice in Chromium: a passage rule from creation to who can pass the door', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let personNo: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    personNo = `PG${process.pid}${Date.now().toString(36)}`.slice(0, 32);
    await core.openCard({ personNo, name: '通行测试', type: 'student', department: '物理学院' });
    const campus: Place = await core.createPassagePlace({ kind: 'campus', parentId: null, name: '东校区' });
    const building = await core.createPassagePlace({ kind: 'building', parentId: campus.id, name: '实验楼' });
    await core.createPassagePlace({
      kind: 'door',
      parentId: building.id,
      name: '实验楼东门',
      doorKind: 'door',
    });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test('when the device admin makes a rule for a person at a door, then the door lists them as able to pass now', async () => {
    const page = await signIn(await openPage(browser), web, 'devices');
    await page.getByRole('menuitem', { name: /通行管理/ }).click();
    await page.locator('#passage-tree').getByText('实验楼东门').click();
    const who = page.locator('#passage-who');
    await who.getByText('现在没有人可通过此门').waitFor();

    await page.locator('#passage-rule-new').click();
    await page.locator('#passage-rule-name').fill('通行测试可进东门');
    await page.locator('#passage-rule-who').fill(personNo);
    await page.locator('#passage-rule-where').click();
    await page.locator('.ant-select-dropdown').getByText('实验楼东门（门）').click();
    await page
      .getByRole('button', { name: /^创\s*建$/ })
      .first()
      .click();
    await page.getByText('创建规则「通行测试可进东门」？').waitFor();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^创\s*建$/ })
      .click();
    await page.getByText('已创建规则：通行测试可进东门').waitFor();
    await page.locator('#passage-rules').getByRole('row').filter({ hasText: '通行测试可进东门' }).waitFor();

    await who.getByRole('button', { name: /刷\s*新/ }).click();
    await who.getByRole('row').filter({ hasText: personNo }).waitFor();
    const rules = await world.core.client.passageRules();
    const made = rules.items.find((r) => r.name === '通行测试可进东门');
    assert.equal(made?.createdBy, 'devices');
    assert.deepEqual(made?.who, { kind: 'person', value: personNo });
  });

  test('when the device admin adds a door and binds a device, then the security office finds that door’s refusal in the access log and exports it', async () => {
    // Goal: places are edited in the backoffice (confirmed), and the access log narrows by building.
    const page = await signIn(await openPage(browser), web, 'devices');
    await page.getByRole('menuitem', { name: /通行管理/ }).click();
    await page.locator('#passage-tree').getByText('实验楼（楼宇）').click();
    await page.locator('#place-new-name').fill('实验楼西门');
    await page.locator('#place-add').click();
    await page.getByText('在「实验楼」下新建门「实验楼西门」？').waitFor();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^确\s*定$/ })
      .click();
    await page.getByText('已新建：实验楼西门').waitFor();
    await page
      .locator('#passage-tree')
      .getByText(/^实验楼西门/)
      .click();
    const deviceId = String(910_000 + (process.pid % 80_000));
    await page.locator('#door-device-id').fill(deviceId);
    await page.locator('#door-device-bind').click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^确\s*定$/ })
      .click();
    await page.getByText(`已绑定设备 ${deviceId}`).waitFor();
    await page.locator('#place-editor').getByRole('row').filter({ hasText: deviceId }).waitFor();

    const { cardNo } = await world.core.client.openCard({
      personNo: `PL${process.pid}${Date.now().toString(36)}`.slice(0, 32),
      name: '记录测试',
      type: 'student',
      department: '物理学院',
    });
    await world.core.client.recordAccessEvent({
      deviceId,
      sequence: 1,
      cardNo,
      direction: 'in',
      decision: 'deny',
      reason: 'NO_PASSAGE_RIGHT',
      source: 'online',
      occurredAtMs: Date.now() - 60_000,
    });
    const security = await signIn(await openPage(browser), web, 'security');
    await security.getByRole('menuitem', { name: /通行管理/ }).click();
    const log = security.locator('#access-log');
    await log.getByRole('combobox', { name: '区域或门（含下级）' }).click();
    await security.locator('.ant-select-dropdown').getByText('实验楼', { exact: true }).click();
    await log.locator('#access-log-search').click();
    const row = log.getByRole('row').filter({ hasText: '记录测试' });
    await row
      .filter({ hasText: '实验楼西门' })
      .filter({ hasText: '无通行权限' })
      .filter({ hasText: '拒绝' })
      .waitFor();
    assert.equal(await log.locator('tbody tr.ant-table-row').count(), 1);
    const [file] = await Promise.all([
      security.waitForEvent('download'),
      log.locator('#access-log-export').click(),
    ]);
    assert.equal(file.suggestedFilename(), 'access-log.csv');
    await log.getByText('已导出：access-log.csv').waitFor();
  });
  test('when the transport office makes a bus route with a fare and a run in 校车管理, then both are listed', async () => {
    // Goal: 校车管理 (docs/visitors-meetings-bus.md) in the browser — the fare is confirmed with its 大写
    // before the route is saved, and the new run shows with its seats.
    const page = await signIn(await openPage(browser), web, 'transport');
    await page.getByRole('menuitem', { name: /校车管理/ }).click();
    await page.getByRole('tab', { name: '线路' }).click();
    await page.locator('#bus-route-new').click();
    await page.locator('#bus-route-name').fill('南北环线');
    await page.locator('#bus-route-stops').fill('南门\n图书馆\n北门');
    await page.locator('#bus-route-charges').check();
    await page.getByTestId('bus-route-fare').fill('2.5');
    await page.getByRole('button', { name: /^保\s*存$/ }).click();
    await page.getByTestId('confirm-words').filter({ hasText: '贰元伍角整' }).waitFor();
    await page.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByRole('row').filter({ hasText: '南北环线' }).filter({ hasText: '¥2.50' }).waitFor();
    await page.getByRole('tab', { name: '班次' }).click();
    await page.locator('#bus-run-new').click();
    await page.locator('#bus-run-seats').fill('30');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^保\s*存$/ })
      .click();
    await page.getByText(/南北环线 .* 07:30 发车，30 个座位，确认保存？/).waitFor();
    await page
      .getByRole('dialog')
      .last()
      .getByRole('button', { name: /^保\s*存$/ })
      .click();
    await page.getByRole('row').filter({ hasText: '南北环线' }).filter({ hasText: '0 / 30' }).waitFor();
    const routes = (await world.core.client.busRoutes()).items.filter((r) => r.name === '南北环线');
    assert.deepEqual(
      routes.map((r) => [r.fareFen, r.stops.length]),
      [[250, 3]],
    );
  });
});
