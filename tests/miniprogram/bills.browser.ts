// Issue 19's student-app findings about bills, words and lessons, in the H5 build in real Chromium
// against the whole running system (core, BFF, gateway, stand-ins, on MariaDB and Redis): a shower's
// pre-authorisation is 预授权 and never spending, and once settled only the charge is a line; a top-up
// reads 充值 with its channel; no bill detail shows an internal id or an English code; records read in
// Chinese; a lesson whose video is missing says so with a way back, and a real one saves where it paused.
// Run by `npm run test:browser -w miniprogram` after `npm run build:h5` (it serves miniprogram/dist/h5).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CoreClient } from '../../core/src/client/index.ts';
import { fromHex } from '../../core/src/credential/index.ts';
import { shanghaiMonth } from '../../core/src/notices/monthly-statements.ts';
import type { RunningSystem } from '../../mock/demo/system.ts';
import { ShowerMeter } from '../../mock/devices/shower-meter.ts';
import {
  bindAs as bindStudent,
  fenOf,
  type H5World,
  type Identity,
  openPage,
  readQr,
  shoot,
  startH5World,
} from './support.ts';

/** Text a holder must never read: an operation or device id, or an English word of the wire. */
const rawWords =
  /dev:|apr-|adm-|\b(payment|top_up|hold|post|void|expire|class|exam|allowed|denied|wechat|cash)\b/;

