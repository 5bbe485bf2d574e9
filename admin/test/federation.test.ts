// The backoffice of federation between card centres (docs/federation.md) in Chromium, with two complete
// centres on their own MariaDB databases: centre A (core + BFF + this backoffice) and centre B (a core).
// A's super admin keeps the trust list (adds a centre, rotates and revokes its keys, suspends its link);
// A's finance reconciles a day with B — a payment whose answer was lost on its way to B shows as a
// difference with its kind in Chinese — and, once B's retry has settled it, records the day's net after a
// confirmation that shows the amount in capital numerals. With a third centre D: an answer A never got of
// D's card at A's canteen is asked again by A's job (已重询) and gone at the next reconciliation; one A
// cannot ask about is settled by finance's proposal (采纳对方金额, with the figure in 大写) and the super
// admin's approval (已核销), after which the net can be recorded.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '@campus-card/tests/kit';
import { type FederatedCentre, type Federation, startFederation } from '@campus-card/tests/kit/federation';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { formatDay, shanghaiDay } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

const keyHex = (fill: number) => Buffer.alloc(32, fill).toString('hex');

describe('backoffice in Chromium: the trust list and the daily settlement with another centre', () => {
  let world: TestWorld;
  let federation: Federation;
  let b: FederatedCentre;
  let d: FederatedCentre;
  let web: Web;
  let browser: Browser;
  let cardA: string;
  let merchantB: string;
  const today = formatDay(shanghaiDay(Date.now()));

  before(async () => {
    world = await startWorld(
      {},
      {
        coreEnv: {
          CENTRE_ID: 'CA',
          CENTRE_NAME: '甲大学',
          // A's cards may be taken at other centres while A cannot be asked: up to 10.00, 30.00 a day.
          FEDERATION_OFFLINE_PAYMENT_MAX_FEN: '1000',
          FEDERATION_OFFLINE_CARD_CAP_FEN: '3000',
          // Its jobs (forwards, lost answers asked again) are driven by hand, as the kit's centres' are.
          FEDERATION_FORWARD_INTERVAL_MS: '600000',
        },
      },
    );
    await seedAdminDemo(world.core.client);
    const a = world.core;
    // A is the world's core (with its BFF and this backoffice); B a core on its own database.
    federation = await startFederation([
      { id: 'CA', name: '甲大学', core: a },
      { id: 'CB', name: '乙大学' },
      { id: 'CD', name: '丁学院' },
    ]);
    b = federation.get('CB');
    d = federation.get('CD');
    merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
    cardA = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo: cardA, amount: 10_000, channel: 'cash' });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await federation?.stop();
    await world?.stop();
  });

  const signInAt = async (username: string): Promise<Page> =>
    signIn(await openPage(browser, { width: 1440, height: 1000 }), web, username, { hash: '#/federation' });

  test('when the super admin adds a centre, rotates its key, revokes the old one and suspends its link, then the core trusts exactly that and the page says so in Chinese', async () => {
    const page = await signInAt('super');
    await page.getByRole('row', { name: /乙大学/ }).waitFor();
    await page.getByRole('button', { name: '添加中心' }).click();
    const add = page.getByRole('dialog').filter({ hasText: '链路密钥' });
    await add.getByLabel('中心编号').fill('CC');
    await add.getByLabel('中心名称').fill('丙学院');
    await add.getByLabel('链路地址').fill('http://127.0.0.1:9');
    await add.getByLabel('链路密钥').fill(randomBytes(24).toString('base64url'));
    await add.getByLabel('密钥编号').fill('3301');
    await add.getByLabel('公钥（64 位十六进制）').fill(keyHex(3));
    await add.getByRole('button', { name: '确认添加' }).click();
    await add.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: /丙学院/ });
    await row.getByTestId('key-3301').getByText('生效中').waitFor();

    // A kid already trusted is refused, in Chinese, and the dialog stays open.
    await row.getByRole('button', { name: '轮换密钥' }).click();
    const rotate = page.getByRole('dialog').filter({ hasText: '停签的旧密钥' });
    await rotate.getByLabel('密钥编号').fill(String(b.kid));
    await rotate.getByLabel('公钥（64 位十六进制）').fill(keyHex(4));
    await rotate.getByRole('button', { name: '确认轮换密钥' }).click();
    await rotate.getByText('密钥编号已被使用').waitFor();
    await rotate.getByLabel('密钥编号').fill('3302');
    await rotate.getByRole('button', { name: '确认轮换密钥' }).click();
    await rotate.waitFor({ state: 'hidden' });
    await row.getByTestId('key-3301').getByText('已轮换停签').waitFor();
    await row.getByTestId('key-3302').getByText('生效中').waitFor();

    await row
      .getByTestId('key-3301')
      .getByRole('button', { name: /吊\s*销/ })
      .click();
    const revoke = page.getByRole('dialog').filter({ hasText: '吊销原因' });
    await revoke.getByLabel('吊销原因').fill('旧密钥泄露');
    await revoke.getByRole('button', { name: '确认吊销' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await row.getByTestId('key-3301').getByText('已吊销').waitFor();

    await row.getByRole('button', { name: '暂停链路' }).click();
    await page.getByRole('button', { name: '确认暂停链路' }).click();
    await row.getByText('已暂停').waitFor();

    const centre = (await world.core.client.centres()).items.find((c) => c.id === 'CC');
    assert.equal(centre?.status, 'suspended');
    assert.deepEqual(
      centre?.keys.map((k) => [k.kid, k.revokedAtMs !== null]),
      [
        [3301, true],
        [3302, false],
      ],
    );
    // Suspended: none of its keys reach the gateways.
    const trusted = (await world.core.client.trustedKeys()).keys.map((k) => k.kid);
    assert.deepEqual(trusted.sort(), [b.kid, d.kid]);
    // Each change is on the audit chain under the super admin's id, never with the link secret.
    const audit = await world.core.client.searchAudit({ targetId: 'CC', limit: 10 });
    assert.deepEqual(audit.items.map((e) => e.action).sort(), [
      'federation.centre_add',
      'federation.centre_status',
      'federation.key_revoke',
      'federation.key_rotate',
    ]);
    assert.ok(audit.items.every((e) => e.actorId !== 'setup'));
    await page.screenshot({ path: `${screenshots}admin-federation-trust.png`, fullPage: true });
    const findings = await axeFindings(page);
    assert.deepEqual(findings, []);
    await page.context().close();
  });

  test('when finance checks the link to B, then the page says it is up with its round trip, and 不通 while B cannot be reached', async () => {
    const page = await signInAt('finance');
    const row = page.getByRole('row', { name: /乙大学/ });
    const cell = row.getByTestId('link-CB');
    await cell.getByRole('button', { name: /检\s*测/ }).click();
    await cell.getByText(/连通 · \d+ ms/).waitFor();
    b.link.mode = 'down';
    try {
      await cell.getByRole('button', { name: /检\s*测/ }).click();
      await cell.getByText('不通').waitFor();
    } finally {
      b.link.mode = 'pass';
    }
    assert.deepEqual(await axeFindings(page), []);
    await page.context().close();
  });

  test("when finance reconciles a day with a lost answer, then the difference shows with its kind; after B's retry the day is clean and the net is recorded after a confirmation in 大写", async () => {
    // Paid at B twice; a third payment was debited at A but its answer never reached B (A's ledger has it
    // under B's operation id, B nothing).
    for (const amount of [1_200, 800])
      assert.equal(
        (
          await b.client.payForeign({
            id: opId('fb'),
            centreId: 'CA',
            cardNo: cardA,
            merchantId: merchantB,
            amount,
          })
        ).status,
        'ok',
      );
    const lostId = opId('fb');
    const standsForB = (await world.core.client.centres()).items.find((c) => c.id === 'CB')?.merchantId ?? '';
    assert.equal(
      (
        await world.core.client.pay({
          id: `fed:CB:${lostId}`,
          cardNo: cardA,
          merchantId: standsForB,
          amount: 350,
        })
      ).status,
      'ok',
    );

    const page = await signInAt('finance');
    const settlement = page.locator('.ant-card').filter({ hasText: '中心间日清算' });
    await settlement.getByText('该日尚未对账').waitFor();
    await settlement.locator('.ant-picker input').click();
    await settlement.locator('.ant-picker input').fill(today);
    await settlement.locator('.ant-picker input').press('Enter');
    await settlement.getByRole('button', { name: /对\s*账/ }).click();
    const difference = settlement.getByRole('row', { name: new RegExp(lostId) });
    await difference.getByText('对方缺少此笔（仅本方文件有）').waitFor();
    await difference.getByText('应付').waitFor();
    await settlement.getByText(/该日仍有未核销的差异/).waitFor();
    assert.equal(await settlement.getByRole('button', { name: '记录净额' }).count(), 0);
    // Both files' totals: A's cards at B, 23.50 in A's file, 20.00 in B's.
    await settlement.getByText('¥23.50', { exact: true }).waitFor();
    await settlement.getByText('¥20.00', { exact: true }).waitFor();
    await page.screenshot({
      path: `${screenshots}admin-federation-settlement-exception.png`,
      fullPage: true,
    });
    assert.deepEqual(await axeFindings(page), []);

    // B's device retries the lost payment under the same id: A answers its one decision, B records it.
    const retried = await b.client.payForeign({
      id: lostId,
      centreId: 'CA',
      cardNo: cardA,
      merchantId: merchantB,
      amount: 350,
    });
    assert.equal(retried.status, 'ok');
    await settlement.getByRole('button', { name: /对\s*账/ }).click();
    await settlement.getByText('两方文件一致，无差异').waitFor();
    await settlement.getByRole('button', { name: '记录净额' }).click();
    // A owes B 23.50 (nothing of B's cards at A): the confirmation names it and its 大写.
    await page.getByTestId('confirm-words').getByText('贰拾叁元伍角').waitFor();
    await page.getByTestId('money-confirm').getByText('本中心应付对方').waitFor();
    await page.getByRole('button', { name: '确认记录净额' }).click();
    await settlement.getByText('净额已记账').waitFor();
    await settlement.getByTestId('centre-net').getByText('本中心应付对方 ¥23.50').waitFor();
    await page.screenshot({ path: `${screenshots}admin-federation-settlement.png`, fullPage: true });

    const recorded = await world.core.client.centreSettlement('CB', today);
    assert.equal(recorded.netAmount, -2_350);
    assert.ok(recorded.netRecordedAtMs !== null);
    const audit = await world.core.client.searchAudit({ action: 'federation.net_record', limit: 5 });
    assert.equal(audit.items[0]?.targetId, 'CB');
    assert.deepEqual((await checkLedger(world.core.core.db)).breaks, []);
    assert.deepEqual((await checkLedger(b.core.db)).breaks, []);
    await page.context().close();
  });

  test("when D's card's answer at A is lost, then A's job asks D again (已重询); one A cannot ask about is proposed by finance and approved by the super admin (已核销), and the net can be recorded", async () => {
    const a = world.core;
    const merchantA = (await a.client.createMerchant({ name: '甲大学二食堂', category: 'canteen' })).id;
    const cardD = await openStudent(d.client);
    await d.client.topUp({ id: opId(), cardNo: cardD, amount: 5_000, channel: 'cash' });
    // D debits, A never hears it: once through the link (A kept its ask), once from before A kept asks.
    const lost = { id: opId('dv'), centreId: 'CD', cardNo: cardD, merchantId: merchantA, amount: 450 };
    d.link.mode = 'lose';
    try {
      await assert.rejects(
        a.client.payForeign(lost),
        (e: { code?: string }) => e.code === 'FEDERATION_UNAVAILABLE',
      );
    } finally {
      d.link.mode = 'pass';
    }
    const orphanId = opId('dv');
    const standsForA = (await d.client.centres()).items.find((c) => c.id === 'CA')?.merchantId ?? '';
    assert.equal(
      (await d.client.pay({ id: `fed:CA:${orphanId}`, cardNo: cardD, merchantId: standsForA, amount: 150 }))
        .status,
      'ok',
    );

    const openDay = async (username: string) => {
      const page = await signInAt(username);
      const card = page.locator('.ant-card').filter({ hasText: '中心间日清算' });
      // The page's code loads on first opening: on a loaded machine that can take longer than a click waits.
      await card.getByLabel('对方中心').waitFor({ timeout: 120_000 });
      await card.getByLabel('对方中心').click();
      await page.getByTitle('丁学院（CD）').click();
      await card.locator('.ant-picker input').click();
      await card.locator('.ant-picker input').fill(today);
      await card.locator('.ant-picker input').press('Enter');
      return { page, card };
    };
    const finance = await openDay('finance');
    await finance.card.getByRole('button', { name: /对\s*账/ }).click();
    const lostRow = finance.card.getByRole('row', { name: new RegExp(lost.id) });
    const orphanRow = finance.card.getByRole('row', { name: new RegExp(orphanId) });
    await lostRow.getByText('本方缺少此笔（仅对方文件有）').waitFor();
    await lostRow.getByText('待处理').waitFor();
    await orphanRow.getByText('待处理').waitFor();

    // A's job (as its tick would, a minute on): D answers what it did, A books the sale.
    await a.core.federation.lostAnswers.settle(Date.now() + 120_000);
    assert.equal((await a.client.getOperation(lost.id)).outcome, 'ok');
    await finance.page.context().close();
    const reopened = await openDay('finance');
    const card = reopened.card;
    await card
      .getByRole('row', { name: new RegExp(lost.id) })
      .getByText('已重询')
      .waitFor();

    // The other: finance proposes to accept D's line, seeing the figure and its 大写.
    const orphan = card.getByRole('row', { name: new RegExp(orphanId) });
    await orphan.getByRole('button', { name: '采纳对方金额' }).click();
    const dialog = reopened.page.getByRole('dialog').filter({ hasText: '处理原因' });
    await dialog.getByTestId('settled-amount').getByText('¥1.50（壹元伍角整）').waitFor();
    await dialog.getByRole('button', { name: '提交复核' }).click();
    await dialog.getByText('请填写处理原因').waitFor();
    await dialog.getByRole('textbox').fill('丁学院已扣款，本方早期交易无重询记录');
    await dialog.getByRole('button', { name: '提交复核' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await orphan.getByText('待复核').waitFor();
    await orphan.getByText('已提交，待另一位管理员复核').waitFor();
    assert.equal(await orphan.getByRole('button', { name: '复核通过' }).count(), 0);
    assert.deepEqual(await axeFindings(reopened.page), []);
    await reopened.page.context().close();

    // The super admin approves after a confirmation with the amount in 大写.
    const checker = await openDay('super');
    const row = checker.card.getByRole('row', { name: new RegExp(orphanId) });
    await row.getByRole('button', { name: '复核通过' }).click();
    await checker.page.getByTestId('confirm-words').getByText('壹元伍角').waitFor();
    await checker.page.getByTestId('money-confirm').getByText('采纳对方金额', { exact: true }).waitFor();
    await checker.page.getByRole('button', { name: '确认复核通过' }).click();
    await row.getByText('已核销').waitFor();
    // Reconciled again: the re-asked line is gone, the resolved one stays resolved, the net may be recorded.
    await checker.card.getByRole('button', { name: /对\s*账/ }).click();
    await checker.card.getByText('该日差异均已核销，净额按核销后的金额计算').waitFor();
    assert.equal(await checker.card.getByRole('row', { name: new RegExp(lost.id) }).count(), 0);
    await checker.card.getByRole('button', { name: '记录净额' }).waitFor();
    assert.deepEqual(await axeFindings(checker.page), []);
    await checker.page.context().close();

    const settled = await a.client.centreSettlement('CD', today);
    assert.deepEqual(
      settled.exceptions.map((e) => [e.operationId, e.state, e.resolution?.settledAmount]),
      [[orphanId, 'resolved', 150]],
    );
    assert.equal(settled.receivableAmount, 450 + 150);
    const audit = await a.client.searchAudit({ action: 'federation.exception_resolve', limit: 5 });
    assert.equal(audit.items[0]?.targetId, 'CD');
    assert.deepEqual((await checkLedger(a.core.db)).breaks, []);
  });

  test('when a card operator or an auditor opens the page, then the operator is refused and the auditor reads without any button that changes something', async () => {
    const auditor = await signInAt('auditor');
    await auditor.getByRole('row', { name: /乙大学/ }).waitFor();
    assert.equal(
      await auditor.getByRole('button', { name: /添加中心|轮换密钥|吊\s*销|暂停链路|对\s*账/ }).count(),
      0,
    );
    await auditor.context().close();
    const counter = await signInAt('counter');
    await counter.getByText('无权访问').first().waitFor();
    await counter.context().close();
  });

  test("when a payment B took while A was down is refused at A, then A's 脱机异常 lists it with A's card and B's device named as B's", async () => {
    const poor = await openStudent(world.core.client);
    await b.core.federation.forwards.refreshPolicies();
    const id = opId('dev');
    federation.get('CA').link.mode = 'down';
    try {
      const taken = await b.client.payForeign({
        id,
        centreId: 'CA',
        cardNo: poor,
        merchantId: merchantB,
        amount: 600,
      });
      assert.equal(taken.status, 'ok');
    } finally {
      federation.get('CA').link.mode = 'pass';
    }
    assert.equal(await b.core.federation.forwards.forwardDue(Date.now() + 60_000), 1);
    const page = await signInAt('finance');
    await page.getByRole('menuitem', { name: /脱机异常/ }).click();
    const row = page.getByRole('row', { name: new RegExp(poor) });
    await row.getByText('联盟中心 CB 的设备').waitFor();
    await row.getByText('余额不足').waitFor();
    await row.getByText('¥6.00').waitFor();
    assert.deepEqual(await axeFindings(page), []);
    await page.context().close();
  });
});
