// Issue 19's parents findings, in the H5 build in real Chromium against the whole running system (core,
// BFF, gateway, stand-ins, on MariaDB and Redis), with two WeChat accounts in two browser contexts: the
// student invites from 我的家长 (copy, countdown), the parent links on the parents' own page, reads the
// child's card status and the spending as the child allows, reports the card lost and reads the status,
// who reported it and the way to undo it, while the student's phone is told why it was signed out, and
// takes the report back within its half hour; the
// student sees the parent in 我的家长 and removes them, and the parent then sees nothing of the child.
// Every button on both pages is readable (≥ 4.5:1). In the same world, the 消息设置 page (docs/messages.md):
// a kind turned off and the low-balance alert are kept across a reload, and a bad amount is refused; and
// the parent's own 家长消息设置 (#14): a kind off, quiet hours and a child's alert kept across a reload, a
// bad amount refused in Chinese with nothing saved.
// Run by `npm run test:browser -w miniprogram` after `npm run build:h5` (it serves miniprogram/dist/h5).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BrowserContextOptions, Page } from 'playwright-core';
import type { CoreClient } from '../../core/src/client/index.ts';
import type { RunningSystem } from '../../mock/demo/system.ts';
import {
  axeFindings,
  bindAs as bindStudent,
  type H5World,
  type Identity,
  openPage,
  shoot,
  startH5World,
} from './support.ts';

/**
 * The WCAG contrast of every visible button's text in `scope` against the colour behind it (the first
 * ancestor with an opaque background; the text's alpha blended in), lowest first, with the button's
 * text. Run in the page as plain JavaScript (the tests have no DOM types).
 */
const contrastScript = `(selector) => {
  const parse = (colour) => {
    const parts = (colour.match(/[\\d.]+/g) || []).map(Number);
    return [parts[0] || 0, parts[1] || 0, parts[2] || 0, parts[3] === undefined ? 1 : parts[3]];
  };
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const backgroundOf = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const [r, g, b, a] = parse(getComputedStyle(at).backgroundColor);
      if (a > 0.99) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const root = document.querySelector(selector);
  return [...(root ? root.querySelectorAll('.taro-button-core, button') : [])]
    .filter((button) => button.offsetParent !== null)
    .map((button) => {
      const back = backgroundOf(button);
      const [r, g, b, a] = parse(getComputedStyle(button).color);
      const text = [r, g, b].map((v, i) => v * a + back[i] * (1 - a));
      const [light, dark] = [luminance(text), luminance(back)].sort((x, y) => y - x);
      return { text: (button.textContent || '').trim(), ratio: (light + 0.05) / (dark + 0.05) };
    })
    .sort((x, y) => x.ratio - y.ratio);
}`;

async function buttonContrasts(page: Page, scope: string): Promise<{ text: string; ratio: number }[]> {
  return page.evaluate(`(${contrastScript})(${JSON.stringify(scope)})`);
}