describe('bills, words and lessons in the H5 app (issue 19)', () => {
  let world: H5World;
  let system: RunningSystem;
  let core: CoreClient;
  let pageErrors: string[];

  before(async () => {
    world = await startH5World('cc-bills', { PAY_INTERVAL_MS_MIN: '0' });
    ({ system, core, pageErrors } = world);
  });

  after(async () => {
    await world?.stop();
  });

  const newPage = (): Promise<Page> => world.newPage();
  const bindAs = (page: Page, identity: Identity) => bindStudent(page, system.web.url, identity);
  /** Opens a page of the app afresh (a reload, so no earlier page of the same route stays in the DOM). */
  const open = (page: Page, route: string) => openPage(page, system.web.url, route);

  /** The bill list's rows as they read: title, sub-line and amount, one string each. */
  async function billRows(page: Page): Promise<string[]> {
    await open(page, 'bills');
    return (await page.locator('.page-bills .list .row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  }

  /** Opens the detail of the bill row with `text`, and answers the detail's whole text. */
  async function detailOf(page: Page, text: string | RegExp): Promise<string> {
    await open(page, 'bills');
    await page.locator('.page-bills .list .row', { hasText: text }).first().click();
    await page.locator('.page-bill-detail .section').waitFor();
    return (await page.locator('.page-bill-detail .section').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
  }

  test('#19.1 when a shower holds ¥6.00, then the bill shows 预授权 and no spending; once it settles, only the charge, with the released part in its detail', async () => {
    const student = system.identities[5];
    assert.ok(student);
    const page = await newPage();
    await bindAs(page, student);
    const code = await readQr(page);
    const month = shanghaiMonth(Date.now());
    const spentBefore = (await core.monthlyStatement(student.cardNo, month)).spent;
    const device = await core.registerDevice({ id: '7202', kind: 'shower', merchantId: 'SHOWER-N1' });
    const key = fromHex(device.keyHex);
    assert.ok(key);
    const meter = await ShowerMeter.connect({ port: system.gatewayPort, deviceId: 7202, key });
    try {
      const started = await meter.start(code, 600);
      assert.equal(started.kind, 'meter_started', JSON.stringify(started));

      const running = await billRows(page);
      const hold = running.find((row) => row.includes('预授权'));
      assert.ok(hold, `a 预授权 row: ${running.join(' | ')}`);
      assert.match(hold, /北区浴室/);
      assert.match(hold, /¥6\.00/);
      assert.doesNotMatch(hold, /-¥6\.00/, 'a hold is not money out');
      assert.ok(!running.some((row) => row.includes('-¥6.00')), running.join(' | '));
      await shoot(page, 'bills-hold');
      const holdDetail = await detailOf(page, '预授权');
      assert.match(holdDetail, /预授权金额 ¥6\.00/);
      assert.doesNotMatch(holdDetail, rawWords);
      // The month's spending (the figure 月报 shows) does not count the hold.
      assert.equal((await core.monthlyStatement(student.cardNo, month)).spent, spentBefore);

      await meter.report(120);
      const settled = await meter.stop(150);
      assert.equal(settled.kind, 'meter_settled', JSON.stringify(settled));
      const charged = settled.kind === 'meter_settled' ? settled.chargedFen : 0;
      assert.ok(charged > 0 && charged < 600, `charged ${charged}`);
      const chargedText = `¥${(charged / 100).toFixed(2)}`;
      const releasedText = `¥${((600 - charged) / 100).toFixed(2)}`;

      const after = await billRows(page);
      assert.ok(
        !after.some((row) => row.includes('预授权')),
        `no 预授权 row once settled: ${after.join(' | ')}`,
      );
      assert.ok(!after.some((row) => row.includes('¥6.00')), after.join(' | '));
      assert.equal(after.filter((row) => row.includes('北区浴室')).length, 1, 'one line for one shower');
      assert.ok(after.some((row) => row.includes('北区浴室') && row.includes(`-${chargedText}`)));
      const chargeDetail = await detailOf(page, '北区浴室');
      assert.match(chargeDetail, new RegExp(`实际扣款 ${chargedText.replace('.', '\\.')}`));
      assert.match(chargeDetail, new RegExp(`已解冻退回 ${releasedText.replace('.', '\\.')}`));
      assert.match(chargeDetail, /消费终端 淋浴水控/);
      await shoot(page, 'bill-detail-shower');
      assert.doesNotMatch(chargeDetail, rawWords);
      assert.equal((await core.monthlyStatement(student.cardNo, month)).spent, spentBefore + charged);
    } finally {
      meter.close();
      await page.context().close();
    }
  });

  test('#19.2 when the card is topped up at the cash desk, then its detail is titled 充值 with the channel, with no merchant or device rows, and no bill detail shows an id or a code', async () => {
    const student = system.identities[6];
    assert.ok(student);
    const page = await newPage();
    await bindAs(page, student);
    await core.topUp({
      id: `adm-cash-${randomBytes(6).toString('hex')}`,
      cardNo: student.cardNo,
      amount: 5_000,
      channel: 'cash',
    });
    const rows = await billRows(page);
    assert.ok(
      rows.some((row) => row.includes('充值 · 现金') && row.includes('+¥50.00')),
      rows.join(' | '),
    );
    const detail = await detailOf(page, '+¥50.00');
    assert.equal((await page.locator('#bill-title').textContent())?.trim(), '充值 · 现金（卡务中心）');
    assert.match(detail, /充值方式 现金（卡务中心）/);
    await shoot(page, 'bill-detail-top-up');
    assert.doesNotMatch(detail, /钱包扣款|商户|设备|终端|—/);
    // Every line of this bill (the demo's canteen payments too): Chinese only, no id.
    await open(page, 'bills');
    const count = await page.locator('.page-bills .list .row').count();
    assert.ok(count >= 2, `rows: ${count}`);
    for (let i = 0; i < count; i += 1) {
      await open(page, 'bills');
      await page.locator('.page-bills .list .row').nth(i).click();
      await page.locator('.page-bill-detail .section').waitFor();
      const text = (await page.locator('.page-bill-detail .section').allInnerTexts()).join(' ');
      assert.doesNotMatch(text, rawWords, `row ${i}: ${text}`);
      assert.doesNotMatch(text, /流水号|—/, `row ${i}: ${text}`);
    }
    await page.context().close();
  });

  test('#19 bills by day and search: when a student opens 账单, then today is a heading with its 支出 and 收入 totals; a search finds a line by words or amount and says when nothing matches', async () => {
    const student = system.identities[10];
    assert.ok(student);
    const page = await newPage();
    await bindAs(page, student);
    await core.topUp({
      id: `adm-cash-${randomBytes(6).toString('hex')}`,
      cardNo: student.cardNo,
      amount: 5_000,
      channel: 'cash',
    });
    await open(page, 'bills');
    const today = page.locator('.page-bills .bill-day').first();
    assert.equal((await today.locator('.bill-day-label').textContent())?.trim(), '今天');
    // The heading's totals are the day's lines added up as they read on screen.
    const amounts = (await today.locator('.row .amount-in, .row .amount-out').allTextContents()).map(fenOf);
    const out = -amounts.filter((a) => a < 0).reduce((a, b) => a + b, 0);
    const income = amounts.filter((a) => a > 0).reduce((a, b) => a + b, 0);
    assert.ok(income >= 5_000 && out > 0, `${amounts}`);
    const totals = (await today.locator('.bill-day-totals').textContent()) ?? '';
    assert.match(totals, new RegExp(`支出 ¥${(out / 100).toFixed(2).replace('.', '\\.')}`), totals);
    assert.match(totals, new RegExp(`收入 ¥${(income / 100).toFixed(2).replace('.', '\\.')}`), totals);

    const search = page.locator('input#bill-search');
    await search.fill('现金');
    await page.locator('#bill-search-clear').waitFor();
    const found = (await page.locator('.page-bills .list .row').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' '),
    );
    assert.ok(found.length >= 1 && found.every((row) => row.includes('充值 · 现金')), found.join(' | '));
    await search.fill('50.00');
    assert.ok((await page.locator('.page-bills .list .row', { hasText: '+¥50.00' }).count()) >= 1);
    await search.fill('没有这家店');
    await page.getByText('本月没有与“没有这家店”相关的账单').waitFor();
    await page.locator('#bill-search-clear').click();
    assert.ok((await page.locator('.page-bills .list .row').count()) >= 2);
    await page.context().close();
  });

  test('#19 消费纠错: when a student disputes a canteen payment from its detail, then it reads 处理中, and once the card centre refunds part of it, 已退款 with the amount and the note; a rejected one reads 未通过 with the reason and moves no money', async () => {
    const student = system.identities[9];
    assert.ok(student);
    const page = await newPage();
    await bindAs(page, student);
    const paymentId = `dispute-${randomBytes(6).toString('hex')}`;
    const paid = await core.pay({
      id: paymentId,
      cardNo: student.cardNo,
      merchantId: 'CANTEEN-1-W01',
      amount: 1_280,
    });
    assert.equal(paid.status, 'ok', JSON.stringify(paid));
    await detailOf(page, '第一食堂');
    await page.locator('#dispute-open').click();
    await page.locator('#dispute-reason-charged_twice').click();
    await page.locator('#dispute-note textarea').fill('只买了一份，扣了两次');
    await page.locator('#dispute-submit').click();
    await page.getByText('对 ¥12.80 的消费申请纠错（重复扣款）？').waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.locator('#dispute-state', { hasText: '处理中' }).waitFor();
    assert.equal(await page.locator('#dispute-open').count(), 0, 'one dispute waits: no second form');
    const [dispute] = (await core.disputes({ paymentId })).items;
    assert.deepEqual(
      [dispute?.status, dispute?.reason, dispute?.note],
      ['open', 'charged_twice', '只买了一份，扣了两次'],
    );

    await core.acceptDispute(dispute?.id ?? '', {
      amount: 640,
      note: '已核实重复扣款',
      decidedBy: 'finance-1',
    });
    // The refund is a bill line of its own now; the payment's line is the one with -¥12.80.
    await detailOf(page, /第一食堂[\s\S]*-¥12\.80/);
    await page.locator('#dispute-state', { hasText: '已退款' }).waitFor();
    const text = (await page.locator('#dispute .kv').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
    assert.match(text, /纠错进度 已退款/);
    assert.match(text, /纠错退款 ¥6\.40/);
    assert.match(text, /处理说明 已核实重复扣款/);
    assert.doesNotMatch(text, rawWords);
    await shoot(page, 'bill-detail-dispute');

    // A second payment disputed and rejected: 未通过, with the card centre's reason, and no money moved.
    const secondId = `dispute-${randomBytes(6).toString('hex')}`;
    assert.equal(
      (await core.pay({ id: secondId, cardNo: student.cardNo, merchantId: 'CANTEEN-1-W01', amount: 990 }))
        .status,
      'ok',
    );
    await detailOf(page, /第一食堂[\s\S]*-¥9\.90/);
    await page.locator('#dispute-open').click();
    await page.locator('#dispute-reason-not_mine').click();
    await page.locator('#dispute-submit').click();
    await page.getByText('对 ¥9.90 的消费申请纠错（不是我消费的）？').waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.locator('#dispute-state', { hasText: '处理中' }).waitFor();
    const [second] = (await core.disputes({ paymentId: secondId })).items;
    const balanceBefore = (await core.getCard(student.cardNo)).balance;
    await core.rejectDispute(second?.id ?? '', {
      reason: '监控显示本人在窗口消费',
      decidedBy: 'finance-1',
    });
    await detailOf(page, /第一食堂[\s\S]*-¥9\.90/);
    await page.locator('#dispute-state', { hasText: '未通过' }).waitFor();
    const rejected = (await page.locator('#dispute .kv').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
    assert.match(rejected, /纠错进度 未通过/);
    assert.match(rejected, /处理说明 监控显示本人在窗口消费/);
    assert.doesNotMatch(rejected, /纠错退款/);
    assert.doesNotMatch(rejected, rawWords);
    assert.deepEqual(
      (await core.getCard(student.cardNo)).balance,
      balanceBefore,
      'a rejection moves no money',
    );
    await page.context().close();
  });

  test('#19.2 when the student signs in to a class, then the attendance record reads 课堂签到, never "class"', async () => {
    const student = system.identities[7];
    assert.ok(student);
    const now = Date.now();
    await core.putAttendanceSession({
      id: `CLASS-${student.cardNo}`,
      kind: 'class',
      title: '大学英语',
      startsAtMs: now,
      endsAtMs: now + 5_400_000,
      signInFromMs: now - 600_000,
      signInUntilMs: now + 600_000,
      roster: [student.personNo],
    });
    const signIn = await core.signInAttendance({
      sessionId: `CLASS-${student.cardNo}`,
      cardNo: student.cardNo,
      deviceId: '7203',
      sequence: 1,
      atMs: now,
      source: 'online',
    });
    assert.equal(signIn.status, 'recorded');
    const page = await newPage();
    await bindAs(page, student);
    await open(page, 'records');
    const row = page.locator('.page-records .list .row', { hasText: '大学英语' });
    await row.waitFor();
    assert.match((await row.allInnerTexts()).join(' '), /课堂签到/);
    assert.doesNotMatch((await page.locator('.page-records').allInnerTexts()).join(' '), rawWords);
    await page.context().close();
  });

  test("#19.3 when a lesson's video file is missing, then the player says so in Chinese with retry and a way back; a real demo clip plays and its pause saves the position without an error", async () => {
    const student = system.identities[8];
    assert.ok(student);
    const course = await core.createCourse({
      title: '视频缺失测试课',
      description: '它的课时指向一个不存在的文件。',
      teacher: '一卡通中心',
      audience: { type: 'all' },
    });
    await core.addLesson(course.id, {
      seq: 1,
      title: '不存在的视频',
      video: { path: 'missing/none.webm' },
      durationSeconds: 60,
    });
    const page = await newPage();
    await bindAs(page, student);
    await open(page, 'courses');
    await page.locator('.page-courses .row', { hasText: '视频缺失测试课' }).click();
    await page.locator('.page-courses .lesson', { hasText: '不存在的视频' }).click();
    const error = page.locator('.page-courses #video-error');
    await error.waitFor({ timeout: 15_000 });
    assert.match((await error.allInnerTexts()).join(' '), /视频暂时无法播放/);
    assert.equal(await page.locator('.page-courses #video-retry').count(), 1);
    await shoot(page, 'lesson-video-missing');
    await page.locator('.page-courses #player-back').click();
    await page.locator('.page-courses #player').waitFor({ state: 'detached' });

    // The demo course's first lesson is a real clip shipped with the demo.
    const guide = (await core.coursesFor(student.personNo)).items.find((c) => c.title === '校园卡使用指南');
    assert.ok(guide);
    await page.locator('.page-courses .row', { hasText: '校园卡使用指南' }).click();
    await page.locator('.page-courses .lesson', { hasText: '绑定与付款码' }).click();
    await page.locator('.page-courses #player video').waitFor({ state: 'attached' });
    const played = await page.evaluate(`(async () => {
      const video = document.querySelector('.page-courses #player video');
      video.muted = true;
      await video.play();
      const started = Date.now();
      while (video.currentTime < 3 && Date.now() - started < 10000) await new Promise((r) => setTimeout(r, 100));
      video.pause();
      return video.currentTime;
    })()`);
    assert.ok(typeof played === 'number' && played >= 3, `played to ${played}`);
    // The player reports the time every 250 ms; the pause saves the last time it reported.
    let saved = 0;
    for (let i = 0; i < 50 && saved < 2; i += 1) {
      const lessons = (await core.courseFor(student.personNo, guide.id)).lessons;
      saved = lessons.find((l) => l.title === '绑定与付款码')?.progress?.positionSeconds ?? 0;
      if (saved < 2) await page.waitForTimeout(100);
    }
    assert.ok(saved >= 2, `the pause saved the position: ${saved}`);
    assert.equal(await page.locator('.page-courses #video-error').count(), 0, 'a real clip plays');
    assert.deepEqual(
      pageErrors.filter((message) => message.includes('currentTime')),
      [],
      'pausing throws nothing',
    );
    await page.context().close();
  });
});
