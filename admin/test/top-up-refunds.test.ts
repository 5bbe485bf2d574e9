import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import {
  balanceOf,
  boundStudent,
  createTopUp,
  type PayWorld,
  payLikeWechat,
  startPayWorld,
  waitForStatus,
} from '../../bff/test/topups-support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice in Chromium: refunding a WeChat top-up, with a second admin approving the large one', () => {
  let w: PayWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    // 50 yuan: larger refunds wait for a second admin.
    w = await startPayWorld({ ADJUSTMENT_APPROVAL_ABOVE: '5000' });
    await seedAdminDemo(w.world.core.client);
    ({ web, browser } = await startBackoffice(w.world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await w?.stop();
  });

  const signInAt = async (username: string, hash: string): Promise<Page> =>
    signIn(await openPage(browser), web, username, { hash });

  test('when finance refunds part of a top-up at once and proposes a larger refund, then a super admin approves it and the card is refunded in full', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 9_000)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');

    const finance = await signInAt('finance', `#/cards/${student.cardNo}`);
    const row = finance.getByRole('row', { name: new RegExp(order.id) });
    const refund = async (yuan: string, reason: string) => {
      await row.getByRole('button', { name: /退\s*款/ }).click();
      const dialog = finance.getByRole('dialog').filter({ hasText: '退款原因' });
      await dialog.getByLabel('退款金额（元）').fill(yuan);
      await dialog.getByLabel('退款原因').fill(reason);
      await dialog.getByRole('button', { name: /确\s*认/ }).click();
      // The shared money confirmation (#19.1), then the refund goes.
      await finance.getByTestId('confirm-words').waitFor();
      await finance.getByRole('button', { name: '确认退款' }).click();
      await dialog.waitFor({ state: 'hidden' });
    };
    await refund('20', '重复充值');
    await row.getByText(/¥20\.00/).waitFor();
    await finance.screenshot({ path: `${screenshots}admin-top-up-refund.png`, fullPage: true });
    await refund('70', '退学退款');
    await finance.getByText('金额超过限额，已提交审批').waitFor();
    assert.equal(await balanceOf(w.world, student.cardNo), 7_000, 'only the small refund has moved');

    const boss = await signInAt('super', '#/approvals');
    const pending = boss.getByRole('row', { name: /充值退款/ });
    await pending.getByRole('button', { name: /批\s*准/ }).click();
    await boss.getByTestId('confirm-words').getByText('柒拾元整').waitFor();
    await boss.getByRole('button', { name: '确认批准' }).click();
    await boss.getByText('已批准并执行').waitFor();
    await waitForStatus(w.world, student, order.id, 'refunded');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    await finance.context().close();
    await boss.context().close();
  });
});
