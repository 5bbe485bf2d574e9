// Issue 19, the backoffice's money: every amount typed is checked (never clamped or rounded), every
// money action is confirmed with its amount in figures and in 大写, a subsidy batch that needs a
// checker reads so and waits in the super admin's queue, and nothing raw (English codes, fen, epoch
// milliseconds, JSON) reaches the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { openCard } from '../../bff/test/admin-support.ts';
import { boundStudent } from '../../bff/test/students.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

/** A call to the admin API from the signed-in page, as the page itself would make it. */
async function apiFrom(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(
    async ([m, p, b]) => {
      const store = (globalThis as unknown as { localStorage: { getItem(k: string): string | null } })
        .localStorage;
      const response = await fetch(`/api/admin/v1${p}`, {
        method: m as string,
        headers: {
          authorization: `Bearer ${store.getItem('cc-admin-token')}`,
          'content-type': 'application/json',
        },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    },
    [method, path, body] as const,
  );
}

describe('backoffice in Chromium: money is checked and confirmed, batches wait in the queue, and pages read in Chinese (issue 19)', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let deskCard: string;
  let student: Awaited<ReturnType<typeof boundStudent>>;
  let merchantId: string;
  let subsidyPerson: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    deskCard = await openCard(world, '计算机学院', '钱柜台');
    await core.topUp({ id: `mc-top-${deskCard}`, cardNo: deskCard, amount: 2_000, channel: 'cash' });
    // A student who bound the app (a version bump, recorded as 绑定, not 补卡), paid and topped up.
    student = await boundStudent(world, { name: '孙绑定', department: '物理学院' });
    const merchant = await core.createMerchant({ name: '第二食堂', category: 'canteen' });
    merchantId = merchant.id;
    await core.registerDevice({ id: '5300001', kind: 'pos', merchantId });
    await core.topUp({
      id: `mc-top-${student.cardNo}`,
      cardNo: student.cardNo,
      amount: 5_000,
      channel: 'cash',
    });
    const paid = await core.pay({
      id: `mc-pay-${student.cardNo}`,
      cardNo: student.cardNo,
      merchantId,
      deviceId: '5300001',
      amount: 850,
    });
    assert.equal(paid.status, 'ok', JSON.stringify(paid));
    subsidyPerson = student.personNo;
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const mainOf = async (cardNo: string) => (await world.core.client.getCard(cardNo)).balance.main;

  test('#19.1 when the cash desk types −5, 0, 1.005, 5000.01 or abc, then each is refused with its reason in Chinese and nothing is posted; 100 is confirmed as ¥100.00 壹佰元整, 取消 posts nothing and 确认充值 posts it once', async () => {
    const page = await signIn(await openPage(browser), web, 'counter', { hash: `#/cards/${deskCard}` });
    await page.getByTestId('card-status').waitFor();
    await page.getByRole('button', { name: '现金充值' }).click();
    const form = page.getByRole('dialog').filter({ hasText: '金额（元）' });
    const amount = form.getByLabel('金额（元）');
    const refused: [string, string][] = [
      ['-5', '金额不能为负数'],
      ['−5', '金额不能为负数'],
      ['0', '金额必须大于 0'],
      ['1.005', '金额最多两位小数（精确到分）'],
      ['5000.01', '金额不能超过 ¥5000.00'],
      ['abc', '请输入数字金额，如 100 或 12.50'],
    ];
    for (const [typed, reason] of refused) {
      await amount.fill(typed);
      await form.getByRole('button', { name: /^确\s*认$/ }).click();
      await form.getByText(reason).waitFor();
      // The field keeps what was typed: nothing snapped to a minimum or maximum.
      assert.equal(await amount.inputValue(), typed);
      assert.equal(
        await page.getByTestId('money-confirm').count(),
        0,
        `${typed} must not reach a confirmation`,
      );
    }
    assert.equal(await mainOf(deskCard), 2_000, 'nothing was posted');

    await amount.fill('100');
    await form.getByTestId('money-words').getByText('大写：壹佰元整').waitFor();
    await form.getByRole('button', { name: /^确\s*认$/ }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('¥100.00').waitFor();
    await confirm.getByText('壹佰元整').waitFor();
    await confirm.getByText(/钱柜台/).waitFor();
    await page.waitForTimeout(500); // the confirmation's zoom-in, for the screenshot
    await page.screenshot({ path: `${screenshots}admin-money-confirm.png` });
    await page
      .getByRole('button', { name: /^取\s*消$/ })
      .last()
      .click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await mainOf(deskCard), 2_000, '取消 posts nothing');

    await form.getByRole('button', { name: /^确\s*认$/ }).click();
    const [receipt] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: '确认充值' }).click(),
    ]);
    await receipt.getByTestId('receipt').waitFor();
    assert.equal(await mainOf(deskCard), 12_000, 'posted once');
    await page.context().close();
  });

  test('#19.1 when finance debits ¥12.34 by adjustment, then a negative amount is refused, the direction is chosen instead, and the debit is confirmed as 壹拾贰元叁角肆分 before it posts', async () => {
    const page = await signIn(await openPage(browser), web, 'finance', { hash: `#/cards/${deskCard}` });
    await page.getByTestId('card-status').waitFor();
    await page.getByRole('button', { name: /^调\s*账$/ }).click();
    const form = page.getByRole('dialog').filter({ hasText: '方向' });
    await form.getByLabel('金额（元）').fill('-12.34');
    await form.getByText('金额不能为负数').waitFor();
    await form.getByText('调减（扣减）').click();
    await form.getByLabel('金额（元）').fill('12.34');
    await form.getByLabel('原因').fill('重复充值冲正');
    await form.getByRole('button', { name: /^确\s*认$/ }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('壹拾贰元叁角肆分').waitFor();
    await confirm.getByText('扣减金额').waitFor();
    await confirm.getByText('主钱包').waitFor();
    assert.equal(await mainOf(deskCard), 12_000);
    await page.getByRole('button', { name: '确认调账' }).click();
    await page.getByText('调账已入账').waitFor();
    assert.equal(await mainOf(deskCard), 12_000 - 1_234);
    await page.context().close();
  });

  test("#19.2 when finance makes a batch above the threshold, then it reads 待审批 and 需要复核 是 with no 入账 (the API refuses it too), it waits in the super admin's approval queue, whose 批准 is confirmed with 大写, and only then finance posts it after a confirmation; a small batch reads 待入账 and 否", async () => {
    const maker = await signIn(await openPage(browser, { width: 1400, height: 900 }), web, 'finance');
    const big = await apiFrom(maker, 'POST', '/subsidy-batches', {
      title: '队列测试大额补贴',
      source: { csv: `学号,金额\n${subsidyPerson},10000.01\n` },
    });
    assert.equal(big.status, 201, JSON.stringify(big.body));
    const small = await apiFrom(maker, 'POST', '/subsidy-batches', {
      title: '队列测试小额补贴',
      source: { csv: `学号,金额\n${subsidyPerson},5\n` },
    });
    assert.equal(small.status, 201, JSON.stringify(small.body));
    const bigId = String(big.body.id);

    await maker.getByRole('menuitem', { name: /补贴发放/ }).click();
    await maker
      .getByRole('row', { name: /队列测试大额补贴/ })
      .getByText('待审批')
      .waitFor();
    await maker
      .getByRole('row', { name: /队列测试小额补贴/ })
      .getByText('待入账（无需审批）')
      .waitFor();
    await maker.getByRole('cell', { name: '队列测试大额补贴' }).click();
    await maker.getByTestId('batch-status').getByText('待审批').waitFor();
    assert.match((await maker.getByTestId('batch-approval').textContent()) ?? '', /^是/);
    assert.equal(await maker.getByRole('button', { name: /^入\s*账$/ }).count(), 0, 'no 入账 for the maker');
    assert.equal(await maker.getByRole('button', { name: '审批通过' }).count(), 0, 'nor an approval');
    const refused = await apiFrom(maker, 'POST', `/subsidy-batches/${bigId}/post`);
    assert.equal(refused.body.code, 'APPROVAL_REQUIRED', JSON.stringify(refused));
    assert.equal((await world.core.client.subsidyBatch(bigId)).status, 'draft');
    await maker.keyboard.press('Escape');
    await maker.getByRole('cell', { name: '队列测试小额补贴' }).click();
    await maker.getByTestId('batch-status').getByText('待入账（无需审批）').waitFor();
    assert.match((await maker.getByTestId('batch-approval').textContent()) ?? '', /^否/);
    await maker.getByRole('button', { name: /^入\s*账$/ }).waitFor();
    assert.doesNotMatch((await maker.locator('body').textContent()) ?? '', /补助/, 'one word: 补贴 (#19.4)');
    await maker.keyboard.press('Escape');

    const boss = await signIn(await openPage(browser, { width: 1400, height: 900 }), web, 'super', {
      hash: '#/approvals',
    });
    const row = boss.getByRole('row', { name: /队列测试大额补贴/ });
    await row.getByText('补贴批次入账').waitFor();
    await row.getByText('¥10000.01').waitFor();
    assert.equal(
      await boss.getByRole('row', { name: /队列测试小额补贴/ }).count(),
      0,
      'a small batch waits for nobody',
    );
    await boss.screenshot({ path: `${screenshots}admin-approvals.png`, fullPage: true });
    await row.getByRole('button', { name: /^批\s*准$/ }).click();
    await boss.getByTestId('confirm-words').getByText('壹万元零壹分').waitFor();
    await boss.getByRole('button', { name: '确认批准' }).click();
    await boss.getByText('已批准，可由财务入账').waitFor();
    assert.equal((await world.core.client.subsidyBatch(bigId)).status, 'approved');
    await boss.getByTestId('money-confirm').waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });

    await maker.reload();
    await maker.getByRole('cell', { name: '队列测试大额补贴' }).click();
    await maker.getByTestId('batch-status').getByText('已审批，待入账').waitFor();
    await maker.getByRole('button', { name: /^入\s*账$/ }).click();
    await maker.getByTestId('confirm-words').getByText('壹万元零壹分').waitFor();
    await maker.getByRole('button', { name: '确认入账' }).click();
    await maker.getByTestId('batch-status').getByText('已入账').waitFor({ timeout: 15_000 });
    assert.equal((await world.core.client.getCard(student.cardNo)).balance.subsidy, 1_000_001);
    await maker.context().close();
    await boss.context().close();
  });

  test("#19.3 when a bound student's card is opened, then its history reads 开卡 and 绑定小程序 (no 补卡, reissues 0), its operations 充值/消费 and 成功, and the audit log shows 登录 and 补贴批次入账 with yuan and Beijing times as lines that wrap, nothing raw and nothing sideways", async () => {
    const page = await signIn(await openPage(browser), web, 'finance', { hash: `#/cards/${student.cardNo}` });
    await page.getByTestId('card-status').waitFor();
    const history = page.locator('.ant-card').filter({ hasText: '卡状态记录' });
    await history.getByRole('cell', { name: '开卡', exact: true }).waitFor();
    await history.getByRole('cell', { name: '绑定小程序', exact: true }).waitFor();
    assert.equal(await history.getByRole('cell', { name: '补卡', exact: true }).count(), 0);
    const ops = page.locator('.ant-card').filter({ hasText: '最近交易' });
    await ops.getByRole('cell', { name: '充值', exact: true }).first().waitFor();
    await ops.getByRole('cell', { name: '消费', exact: true }).waitFor();
    await ops.getByRole('cell', { name: '成功', exact: true }).first().waitFor();
    const text = (await page.locator('main, .ant-layout-content').first().textContent()) ?? '';
    assert.doesNotMatch(text, /\b(opened|bound|top_up|post|hold|payment|reissue|ok|subsidy)\b/);
    assert.match(text, /补卡次数0/);
    assert.match(text, /补贴钱包/);
    assert.doesNotMatch(text, /补助/);
    assert.equal((await world.core.client.getCard(student.cardNo)).reissueCount, 0);
    await page.context().close();

    const auditor = await signIn(await openPage(browser), web, 'auditor');
    await auditor.getByRole('menuitem', { name: /审计日志/ }).click();
    await auditor.getByRole('cell', { name: '登录', exact: true }).first().waitFor();
    const posted = auditor.getByRole('row', { name: /补贴批次入账/ });
    await posted.getByText('合计金额：¥10000.01').waitFor();
    const table = (await auditor.locator('.ant-table').textContent()) ?? '';
    assert.doesNotMatch(table, /session\.login|subsidy\.post|[{}"]|\b\d{13}\b/);
    assert.match(table, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    // A sign-in's detail reads 方式：密码, not its keys and codes (#19: every detail key in words).
    await auditor
      .getByRole('row')
      .filter({ has: auditor.getByRole('cell', { name: '登录', exact: true }) })
      .first()
      .getByText('方式：密码')
      .waitFor();
    assert.doesNotMatch(table, /\b(method|password|sso|dailyLimit\w*|pinFreeLimit\w*)\b|其他：/);
    const sideways = await auditor.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    assert.ok(sideways <= 0, `the page scrolls ${sideways}px sideways`);
    await auditor.screenshot({ path: `${screenshots}admin-audit-detail.png`, fullPage: true });
    await auditor.context().close();
  });

  test('#19.1 when finance starts the term-end clearing, then the confirmation shows what it will take (¥10000.01, 壹万元零壹分, 1 card) before anything is cleared', async () => {
    const page = await signIn(await openPage(browser), web, 'finance');
    await page.getByRole('menuitem', { name: /补贴发放/ }).click();
    await page.getByRole('button', { name: '发起清零' }).click();
    await page.getByPlaceholder(/原因/).fill('2026 秋季学期末补贴清零');
    await page.getByRole('button', { name: '下一步' }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('¥10000.01').waitFor();
    await confirm.getByText('壹万元零壹分').waitFor();
    await confirm.getByText('1 张').waitFor();
    assert.equal((await world.core.client.getCard(student.cardNo)).balance.subsidy, 1_000_001);
    await page.getByRole('button', { name: '确认清零' }).click();
    // The clearing's row: its amount cleared when it is done (the page polls while it runs; a clean-clone CI
    // run at full load once took longer than 15 s, so the wait is bounded by the test's own timeout instead).
    await page
      .getByRole('row', { name: /2026 秋季学期末补贴清零/ })
      .getByText('¥10000.01')
      .waitFor({ timeout: 90_000 });
    assert.equal((await world.core.client.getCard(student.cardNo)).balance.subsidy, 0);
    await page.context().close();
  });

  test('#19.1 when finance types −5 or 1.005 as the amount each person of a department gets, then the preview is refused with the reason and nothing is stored', async () => {
    const page = await signIn(await openPage(browser), web, 'finance');
    await page.getByRole('menuitem', { name: /补贴发放/ }).click();
    await page.getByRole('button', { name: '导入补贴名单' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('按院系').click();
    await dialog.getByRole('textbox', { name: '院系' }).fill('物理学院');
    const refused: [string, string][] = [
      ['-5', '每人金额：金额不能为负数'],
      ['1.005', '每人金额：金额最多两位小数（精确到分）'],
    ];
    for (const [typed, reason] of refused) {
      await dialog.getByLabel('每人金额（元）').fill(typed);
      await dialog.getByRole('button', { name: /预\s*览/ }).click();
      await dialog.getByText(reason).waitFor();
      assert.equal(await dialog.getByTestId('preview-summary').count(), 0);
    }
    await dialog.getByLabel('每人金额（元）').fill('12.5');
    await dialog.getByText('大写：壹拾贰元伍角整').waitFor();
    await page.context().close();
  });

  test('#19.1 when finance disables a merchant, then a confirmation comes first: 取消 leaves it taking payments, 确认停用 disables it', async () => {
    const page = await signIn(await openPage(browser), web, 'finance');
    await page.getByRole('menuitem', { name: /商户结算/ }).click();
    const row = page.getByRole('row', { name: new RegExp(merchantId) });
    await row.getByRole('button', { name: /^停\s*用$/ }).click();
    await page
      .getByTestId('money-confirm')
      .getByText(/所有终端立即不能收款/)
      .waitFor();
    await page.getByRole('button', { name: /^取\s*消$/ }).click();
    await page.getByTestId('money-confirm').waitFor({ state: 'detached' });
    assert.equal((await world.core.client.getMerchant(merchantId)).status, 'active');
    await row.getByRole('button', { name: /^停\s*用$/ }).click();
    await page.getByRole('button', { name: '确认停用' }).click();
    await row.getByRole('button', { name: /^启\s*用$/ }).waitFor();
    assert.equal((await world.core.client.getMerchant(merchantId)).status, 'disabled');
    await page.context().close();
  });

  test('#19.3 when the audit log lists a cash top-up, a batch posted, a device disabled and a merchant disabled, then 对象 reads what each is (卡号 with the holder masked, the batch title, 消费机 and its merchant, the merchant name), never a generated id, from one request', async () => {
    const devices = await signIn(await openPage(browser), web, 'devices');
    const disabled = await apiFrom(devices, 'POST', '/devices/5300001/status', { status: 'disabled' });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    await devices.context().close();

    const auditor = await signIn(await openPage(browser, { width: 1400, height: 900 }), web, 'auditor');
    const asked: string[] = [];
    auditor.on('request', (r) => {
      if (/\/api\/admin\/v1\//.test(r.url())) asked.push(new URL(r.url()).pathname);
    });
    await auditor.getByRole('menuitem', { name: /审计日志/ }).click();
    const target = (action: string) =>
      auditor
        .getByRole('row')
        .filter({ has: auditor.getByRole('cell', { name: action, exact: true }) })
        .first()
        .getByTestId('audit-target');
    await target('现金充值').waitFor();
    assert.equal(await target('现金充值').textContent(), `卡号 ${deskCard} · 钱*台`);
    assert.equal(await target('补贴批次入账').textContent(), '补贴批次 · 队列测试大额补贴');
    assert.equal(await target('停用设备').textContent(), '设备 5300001 · 消费机 · 第二食堂');
    assert.equal(await target('启用/停用商户').textContent(), '商户 · 第二食堂');
    const merchantRow = auditor.getByRole('row').filter({ hasText: '启用/停用商户' }).first();
    await merchantRow.getByText('原状态：启用').waitFor();
    await merchantRow.getByText('新状态：停用').waitFor();
    assert.doesNotMatch((await auditor.locator('.ant-table').textContent()) ?? '', /\b(active|disabled)\b/);
    const column = (await auditor.getByTestId('audit-target').allTextContents()).join('\n');
    assert.doesNotMatch(column, /[0-9A-HJKMNP-TV-Z]{26}/, 'no generated id in 对象');
    assert.doesNotMatch(column, /钱柜台|孙绑定/, 'holders masked');
    // The names came with the page's one audit request, no lookup per row.
    assert.ok(asked.includes('/api/admin/v1/audit'), JSON.stringify(asked));
    assert.deepEqual(
      asked.filter((p) => /\/(cards|merchants|devices|subsidy-batches|accounts)\/[^/]+/.test(p)),
      [],
    );
    assert.deepEqual(await axeFindings(auditor), []);
    await auditor.screenshot({ path: `${screenshots}admin-audit-targets.png`, fullPage: true });
    await auditor.context().close();
  });
});
