// Issue 16, the backoffice's 缴费与水电网 in Chromium: finance imports a fee item and follows its
// collection as students pay (one from the card, one straight by WeChat Pay through the stand-in),
// refunds the WeChat-paid fee from the page after a confirmation with 大写 that says the money goes
// back to WeChat Pay, and the page reads in Chinese with no serious accessibility finding.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import type { TopUpView } from '../../bff/src/services/top-ups/top-up-service.ts';
import { openPerson } from '../../bff/test/students.ts';
import {
  APPID,
  boundStudent,
  MCHID,
  type PayWorld,
  type Student,
  startPayWorld,
} from '../../bff/test/topups-support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { openPage, signIn, startBackoffice } from './support.ts';

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('backoffice in Chromium: 缴费与水电网, a fee item imported, its collection followed and a WeChat-paid fee refunded (issue 16)', () => {
  let pw: PayWorld;
  let web: Web;
  let browser: Browser;
  let page: Page;
  /** Pays from the card. */
  let cardPayer: Awaited<ReturnType<typeof openPerson>>;
  /** Pays straight by WeChat Pay. */
  let wechatPayer: Student;
  /** Owes and does not pay. */
  let debtor: Awaited<ReturnType<typeof openPerson>>;
  let wechatPaymentId: string;
  const code = `ZS${randomBytes(3).toString('hex').toUpperCase()}`;
  before(async () => {
    pw = await startPayWorld();
    await seedAdminDemo(pw.world.core.client);
    cardPayer = await openPerson(pw.world, { name: '周卡付' });
    wechatPayer = await boundStudent(pw.world, { name: '吴微信' });
    debtor = await openPerson(pw.world, { name: '郑未缴' });
    ({ web, browser } = await startBackoffice(pw.world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await pw?.stop();
  });

  const billOf = async (cardNo: string) => {
    const bills = await pw.world.core.client.cardFeeBills(cardNo);
    return bills.items[0] ?? assert.fail(`no bill for ${cardNo}`);
  };

  test('when finance imports a fee item from the page and two of its three students pay (from the card, by WeChat Pay), then the item reads 3 owing, 2 paid, ¥320.00 of ¥400.00 collected, 80%', async () => {
    page = await signIn(await openPage(browser, { width: 1400, height: 900 }), web, 'finance', {
      hash: '#/payments',
    });
    const csv = [
      '项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期',
      `${code},2027 学年住宿费,住宿费,${cardPayer.personNo},20,2027-09-01,否`,
      `${code},2027 学年住宿费,住宿费,${wechatPayer.personNo},300,2027-09-01,否`,
      `${code},2027 学年住宿费,住宿费,${debtor.personNo},80,2027-09-01,否`,
    ].join('\n');
    await page.getByTestId('fee-import-csv').fill(csv);
    await page.getByRole('button', { name: /^导\s*入$/ }).click();
    await page.getByText('已导入 1 个项目，共 3 人').waitFor();
    const row = page.getByTestId('fee-items').getByRole('row', { name: new RegExp(code) });
    await row.getByText('住宿费', { exact: true }).waitFor();
    await row.getByText('¥400.00').waitFor();
    await row.getByText('¥0.00').waitFor();

    // The card payer tops up at the desk and pays from the card.
    const core = pw.world.core.client;
    const cardBill = await billOf(cardPayer.cardNo);
    await core.topUp({
      id: `cp-top-${cardPayer.cardNo}`,
      cardNo: cardPayer.cardNo,
      amount: 2_000,
      channel: 'cash',
    });
    const byCard = await core.payFeeByCard(cardBill.id, {
      id: `cp-pay-${cardPayer.cardNo}`,
      cardNo: cardPayer.cardNo,
      amount: 2_000,
    });
    assert.equal(byCard.status, 'paid', JSON.stringify(byCard));
    // The WeChat payer places a WeChat Pay order for the bill and pays it at the stand-in.
    const wechatBill = await billOf(wechatPayer.cardNo);
    const created = await pw.world.request<TopUpView>(
      'POST',
      `/api/v1/fees/${wechatBill.id}/channel-payments`,
      {
        token: wechatPayer.accessToken,
        body: { channel: 'wechat', amount: 30_000 },
        headers: { 'idempotency-key': `fee-${randomBytes(8).toString('hex')}` },
      },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok(created.body.payment, JSON.stringify(created.body));
    const paid = await pw.standIn.pay({ appId: APPID, ...created.body.payment });
    assert.ok(paid.ok, JSON.stringify(paid));
    wechatPaymentId = created.body.id;
    await eventually(async () => (await core.topUpOrder(wechatPaymentId)).status === 'credited');
    assert.equal((await core.feeBill(wechatBill.id)).status, 'paid');

    await page.reload();
    await row.getByText('¥320.00').waitFor();
    await row.getByText('80%').waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(4, 8), ['3', '2', '¥400.00', '¥320.00'], cells.join(' | '));
    await page.getByTestId('fee-progress-chart').waitFor();
  });

  test('when finance refunds ¥123.45 of the WeChat-paid fee from the page, then the confirmation shows 壹佰贰拾叁元肆角伍分 and 原路退回微信支付, the result reads in Chinese, and WeChat Pay has one refund of that amount', async () => {
    const form = page.locator('.ant-card').filter({ hasText: '缴费退款' });
    await form.getByLabel('支付单号').fill(wechatPaymentId);
    await form.getByLabel('退款金额（元）').fill('123.45');
    await form.getByLabel('退款原因').fill('退宿');
    await form.getByRole('button', { name: /^退\s*款$/ }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('¥123.45').waitFor();
    await confirm.getByTestId('confirm-words').getByText('壹佰贰拾叁元肆角伍分').waitFor();
    await confirm.getByText('原路退回付款人的微信支付').waitFor();
    await confirm.getByText('吴微信', { exact: false }).waitFor();
    await confirm.getByText('¥300.00').waitFor();
    assert.equal(
      (await pw.world.core.client.topUpRefunds(wechatPaymentId)).items.length,
      0,
      'nothing before 确认',
    );
    await page.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByText(/^已(向微信支付提交退款，到账后自动完成|原路退回微信支付)$/).waitFor();
    await confirm.waitFor({ state: 'detached' });

    const core = pw.world.core.client;
    await eventually(async () => (await core.topUpRefunds(wechatPaymentId)).items[0]?.status === 'succeeded');
    const refunds = (await core.topUpRefunds(wechatPaymentId)).items;
    assert.deepEqual(
      refunds.map((r) => [r.amount, r.status]),
      [[12_345, 'succeeded']],
    );
    assert.equal(pw.standIn.order(MCHID, wechatPaymentId)?.refundedFen, 12_345);
    const bill = await core.feeBill((await billOf(wechatPayer.cardNo)).id);
    assert.equal(bill.payments[0]?.refundedAmount, 12_345);
  });

  test('when finance looks over the fees and the electricity orders, then nothing reads as an English code or JSON, and axe-core finds no serious or critical violation', async () => {
    const raw =
      /\b(accommodation|tuition|other|wechat|alipay|card|pending|done|refused|processing|succeeded|paid|unpaid|created|held|credited|completed|failed|exception|undefined|null|NaN)\b|[{}"]/;
    await page.reload();
    const content = page.locator('.ant-layout-content');
    // Read again once WeChat Pay has settled the refund: the refunded part is neither collected nor owed.
    const row = page.getByTestId('fee-items').getByRole('row', { name: new RegExp(code) });
    await row.getByText('¥196.55').waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(4, 8), ['3', '2', '¥276.55', '¥196.55'], cells.join(' | '));
    const fees = (await content.textContent()) ?? '';
    assert.match(fees, /缴费退款/);
    assert.doesNotMatch(fees, raw);
    // Each row's progress bar is named (axe aria-progressbar-name, serious, found here first).
    const findings = (await axeFindings(page)).map((f) => `fees: ${f}`);
    await page.getByRole('tab', { name: '电费订单' }).click();
    await page.getByTestId('electricity-orders').waitFor();
    await page.getByRole('button', { name: '立即对账' }).waitFor();
    assert.doesNotMatch((await content.textContent()) ?? '', raw);
    findings.push(...(await axeFindings(page)).map((f) => `electricity: ${f}`));
    assert.deepEqual(findings, []);
    await page.context().close();
  });
});
