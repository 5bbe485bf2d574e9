import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openCard, requestId } from '../../bff/test/admin-support.ts';
import type { TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { axeFindings } from '../../tests/browser.ts';
import { type InsightWorld, startInsightWorld } from './insight-support.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

// Campus insight in Chromium (#17, docs/analytics.md): 隐形资助 for the student-aid office only, 学业预警
// for the counsellor's own department, each view asked for a reason and put on the audit trail.
describe('backoffice in Chromium: campus insight', () => {
  let insight: InsightWorld;
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let needy = '';
  let absent = '';
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

  before(async () => {
    insight = await startInsightWorld({ idPrefix: 'IA', name: '第三食堂', deviceId: '402' });
    world = insight.world;
    const client = world.core.client;
    // Twelve students of 计算机学院 eat at about ¥12 a meal; one pays ¥3.
    for (let i = 0; i <= 12; i++) {
      const cardNo = await openCard(world, '计算机学院');
      if (i === 12) needy = cardNo;
      await client.topUp({ id: requestId(), cardNo, amount: 5_000, channel: 'cash' });
      const answer = await client.pay({
        id: requestId(),
        cardNo,
        merchantId: insight.merchantId,
        deviceId: '402',
        amount: i === 12 ? 300 : 1_150 + i * 10,
      });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
    // The needy student also missed five classes of 大学英语: the counsellor's warning.
    absent = (await client.getCard(needy)).personNo;
    for (let d = 5; d >= 1; d--) {
      const startsAtMs = Date.now() - d * 86_400_000;
      await client.putAttendanceSession({
        id: `IW${d}${Date.now().toString(36)}`.slice(0, 32),
        kind: 'class',
        title: '大学英语',
        startsAtMs,
        endsAtMs: startsAtMs + 6_000_000,
        signInFromMs: startsAtMs - 600_000,
        signInUntilMs: startsAtMs + 600_000,
        roster: [absent],
      });
    }
    await insight.extracted();
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await insight?.stop();
  });

  /** Fills the query form of an insight page (the reason last) and asks. */
  const ask = async (page: Page, reason: string, fields: Record<string, string> = {}) => {
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
    await page.getByLabel('查看原因').fill(reason);
    await page.getByRole('button', { name: /查\s*询/ }).click();
  };

  const audited = async (action: string) =>
    (await world.core.client.searchAudit({ action, limit: 10 })).items.map((a) => [
      a.targetId,
      (a.detail as { reason?: string }).reason,
    ]);

  test('when the aid office asks for 隐形资助 without a reason, then nothing is fetched nor audited; with one, the student who pays far less per meal is listed with the reasons, and the chosen list becomes a subsidy draft confirmed in 大写', async () => {
    const page = await signIn(await openPage(browser), web, 'aid', { hash: '#/insight-aid' });
    await page.getByLabel('在校天数不少于').fill('1');
    await page.getByLabel('日均餐次不高于院系中位数的').fill('1');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('请填写查看原因（至少 4 个字）').waitFor();
    assert.deepEqual(await audited('insight.hidden_need.view'), []);

    await ask(page, '2026年隐形资助初审');
    const row = page.getByRole('row').filter({ hasText: needy });
    await row.waitFor();
    await page.getByText('共 1 人').waitFor();
    assert.match((await row.textContent()) ?? '', /餐均 ¥3\.00（院系 ¥1[12]\.\d\d）/);
    assert.deepEqual(await audited('insight.hidden_need.view'), [[month, '2026年隐形资助初审']]);

    await row.getByRole('checkbox').check();
    await page.getByTestId('aid-amount').fill('200');
    await page.getByRole('button', { name: '选中 1 人生成补助批次' }).click();
    const confirm = page.getByTestId('money-confirm');
    await confirm.getByText('贰佰元整').waitFor();
    await page.screenshot({ path: `${screenshots}admin-insight-aid.png`, fullPage: true });
    await page.getByRole('button', { name: /^确\s*认$/ }).click();
    await page.getByText('补助批次已生成，等待财务审批').waitFor();
    const [batch] = await audited('insight.hidden_need.batch');
    assert.ok(batch?.[0], 'the batch is on the audit trail');
    const draft = await world.core.client.subsidyBatch(String(batch[0]));
    assert.deepEqual(
      { status: draft.status, validCount: draft.validCount, totalAmount: draft.totalAmount },
      { status: 'draft', validCount: 1, totalAmount: 20_000 },
    );
  });

  test('when the counsellor opens 隐形资助, then the page is 无权访问 and the menu does not offer it; 学业预警 lists their absent student with the missed classes, the view audited with its reason', async () => {
    const page = await signIn(await openPage(browser), web, 'counsellor', { hash: '#/insight-aid' });
    await page.getByText('无权访问').first().waitFor();
    assert.equal(await page.getByRole('menuitem', { name: /隐形资助/ }).count(), 0);

    await page.getByRole('menuitem', { name: /学业预警/ }).click();
    await ask(page, '期中学业预警');
    const row = page.getByRole('row').filter({ hasText: absent });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /最近连续缺课 5 次/);
    assert.match((await row.textContent()) ?? '', /大学英语/);
    await page.getByText('计算机学院 共 1 人').waitFor();
    await page.screenshot({ path: `${screenshots}admin-insight-warnings.png`, fullPage: true });
    assert.deepEqual(await audited('insight.attendance_warnings.view'), [['计算机学院', '期中学业预警']]);
  });

  test("when the counsellor opens 请假审批 on 学业预警, then their student's pending absence is listed in words; approving it asks first and is audited; rejecting needs a reason the student sees", async () => {
    const client = world.core.client;
    const day = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const report = async (reason: string) =>
      client.reportAbsence({
        requestId: requestId(),
        cardNo: await openCard(world, '计算机学院', reason === '发烧' ? '李请假' : '赵请假'),
        kind: 'sick',
        from: `${day} 08:00`,
        to: `${day} 18:00`,
        reason,
        offCampus: true,
      });
    const sick = await report('发烧');
    const other = await report('回家');
    const page = await signIn(await openPage(browser), web, 'counsellor', { hash: '#/insight-warnings' });
    const row = page.getByRole('row').filter({ hasText: '李请假' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /病假.*发烧.*是.*待审批/);
    await row.getByRole('button', { name: /^批\s*准$/ }).click();
    await page.getByText('批准 李请假 的这条请假吗？').waitFor();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^批\s*准$/ })
      .click();
    // Decided, it leaves the list of pending ones.
    await row.waitFor({ state: 'detached' });
    assert.equal((await client.absence(sick.id)).status, 'approved');
    assert.deepEqual(
      (await client.searchAudit({ action: 'absence.approve', limit: 10 })).items.map((a) => a.targetId),
      [sick.id],
    );
    const second = page.getByRole('row').filter({ hasText: '赵请假' });
    await second.getByRole('button', { name: /不批准/ }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /不批准/ })
      .click();
    await page.getByText('请填写原因（200 字以内）').waitFor();
    await page.getByLabel('不批准的原因（学生可见）').fill('请补交医院证明');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /不批准/ })
      .click();
    await second.waitFor({ state: 'detached' });
    const rejected = await client.absence(other.id);
    assert.deepEqual([rejected.status, rejected.decisionNote], ['rejected', '请补交医院证明']);
  });

  test('when the aid office and the counsellor look over their insight pages, then no English code reaches them and axe-core finds no serious or critical violation', async () => {
    const findings: string[] = [];
    for (const [user, hash] of [
      ['aid', '#/insight-aid'],
      ['counsellor', '#/insight-warnings'],
    ] as const) {
      const page = await signIn(await openPage(browser), web, user, { hash });
      await ask(page, '无障碍检查');
      await page.getByRole('table').first().waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      assert.doesNotMatch(text, /few_meals|cheap_meals|absence_streak|not_seen|[A-Z]{3,}_[A-Z]/, user);
      findings.push(...(await axeFindings(page)).map((f) => `${user}: ${f}`));
    }
    assert.deepEqual(findings, []);
  });
});
