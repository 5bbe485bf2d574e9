import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { demoAdminPassword, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { openCard } from '../../bff/test/admin-support.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { totp } from '../../core/src/admin/totp.ts';
import { addDays, dayBoundsMs, parseDay, shanghaiToday } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { openPage, screenshots, signIn as signInAs, startBackoffice } from './support.ts';

// 03:30 in Shanghai: the browser's Los Angeles date is the day before, so an audit search cut in the
// browser's days would find today's entries under yesterday and miss them under today (issue 21).
setShanghaiTime('03:30');

describe('backoffice in Chromium: sign-in, a card-loss flow, and a role that may only read', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let cardNo: string;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    cardNo = await openCard(world, '计算机学院', '孙浏览');
    await world.core.client.topUp({ id: `browser-${cardNo}`, cardNo, amount: 12_345, channel: 'cash' });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const signIn = async (username: string): Promise<Page> =>
    signInAs(await openPage(browser, { width: 1280, height: 860 }), web, username);

  async function openTheCard(page: Page, name = '孙浏览', no = cardNo): Promise<void> {
    // Every role lands on the workbench: the search is under 卡务管理.
    await page.getByRole('menuitem', { name: /卡务管理/ }).click();
    await page.getByPlaceholder('学工号、卡号或姓名').fill(name);
    await page.getByPlaceholder('学工号、卡号或姓名').press('Enter');
    await page.getByRole('cell', { name: no }).click();
    await page.getByTestId('card-status').waitFor();
  }

  test('when a wrong password is typed, then the login page says so and signs nobody in', async () => {
    const page = await openPage(browser);
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').fill('counter');
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('login-error').waitFor();
    assert.match((await page.getByTestId('login-error').textContent()) ?? '', /用户名、密码或验证码错误/);
    await page.screenshot({ path: `${screenshots}admin-login.png` });
    await page.close();
  });

  test("#21 when the counter operator reports a card lost in the backoffice, then the core has it lost and the audit log shows who did it, under Shanghai's today and not yesterday in a Los Angeles browser", async () => {
    const page = await signIn('counter');
    // The counter's menu: card affairs and approvals, not the audit log (the role has no audit right).
    const menu = (await page.getByRole('menu').textContent()) ?? '';
    assert.match(menu, /卡务管理/);
    assert.doesNotMatch(menu, /审计日志/);
    await openTheCard(page);
    assert.equal((await page.getByTestId('card-status').textContent()) ?? '', '正常');
    assert.match((await page.locator('body').textContent()) ?? '', /¥123\.45/);
    await page.screenshot({ path: `${screenshots}admin-card.png`, fullPage: true });

    await page.getByRole('button', { name: /^挂\s*失$/ }).click();
    await page.getByLabel('原因').fill('学生来电挂失');
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByTestId('card-status').getByText('挂失').waitFor();
    assert.equal((await world.core.client.getCard(cardNo)).status, 'lost');
    await page.screenshot({ path: `${screenshots}admin-card-lost.png`, fullPage: true });
    await page.context().close();

    const auditor = await signIn('auditor');
    await auditor.getByRole('menuitem', { name: /审计日志/ }).click();
    // The action reads in Chinese (#19.3), its code only as the cell's tooltip.
    await auditor.getByRole('cell', { name: '挂失', exact: true }).waitFor();
    assert.match(
      (await auditor.locator('table').textContent()) ?? '',
      /counter[\s\S]*挂失[\s\S]*学生来电挂失/,
    );
    // #21: the date range is of Shanghai days, whatever the browser's: the page asks for Shanghai
    // day bounds, so today's loss (at 03:30 Shanghai) is under today and not under yesterday.
    const searchDays = async (day: string) => {
      await auditor.getByPlaceholder('开始日期').click();
      await auditor.getByPlaceholder('开始日期').fill(day);
      await auditor.getByPlaceholder('开始日期').press('Enter');
      await auditor.getByPlaceholder('结束日期').fill(day);
      await auditor.getByPlaceholder('结束日期').press('Enter');
      const [response] = await Promise.all([
        auditor.waitForResponse((r) => /\/audit\?.*fromMs=/.test(r.url())),
        auditor.getByRole('button', { name: /查\s*询/ }).click(),
      ]);
      const asked = new URL(response.url()).searchParams;
      const { startMs, endMs } = dayBoundsMs(parseDay(day) ?? 0);
      assert.deepEqual([asked.get('fromMs'), asked.get('toMs')], [String(startMs), String(endMs)], day);
      return ((await response.json()) as { items: { action: string }[] }).items.map((i) => i.action);
    };
    assert.ok((await searchDays(shanghaiToday())).includes('card.report_loss'), 'under today');
    assert.ok(
      !(await searchDays(addDays(shanghaiToday(), -1))).includes('card.report_loss'),
      'not under yesterday',
    );
    await auditor.getByRole('button', { name: '校验哈希链' }).click();
    await auditor.getByText(/哈希链完整/).waitFor();
    await auditor.screenshot({ path: `${screenshots}admin-audit.png`, fullPage: true });
    await auditor.context().close();
  });

  test('when the auditor opens a card, then no action is offered, and the API refuses the action the page hides', async () => {
    const page = await signIn('auditor');
    await page.getByRole('menuitem', { name: /卡务管理/ }).click();
    await openTheCard(page);
    for (const name of ['解挂', '补卡', '现金充值', '调账', '注销退款'])
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    const refused = await page.evaluate(async (no): Promise<{ status: number; body: { code?: string } }> => {
      const response = await fetch(`/api/admin/v1/cards/${no}/actions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${(globalThis as unknown as { localStorage: { getItem(k: string): string } }).localStorage.getItem('cc-admin-token')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ action: 'cancel_loss' }),
      });
      return { status: response.status, body: (await response.json()) as { code?: string } };
    }, cardNo);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'FORBIDDEN');
    assert.equal((await world.core.client.getCard(cardNo)).status, 'lost');
    await page.screenshot({ path: `${screenshots}admin-auditor-card.png`, fullPage: true });
    await page.context().close();
  });

  test('#19 when the counter opens a card by hand for a new staff member (and a visitor card and a temporary staff card valid through a day), resets its forgotten PIN against the ID card (a wrong number refused and audited) and changes its limits (a PIN-free limit above the daily one refused), then each is confirmed first, the core has it, and the audit log names each', async () => {
    const page = await signIn('counter');
    await page.getByRole('menuitem', { name: /卡务管理/ }).click();
    await page.getByRole('button', { name: '手工开卡' }).click();
    const form = page.getByRole('dialog', { name: '手工开卡' });
    const personNo = `T${Date.now().toString(36)}`;
    await form.getByLabel('学工号').fill(personNo);
    await form.getByLabel('姓名').fill('钱手工');
    await form.getByLabel('院系或部门').fill('后勤处');
    await form.getByLabel('身份证号').fill('11010519491231002x');
    await page.getByRole('button', { name: '下一步' }).click();
    // Nothing is opened before the confirmation: it lists what will be opened.
    const confirmation = page.getByRole('dialog', { name: '确认开卡' });
    await confirmation.getByText('11010519491231002X').waitFor();
    assert.match((await confirmation.textContent()) ?? '', /教职工[\s\S]*后勤处/);
    assert.equal((await world.core.client.searchPeople({ q: personNo, limit: 5 })).items.length, 0);
    await confirmation.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByTestId('card-status').waitFor();
    const opened = decodeURIComponent(page.url().split('/').at(-1) ?? '');
    const card = await world.core.client.getCard(opened);
    assert.deepEqual(
      [card.personNo, card.name, card.personType, card.department, card.status],
      [personNo, '钱手工', 'staff', '后勤处', 'active'],
    );

    // A forgotten PIN: the ID number typed off a different ID card is refused, the dialog stays.
    await page.getByRole('button', { name: '重置密码' }).click();
    const pinForm = page.getByRole('dialog', { name: /重置支付密码 · 钱手工/ });
    await pinForm.getByLabel('身份证号').fill('110105194912310011');
    await pinForm.getByLabel('新密码', { exact: true }).fill('135790');
    await pinForm.getByLabel('再次输入新密码').fill('135790');
    await page.getByRole('button', { name: '下一步' }).click();
    await page
      .getByRole('dialog', { name: '确认重置支付密码' })
      .getByRole('button', { name: /^确\s*认$/ })
      .click();
    await page.getByText('身份证号与登记信息不符').waitFor();
    assert.equal((await world.core.client.getCard(opened)).pinSet, false);
    await pinForm.getByLabel('身份证号').fill('11010519491231002X');
    await page.getByRole('button', { name: '下一步' }).click();
    await page
      .getByRole('dialog', { name: '确认重置支付密码' })
      .getByRole('button', { name: /^确\s*认$/ })
      .click();
    await page.getByText('密码已重置').waitFor();
    assert.equal((await world.core.client.getCard(opened)).pinSet, true);
    assert.equal(await world.core.core.cards.checkPin(opened, '135790'), 'ok');

    // Limits: a PIN-free limit above the daily one is refused in the form; then ¥100 and ¥20, confirmed with 大写.
    await page.getByRole('button', { name: '修改限额' }).click();
    await page.getByLabel('日限额（元）').fill('100');
    await page.getByLabel('免密支付限额（元）').fill('150');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByText('免密支付限额不能高于日限额').waitFor();
    await page.getByLabel('免密支付限额（元）').fill('20');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByTestId('confirm-words').getByText('壹佰元整').waitFor();
    await page.getByRole('button', { name: '确认修改' }).click();
    await page.getByText('限额已修改').waitFor();
    const limited = await world.core.client.getCard(opened);
    assert.deepEqual([limited.dailyLimit, limited.pinFreeLimit], [10_000, 2_000]);
    await page.screenshot({ path: `${screenshots}admin-card-desk.png`, fullPage: true });

    // A visitor card must have an end: refused without one; with one it runs through that Shanghai day.
    await page.getByRole('menuitem', { name: /卡务管理/ }).click();
    await page.getByRole('button', { name: '手工开卡' }).click();
    const visitorForm = page.getByRole('dialog', { name: '手工开卡' });
    await visitorForm.getByLabel('学工号').fill(`V${Date.now().toString(36)}`);
    await visitorForm.getByLabel('姓名').fill('访客甲');
    await visitorForm.getByLabel('身份', { exact: true }).click();
    await page.getByTitle('访客', { exact: true }).click();
    await visitorForm.getByLabel('身份证号').fill('110105198001010019');
    await page.getByRole('button', { name: '下一步' }).click();
    await visitorForm.getByText('访客卡须填写有效期').waitFor();
    const until = addDays(shanghaiToday(), 1);
    await visitorForm.getByPlaceholder('选择日期').fill(until);
    await visitorForm.getByPlaceholder('选择日期').press('Enter');
    await page.getByRole('button', { name: '下一步' }).click();
    const visitorConfirm = page.getByRole('dialog', { name: '确认开卡' });
    await visitorConfirm.getByText(`至 ${until}（当日 24:00 起停用）`).waitFor();
    await visitorConfirm.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByText(`至 ${until}`, { exact: true }).waitFor();
    const visitor = await world.core.client.getCard(decodeURIComponent(page.url().split('/').at(-1) ?? ''));
    assert.deepEqual(
      [visitor.personType, visitor.expiresAtMs],
      ['visitor', dayBoundsMs(parseDay(until) ?? 0).endMs],
    );

    // A temporary card (#19): a staff member's card with an end, through that Shanghai day.
    await page.getByRole('menuitem', { name: /卡务管理/ }).click();
    await page.getByRole('button', { name: '手工开卡' }).click();
    const temporaryForm = page.getByRole('dialog', { name: '手工开卡' });
    await temporaryForm.getByLabel('学工号').fill(`L${Date.now().toString(36)}`);
    await temporaryForm.getByLabel('姓名').fill('临时工乙');
    await temporaryForm.getByLabel('院系或部门').fill('后勤处');
    await temporaryForm.getByLabel('身份证号').fill('110105198001010035');
    await temporaryForm.getByPlaceholder('选择日期').fill(until);
    await temporaryForm.getByPlaceholder('选择日期').press('Enter');
    await page.getByRole('button', { name: '下一步' }).click();
    const temporaryConfirm = page.getByRole('dialog', { name: '确认开卡' });
    await temporaryConfirm.getByText(`至 ${until}（当日 24:00 起停用）`).waitFor();
    await temporaryConfirm.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByText(`至 ${until}`, { exact: true }).waitFor();
    const temporary = await world.core.client.getCard(decodeURIComponent(page.url().split('/').at(-1) ?? ''));
    assert.deepEqual(
      [temporary.personType, temporary.name, temporary.expiresAtMs],
      ['staff', '临时工乙', dayBoundsMs(parseDay(until) ?? 0).endMs],
    );
    await page.context().close();

    const audit = await world.core.client.searchAudit({ targetId: opened });
    assert.deepEqual(audit.items.map((e) => e.action).sort(), [
      'card.limits',
      'card.open',
      'card.pin_reset',
      'card.pin_reset_refused',
    ]);
    assert.doesNotMatch(
      JSON.stringify(audit.items),
      /11010519491231002X|135790/i,
      'no ID number or PIN in the audit',
    );
  });

  test('when the cash desk takes ¥50, then the card is credited once and a printable receipt opens with the new balance', async () => {
    const other = await openCard(world, '计算机学院', '周现金');
    const page = await signIn('counter');
    await openTheCard(page, '周现金', other);
    await page.getByRole('button', { name: '现金充值' }).click();
    await page.getByLabel('金额（元）').fill('50');
    await page.getByRole('button', { name: /^确\s*认$/ }).click();
    // The shared confirmation: ¥50.00 in figures and 伍拾元整 before anything is posted (#19.1).
    await page.getByTestId('confirm-words').getByText('伍拾元整').waitFor();
    const [receipt] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: '确认充值' }).click(),
    ]);
    await receipt.getByTestId('receipt').waitFor();
    const text = (await receipt.getByTestId('receipt').textContent()) ?? '';
    assert.match(text, /充值金额\s*¥50\.00/);
    assert.match(text, /充值后余额\s*¥50\.00/);
    assert.match(text, /周现金/);
    assert.equal((await world.core.client.getCard(other)).balance.main, 5000);
    await receipt.screenshot({ path: `${screenshots}admin-receipt.png` });
    await page.context().close();
  });

  test('when an account has a second factor, then the password leads to the code step and the right code signs in', async () => {
    const account = await world.core.client.createAdmin({
      username: 'otpuser',
      displayName: '双因素财务',
      role: 'finance',
      password: demoAdminPassword,
      totp: true,
    });
    const page = await openPage(browser);
    await page.goto(`${web.url}/admin/`);
    await page.getByLabel('用户名').fill('otpuser');
    await page.getByLabel('密码').fill(demoAdminPassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByLabel('动态验证码').waitFor();
    await page.screenshot({ path: `${screenshots}admin-login-totp.png` });
    await page.getByLabel('动态验证码').fill(totp(account.totpSecret ?? '', Date.now()));
    await page.getByRole('button', { name: /验\s*证/ }).click();
    await page.getByTestId('who').waitFor();
    assert.equal((await page.getByTestId('who').textContent()) ?? '', '双因素财务');
    await page.close();
  });

  test('when the super admin creates a department admin on the accounts page, then the core has that account with its department', async () => {
    const page = await signIn('super');
    await page.getByRole('menuitem', { name: /管理员账号/ }).click();
    await page.getByRole('cell', { name: 'auditor', exact: true }).waitFor();
    await page.getByRole('button', { name: '新建账号' }).click();
    await page.getByLabel('用户名').fill('dept.law');
    await page.getByLabel('姓名').fill('法学院管理员');
    await page.getByLabel('角色').click();
    await page.locator('.ant-select-item-option', { hasText: '院系管理员' }).click();
    await page.getByLabel('院系（院系管理员、辅导员必填）').fill('法学院');
    await page.getByLabel('初始密码').fill('law-school-2026');
    await page.getByRole('button', { name: /创\s*建/ }).click();
    await page.getByRole('cell', { name: 'dept.law' }).waitFor();
    const created = (await world.core.client.admins()).items.find((a) => a.username === 'dept.law');
    assert.equal(created?.role, 'department_admin');
    assert.equal(created?.department, '法学院');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.screenshot({ path: `${screenshots}admin-accounts.png`, fullPage: true });
    await page.context().close();
  });

  test("when the super admin disables an account, then that person's open page goes back to sign-in on its next request, and enabling lets them in again", async () => {
    const auditor = await signIn('auditor');
    const page = await signIn('super');
    await page.getByRole('menuitem', { name: /管理员账号/ }).click();
    const row = page.getByRole('row', { name: /auditor/ });
    await row.getByRole('button', { name: /停\s*用/ }).click();
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    await row.getByText('已停用').waitFor();
    // The auditor's next request meets a revoked session and the app shows the sign-in form.
    await auditor.getByRole('menuitem', { name: /审计日志/ }).click();
    await auditor.getByLabel('用户名').waitFor();
    assert.equal(
      (await world.core.client.admins()).items.find((a) => a.username === 'auditor')?.status,
      'disabled',
    );
    await row.getByRole('button', { name: /启\s*用/ }).click();
    await row.getByText('正常').waitFor();
    await auditor.getByLabel('用户名').fill('auditor');
    await auditor.getByLabel('密码').fill(demoAdminPassword);
    await auditor.getByRole('button', { name: /登\s*录/ }).click();
    await auditor.getByTestId('who').waitFor();
    await auditor.context().close();
    await page.context().close();
  });

  test('when an admin binds an authenticator under 我的账号, then it is live only after a code from the QR secret, and the next sign-in asks for a code', async () => {
    const page = await signIn('editor');
    await page.getByRole('button', { name: '我的账号' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('未启用').waitFor();
    await dialog.getByRole('button', { name: '绑定身份验证器' }).click();
    await dialog.getByTestId('totp-qr').waitFor();
    await page.screenshot({ path: `${screenshots}admin-my-account.png` });
    const secret = ((await dialog.getByTestId('totp-secret').textContent()) ?? '').trim();
    await dialog.getByLabel('6 位验证码').fill(totp(secret, Date.now()));
    await dialog.getByRole('button', { name: '确认绑定' }).click();
    await dialog.getByText('已启用').waitFor();
    const editor = (await world.core.client.admins()).items.find((a) => a.username === 'editor');
    assert.equal(editor?.totpEnabled, true);
    await page.context().close();

    const again = await openPage(browser);
    await again.goto(`${web.url}/admin/`);
    await again.getByLabel('用户名').fill('editor');
    await again.getByLabel('密码').fill(demoAdminPassword);
    await again.getByRole('button', { name: /登\s*录/ }).click();
    await again.getByLabel('动态验证码').waitFor();
    await again.close();
  });
});