describe("parents' pages and 我的家长 in the H5 app (issue 19)", () => {
  let world: H5World;
  let system: RunningSystem;
  let core: CoreClient;
  let pageErrors: string[];

  before(async () => {
    world = await startH5World('cc-parents', { PAY_INTERVAL_MS_MIN: '0' });
    ({ system, core, pageErrors } = world);
  });

  after(async () => {
    await world?.stop();
  });

  const newPage = (options?: BrowserContextOptions): Promise<Page> => world.newPage(options);
  // The privacy consent, where the bind page asks for it.
  const bindAs = (page: Page, identity: Identity) => bindStudent(page, system.web.url, identity, 'if-asked');
  /** Opens a page of the app afresh (a reload, so no earlier page of the same route stays in the DOM). */
  const open = (page: Page, route: string) => openPage(page, system.web.url, route);

  async function assertReadableButtons(page: Page, scope: string): Promise<void> {
    const contrasts = await buttonContrasts(page, scope);
    assert.ok(contrasts.length > 0, `${scope} has buttons`);
    for (const { text, ratio } of contrasts)
      assert.ok(ratio >= 4.5, `${scope}: the button ${text} reads at ${ratio.toFixed(2)}:1, under 4.5:1`);
  }

  test('#19.4 when a parent links, reads the status and spending as allowed, reports the card lost and takes it back, and the student removes them in 我的家长, then each step shows and the parent sees nothing after', async () => {
    const child = system.identities[3];
    assert.ok(child);
    // Money moved before the parent links: a top-up and a canteen payment are the child's latest spending.
    const canteen = await core.createMerchant({ name: '家长页食堂', category: 'canteen' });
    await core.topUp({ id: randomUUID(), cardNo: child.cardNo, amount: 5_000, channel: 'wechat' });
    await core.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId: canteen.id, amount: 1_350 });
    const { main, subsidy } = (await core.getCard(child.cardNo)).balance;
    const balance = `¥${Math.floor((main + subsidy) / 100)}.${String((main + subsidy) % 100).padStart(2, '0')}`;

    // The student: 我的家长 has no one yet; an invitation code with copy and its countdown.
    const student = await newPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await bindAs(student, child);
    await open(student, 'parents-mine');
    await student.locator('#no-parents').waitFor();
    await student.locator('#make-invitation').click();
    const invitation = ((await student.locator('#invitation-code').textContent()) ?? '').trim();
    assert.match(invitation, /^[0-9A-Z]{8}$/);
    const countdown = (await student.locator('#invitation-countdown').textContent()) ?? '';
    assert.match(countdown, /^(10:00|09:[0-5]\d) 后失效$/, countdown);
    await student.waitForTimeout(2_100);
    assert.notEqual(
      await student.locator('#invitation-countdown').textContent(),
      countdown,
      'it counts down',
    );
    await student.locator('#copy-invitation').click();
    await student.locator('.page-parents-mine .form-ok', { hasText: '邀请码已复制' }).waitFor();
    assert.equal(await student.evaluate('navigator.clipboard.readText()'), invitation);
    await assertReadableButtons(student, '.page-parents-mine');
    await shoot(student, 'parents-mine-invitation');

    // The parent: their own page, no student words; the 关联 button readable; link with the code.
    const parent = await newPage();
    await parent.goto(system.web.url);
    await parent.locator('#login').click();
    await parent.locator('#as-parent').click();
    await parent.locator('.page-parents #no-children').waitFor();
    assert.equal(
      await parent.locator('.page-parents #make-invitation').count(),
      0,
      'no 生成邀请码 for a parent',
    );
    await assertReadableButtons(parent, '.page-parents');
    await parent.locator('.page-parents input#invitation-input').fill(invitation);
    await parent.locator('#link-child').click();
    await parent.locator('.page-parents .form-ok', { hasText: `已关联 ${child.name}` }).waitFor();
    await parent.locator('.page-parents #child-status', { hasText: '正常' }).waitFor();
    assert.equal(await parent.locator('.page-parents #child-balance').textContent(), balance);
    const spending = parent.locator('.page-parents #child-spending .row');
    await spending.first().waitFor();
    const rows = (await spending.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    assert.ok(
      rows.some((r) => r.includes('家长页食堂') && r.includes('-¥13.50')),
      JSON.stringify(rows),
    );
    assert.ok(
      rows.some((r) => r.includes('充值') && r.includes('+¥50.00')),
      JSON.stringify(rows),
    );
    // The child's movements in 提醒与消息 name the merchant and read as money out or in.
    await parent
      .locator('.page-parents #parent-messages .row', { hasText: `${child.name} 消费 · 家长页食堂 -¥13.50` })
      .waitFor();
    await parent
      .locator('.page-parents #parent-messages .row', { hasText: `${child.name} 充值 +¥50.00` })
      .first()
      .waitFor();
    // The parent's low-balance alert: set above the balance, it shows on the card and arrives as a line
    // of 提醒与消息 (outside the app it is a WeChat message: core/test/messages-running.test.ts).
    const alertYuan = Math.floor((main + subsidy) / 100) + 10;
    await parent.locator('.page-parents input#alert-input').fill(String(alertYuan));
    await parent.locator('#save-alert').click();
    await parent.locator('.page-parents .form-ok', { hasText: '提醒已保存' }).waitFor();
    await parent.locator('.page-parents #low-balance', { hasText: `¥${alertYuan}.00` }).waitFor();
    await parent
      .locator('.page-parents #parent-messages .row', {
        hasText: `${child.name}的校园卡余额 ${balance}，低于你设置的提醒金额 ¥${alertYuan}.00`,
      })
      .waitFor();
    await assertReadableButtons(parent, '.page-parents');
    await shoot(parent, 'parents-child');

    // A top-up for the child names the child and the amount and waits for the parent's yes; cancelled,
    // no order is made and the page stays.
    await parent.locator('#top-up-child').click();
    await parent.getByText(`为孩子充值：${child.name}`).waitFor();
    await parent.locator('.page-top-up .preset', { hasText: '¥20.00' }).click();
    await parent.locator('#pay').click();
    await parent.getByText(`确定为${child.name}的校园卡充值 ¥20.00 吗？`).waitFor();
    await shoot(parent, 'parents-top-up-confirm');
    await parent.locator('.taro-model__cancel').click();
    await parent.waitForTimeout(500);
    assert.match(parent.url(), /pages\/top-up\/index/);
    assert.equal((await core.getCard(child.cardNo)).balance.main, main, 'no money moved');

    // The student hides spending from this parent: the parent's page says so and lists nothing.
    await open(student, 'parents-mine');
    await student.locator('.page-parents-mine .linked-parent').waitFor();
    assert.deepEqual(await axeFindings(student, '.page-parents-mine'), []);
    assert.match(
      ((await student.locator('.page-parents-mine .linked-parent').textContent()) ?? '').replace(/\s+/g, ' '),
      /家长 1\s*关联于 \d{4}-\d{2}-\d{2}/,
    );
    await student.locator('.page-parents-mine .show-spending').click();
    await student.locator('.page-parents-mine .form-ok').waitFor();
    await open(parent, 'parents');
    await parent.locator('.page-parents #spending-hidden', { hasText: '孩子未向你开放消费明细' }).waitFor();
    assert.equal(await parent.locator('.page-parents #child-spending').count(), 0);
    assert.equal(await parent.locator('.page-parents #child-balance').textContent(), balance);

    // The parent reports the card lost: the status, who reported it and when, and the way to undo it:
    // their own 撤销挂失 for half an hour, then the child's or the card centre's.
    await parent.locator('#report-child-lost').click();
    await parent.locator('.taro-model__confirm').click();
    await parent.locator('.page-parents #child-status', { hasText: '已挂失' }).waitFor();
    assert.match(
      (await parent.locator('.page-parents #child-status-line').textContent()) ?? '',
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? 由你挂失$/,
    );
    const guidance = (await parent.locator('.page-parents #card-guidance').textContent()) ?? '';
    assert.match(guidance, /你可以在 \d{2}-\d{2} \d{2}:\d{2} 前撤销挂失/);
    assert.match(guidance, /请孩子本人在小程序.*解挂，或到卡务中心办理/);
    await parent.locator('.page-parents #undo-child-lost', { hasText: '撤销挂失' }).waitFor();
    assert.equal(await parent.locator('#report-child-lost').count(), 0, 'a lost card is not reported twice');
    assert.equal((await core.getCard(child.cardNo)).status, 'lost');
    await parent
      .locator('.page-parents #parent-messages .row', { hasText: '状态变为：已挂失' })
      .first()
      .waitFor();
    await assertReadableButtons(parent, '.page-parents');
    assert.deepEqual(await axeFindings(parent, '.page-parents'), []);
    await shoot(parent, 'parents-child-lost');

    // The student's phone was signed out by the report, and the login page says why, not silently;
    // they sign in again (the card reads 已挂失) and remove the parent.
    await student.goto(`${system.web.url}/#/pages/home/index`);
    await student.reload();
    await student.locator('#signed-out-reason', { hasText: '家长已为你的校园卡办理挂失' }).waitFor();
    await shoot(student, 'signed-out-by-parent');
    await student.locator('#login').click();
    await student.locator('#card-status', { hasText: '已挂失' }).waitFor();

    // The parent takes the report back (a mistaken tap): asked first, then the card is 正常 again for
    // both, with no undo left to offer; the child's card page reads it after a reload.
    await open(parent, 'parents');
    await parent.locator('.page-parents #undo-child-lost').click();
    await parent.getByText(`确定撤销${child.name}校园卡的挂失吗？`, { exact: false }).waitFor();
    await parent.locator('.taro-model__confirm').click();
    await parent.locator('.page-parents .form-ok', { hasText: '已撤销挂失' }).waitFor();
    await parent.locator('.page-parents #child-status', { hasText: '正常' }).waitFor();
    assert.equal((await core.getCard(child.cardNo)).status, 'active');
    for (const gone of ['#undo-child-lost', '#card-guidance', '#child-status-line'])
      assert.equal(await parent.locator(`.page-parents ${gone}`).count(), 0, `${gone} is gone`);
    await assertReadableButtons(parent, '.page-parents');
    assert.deepEqual(await axeFindings(parent, '.page-parents'), []);
    await shoot(parent, 'parents-child-undone');
    await open(student, 'card-actions');
    await student.locator('#card-status', { hasText: '正常' }).waitFor();
    await open(student, 'parents-mine');
    await student.locator('.page-parents-mine .remove-parent').click();
    await student.locator('.taro-model__confirm').click();
    await student.locator('.page-parents-mine .form-ok', { hasText: '已移除' }).waitFor();
    await student.locator('.page-parents-mine #no-parents').waitFor();
    await shoot(student, 'parents-mine-removed');

    // The parent sees nothing of the child any more.
    await open(parent, 'parents');
    await parent.locator('.page-parents #no-children').waitFor();
    for (const gone of [
      '#child-card',
      '#child-status',
      '#child-balance',
      '#child-spending',
      '#parent-messages',
    ])
      assert.equal(await parent.locator(`.page-parents ${gone}`).count(), 0, `${gone} is gone`);
    assert.ok(!((await parent.locator('.page-parents').textContent()) ?? '').includes(child.name));
    assert.deepEqual(pageErrors, []);
    await parent.context().close();
    await student.context().close();
  });

  test('when a student turns a message kind off and sets the low-balance alert in 消息设置, then both are saved and a reload shows them; a bad amount is refused, not corrected', async () => {
    const identity = system.identities[4];
    assert.ok(identity);
    const { personId } = await core.getCard(identity.cardNo);
    const student = await newPage();
    await bindAs(student, identity);
    await open(student, 'message-settings');
    const kind = (name: string) => student.locator(`#message-kind-${name}`);
    const isOn = async (name: string) => (await kind(name).getAttribute('aria-checked')) === 'true';
    await kind('statement').waitFor();
    assert.equal(await isOn('statement'), true, 'on until turned off');
    assert.equal(await isOn('receipt'), false, 'receipts are opt-in');
    await kind('statement').click();
    await student.locator('input#message-low-balance').fill('20');
    await student.locator('#message-save').click();
    await student.getByText('已保存').first().waitFor();
    const saved = await core.messagePreferences(personId);
    assert.deepEqual([saved.optedOut, saved.lowBalanceFen], [['statement'], 2_000]);

    await open(student, 'message-settings');
    await kind('statement').waitFor();
    assert.equal(await isOn('statement'), false);
    assert.equal(await isOn('low_balance'), true);
    assert.equal(await student.locator('input#message-low-balance').inputValue(), '20.00');
    assert.deepEqual(await axeFindings(student, '.page-message-settings'), []);
    await shoot(student, 'message-settings');

    await student.locator('input#message-low-balance').fill('-5');
    await student.locator('#message-save').click();
    await student.locator('#message-settings-error').waitFor();
    assert.equal((await core.messagePreferences(personId)).lowBalanceFen, 2_000);
    assert.deepEqual(pageErrors, []);
    await student.context().close();
  });

  test("#14 when a parent turns a kind off, sets quiet hours and a child's alert in 家长消息设置, then a reload shows them; a bad amount is refused in Chinese and nothing is saved", async () => {
    const child = system.identities[5];
    assert.ok(child);
    // The child invites, the parent links (as on the parents' page).
    const student = await newPage();
    await bindAs(student, child);
    await open(student, 'parents-mine');
    await student.locator('#make-invitation').click();
    const invitation = ((await student.locator('#invitation-code').textContent()) ?? '').trim();
    const parent = await newPage();
    await parent.goto(system.web.url);
    await parent.locator('#login').click();
    await parent.locator('#as-parent').click();
    await parent.locator('.page-parents input#invitation-input').fill(invitation);
    await parent.locator('#link-child').click();
    await parent.locator('.page-parents .form-ok', { hasText: `已关联 ${child.name}` }).waitFor();
    const linkNow = async () => {
      const [now] = (await core.guardianLinks({ personNo: child.personNo })).items;
      assert.ok(now);
      return now;
    };
    const link = await linkNow();

    // From the parents' page to the settings: every kind on, no alert, no quiet hours yet.
    await parent.locator('#open-parent-settings').click();
    await parent.locator('.page-parent-settings').waitFor();
    const kind = (name: string) => parent.locator(`#parent-kind-${name}`);
    const isOn = async (toggle: ReturnType<typeof kind>) =>
      (await toggle.getAttribute('aria-checked')) === 'true';
    const alert = parent.locator(`input#child-alert-${child.cardNo}`);
    await kind('spending_alert').waitFor();
    for (const k of ['low_balance', 'card_status', 'spending_alert', 'receipt'])
      assert.equal(await isOn(kind(k)), true, `${k} on until turned off`);
    assert.equal(await alert.inputValue(), '');
    assert.equal(await isOn(parent.locator('#parent-quiet')), false);
    await kind('spending_alert').click();
    await alert.fill('15');
    await parent.locator('#parent-quiet').click();
    await parent.locator('#parent-quiet-from', { hasText: '22:00' }).waitFor();
    await parent.locator('#parent-settings-save').click();
    await parent.getByText('已保存').first().waitFor();
    assert.deepEqual(await core.guardianMessagePreferences(link.parentOpenid), {
      quietStartMin: 22 * 60,
      quietEndMin: 7 * 60,
      optedOut: ['spending_alert'],
    });
    assert.equal((await linkNow()).lowBalanceAlert, 1_500);

    // A reload shows what was saved.
    await open(parent, 'parent-settings');
    await kind('spending_alert').waitFor();
    assert.equal(await isOn(kind('spending_alert')), false);
    assert.equal(await isOn(kind('card_status')), true);
    assert.equal(await alert.inputValue(), '15.00');
    assert.equal(await isOn(parent.locator('#parent-quiet')), true);
    assert.equal((await parent.locator('#parent-quiet-to').textContent())?.trim(), '结束 07:00');
    assert.deepEqual(await axeFindings(parent, '.page-parent-settings'), []);
    await assertReadableButtons(parent, '.page-parent-settings');
    await shoot(parent, 'parent-settings');

    // A bad amount: refused in Chinese, naming the child; nothing saved, the kind turned on again included.
    await kind('spending_alert').click();
    await alert.fill('0');
    await parent.locator('#parent-settings-save').click();
    const refusal = (await parent.locator('#parent-settings-error').textContent()) ?? '';
    assert.equal(refusal, `${child.name}的提醒金额无效：请填写大于 0 的金额，最多两位小数`);
    assert.equal((await linkNow()).lowBalanceAlert, 1_500);
    assert.deepEqual((await core.guardianMessagePreferences(link.parentOpenid)).optedOut, ['spending_alert']);
    assert.deepEqual(pageErrors, []);
    await parent.context().close();
    await student.context().close();
  });
});
