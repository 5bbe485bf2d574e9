import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { MessageRepository } from '../../core/src/messages/message-repository.ts';
import { addDays, shanghaiDateTimeMs, shanghaiToday } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

describe('backoffice in Chromium: news and courses', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const core = world.core.client;
    await core.publishNews({
      title: '寒假宿舍安排',
      body: '寒假留校同学请登记。',
      audience: { type: 'students' },
      publishAtMs: Date.now() + 7 * 86_400_000,
      author: '演示内容编辑',
    });
    const course = await core.createCourse({
      title: '校园安全教育',
      description: '新生必修',
      teacher: '王老师',
      audience: { type: 'students' },
    });
    await core.addLesson(course.id, {
      seq: 1,
      title: '消防安全',
      video: { path: 'safety/fire.mp4' },
      durationSeconds: 600,
    });
    // People to target (#19): two in 计算机学院, one of them in class CS2401 as the identity sync has it.
    const people = [];
    for (const [no, department] of [
      ['20240001', '计算机学院'],
      ['20240002', '计算机学院'],
      ['20240003', '外国语学院'],
    ] as const)
      people.push(
        await core.openCard({ personNo: no, name: `学生${no.slice(-1)}`, type: 'student', department }),
      );
    // Grades (#19): the first two enrolled in 2024, the third in 2023, as the sync records them.
    for (const [i, person] of people.entries())
      await world.core.core.db.execute(
        `INSERT INTO sync_people (person_no, person_id, source, source_row_id, dept_code, class_code, enrol_year,
           source_status, digest, source_updated_at_ms, synced_at_ms) VALUES (?, ?, 'academic', ?, 'CS', ?, ?, 'active', ?, ?, ?)`,
        [
          person.personNo,
          person.personId,
          String(i + 1),
          i === 0 ? 'CS2401' : null,
          i < 2 ? 2024 : 2023,
          '0'.repeat(64),
          Date.now(),
          Date.now(),
        ],
      );
    // A campus (#18): the third lives in a dorm building of 东校区's place tree, so its audience is 1.
    const root = await core.createPassagePlace({ kind: 'campus', parentId: null, name: '东校区' });
    const building = await core.createPassagePlace({ kind: 'building', parentId: root.id, name: '东1号楼' });
    await core.createCampus({ code: 'east', name: '东校区', placeId: root.id });
    await core.setResident({ personNo: '20240003', buildingId: building.id, room: '101' });
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test('#21 when the editor types a publishing time in the date picker of a browser in Los Angeles, then the item is scheduled for that time in Shanghai, and its edit dialog shows the same Shanghai time and keeps it', async () => {
    const page = await signIn(await openPage(browser), web, 'editor');
    await page.getByRole('menuitem', { name: /新闻与课程/ }).click();
    await page.getByRole('button', { name: '发布新闻' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('标题').fill('期末考试安排');
    await dialog.getByLabel('正文').fill('期末考试安排已公布。');
    const at = `${addDays(shanghaiToday(), 2)} 08:30`;
    const picker = dialog.getByLabel('定时发布（可选，留空立即发布）');
    await picker.click();
    await picker.fill(at);
    await picker.press('Enter');
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const scheduled = async () =>
      (await world.core.client.allNews()).items.find((n) => n.title === '期末考试安排')?.publishAtMs;
    assert.equal(await scheduled(), shanghaiDateTimeMs(at));

    await page
      .getByRole('row', { name: /期末考试安排/ })
      .getByRole('button', { name: /编\s*辑/ })
      .click();
    const edit = page.getByRole('dialog');
    assert.equal(await edit.getByLabel('定时发布（可选，留空立即发布）').inputValue(), at);
    await edit.getByRole('button', { name: /提\s*交/ }).click();
    await edit.waitFor({ state: 'hidden' });
    assert.equal(await scheduled(), shanghaiDateTimeMs(at));
    await page.context().close();
  });

  test('when the content editor publishes a news item for a department, then it is listed as published next to the scheduled one, and can be withdrawn; a lesson is added to a course', async () => {
    const page = await signIn(await openPage(browser), web, 'editor');
    await page.getByRole('menuitem', { name: /新闻与课程/ }).click();

    await page
      .getByRole('row', { name: /寒假宿舍安排/ })
      .getByText('定时发布')
      .waitFor();
    await page.getByRole('button', { name: '发布新闻' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('标题').fill('图书馆延长开放时间');
    await dialog.getByLabel('正文').fill('考试周图书馆开放至晚上十一点。');
    // The picker offers the classes and departments there are, and says whom the choice reaches (#19).
    const count = dialog.getByTestId('audience-count');
    await count.getByText('预计覆盖 3 人').waitFor();
    await dialog.getByLabel('发布对象').click();
    await page.getByTitle('指定班级').click();
    await dialog.getByLabel('班级').click();
    await page.getByTitle('CS2401（1 人）').click();
    await count.getByText('预计覆盖 1 人').waitFor();
    await dialog.getByLabel('发布对象').click();
    await page.getByTitle('指定年级').click();
    await dialog.getByLabel('年级').click();
    await page.getByTitle('2023级（1 人）').waitFor();
    await page.getByTitle('2024级（2 人）').click();
    await count.getByText('预计覆盖 2 人').waitFor();
    // A campus (#18) by its name, with the people living on it.
    await dialog.getByLabel('发布对象').click();
    await page.getByTitle('指定校区').click();
    await dialog.getByLabel('校区', { exact: true }).click();
    await page.getByTitle('东校区（1 人）').click();
    await count.getByText('预计覆盖 1 人').waitFor();
    await dialog.getByLabel('发布对象').click();
    await page.getByTitle('指定院系').click();
    await dialog.getByLabel('院系').click();
    // Only the departments' list is read: the 发布对象 list may still be closing (antd animates it out).
    await page.getByTitle('计算机学院（2 人）').waitFor();
    await page.getByTitle('指定班级').waitFor({ state: 'hidden' });
    assert.deepEqual(
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').allTextContents(),
      ['外国语学院（1 人）', '计算机学院（2 人）'],
    );
    await page.getByTitle('计算机学院（2 人）').click();
    await count.getByText('预计覆盖 2 人').waitFor();
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /图书馆延长开放时间/ });
    await row.getByText('已发布').waitFor();
    await row.getByText('指定院系：计算机学院').waitFor();
    await row.getByText('演示内容编辑').waitFor();
    await page.screenshot({ path: `${screenshots}admin-content.png`, fullPage: true });

    const listed = await world.core.client.allNews();
    const item = listed.items.find((n) => n.title === '图书馆延长开放时间');
    assert.deepEqual(item?.audience, { type: 'department', value: '计算机学院' });

    await row.getByRole('button', { name: /撤\s*回/ }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /撤\s*回/ })
      .click();
    await row.getByText('已撤回').waitFor();

    await page.getByRole('tab', { name: '在线课程' }).click();
    const courseRow = page.getByRole('row', { name: /校园安全教育/ });
    await courseRow.getByRole('button', { name: '添加课时' }).click();
    const lessonDialog = page.getByRole('dialog');
    await lessonDialog.getByLabel('课时标题').fill('防范电信诈骗');
    // The video source starts at an upload, and a picked video's length is read from the file (#19).
    assert.equal(await lessonDialog.getByLabel('上传视频文件', { exact: true }).isChecked(), true);
    await lessonDialog
      .getByLabel('上传视频文件（mp4 / m4v / webm）')
      .setInputFiles(new URL('../../mock/demo/videos/guide/01.webm', import.meta.url).pathname);
    await lessonDialog.getByTestId('lesson-duration').getByText('6 秒（读自视频）').waitFor();
    assert.equal(await lessonDialog.getByLabel('时长（分钟）').count(), 0, 'nothing to type');
    // A URL this page may not load: its length is asked for instead.
    await lessonDialog.getByLabel('视频地址（URL）').check();
    await lessonDialog
      .getByRole('textbox', { name: '视频地址（URL）' })
      .fill('https://video.example.edu/fraud.mp4');
    await lessonDialog.getByRole('textbox', { name: '视频地址（URL）' }).press('Tab');
    await lessonDialog.getByLabel('时长（分钟）').fill('15');
    await lessonDialog.getByRole('button', { name: /提\s*交/ }).click();
    await lessonDialog.waitFor({ state: 'hidden' });
    await courseRow.getByRole('cell', { name: '2', exact: true }).waitFor();
    const courses = await world.core.client.allCourses();
    const lessons = courses.items.find((c) => c.title === '校园安全教育')?.lessons ?? [];
    assert.deepEqual(
      lessons.map((l) => [l.seq, l.title, l.videoUrl, l.durationSeconds]),
      [
        [1, '消防安全', null, 600],
        [2, '防范电信诈骗', 'https://video.example.edu/fraud.mp4', 900],
      ],
    );
    await page.context().close();
  });

  test('when the editor marks news important, then a dialog names whom it reaches and the row is marked; the 消息推送 page shows the day chart, totals and failures in Chinese words only', async () => {
    const page = await signIn(await openPage(browser), web, 'editor');
    await page.getByRole('menuitem', { name: /新闻与课程/ }).click();
    const row = page.getByRole('row', { name: /寒假宿舍安排/ });
    await row.getByRole('button', { name: '设为重要' }).click();
    const confirm = page.getByRole('dialog');
    await confirm
      .locator('.ant-modal-confirm-title', {
        hasText: /^将「寒假宿舍安排」设为重要通知，并推送消息给发布对象（约 \d+ 人）？$/,
      })
      .waitFor();
    await confirm.locator('.ant-modal-confirm-content', { hasText: '消息推送后无法撤回' }).waitFor();
    await confirm.getByRole('button', { name: '设为重要' }).click();
    await row.getByText('重要', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: '设为重要' }).count(), 0);
    const item = (await world.core.client.allNews()).items.find((n) => n.title === '寒假宿舍安排');
    assert.equal(item?.important, true);
    const audit = await world.core.client.searchAudit({ targetId: item?.id ?? '', limit: 5 });
    assert.ok(audit.items.some((r) => r.action === 'news.edit' && r.detail?.important === true));

    // Deliveries as the outbox holds them: sent, skipped, and one the user refused.
    const repo = new MessageRepository(world.core.core.db);
    const nowMs = Date.now();
    const row0 = { personId: 'P-admin-page', payload: { fields: ['x'] }, lastError: null, nowMs };
    await repo.enqueue({
      ...row0,
      eventKey: `news:page-${nowMs}`,
      channel: 'wechat',
      kind: 'news',
      status: 'pending',
    });
    await repo.enqueue({
      ...row0,
      eventKey: `low:page-${nowMs}`,
      channel: 'alipay',
      kind: 'low_balance',
      status: 'skipped',
      lastError: 'no_consent',
    });
    await world.core.core.db.execute(
      `UPDATE message_outbox SET status = 'refused', last_error = 'wechat_43101', attempts = 1, done_at_ms = ?
        WHERE event_key = ?`,
      [nowMs, `news:page-${nowMs}`],
    );
    await page.getByRole('menuitem', { name: /消息推送/ }).click();
    await page.getByTestId('chart-message-daily').locator('canvas').first().waitFor();
    // The latest failure, with its reason in words; the totals per channel, kind and state.
    const failure = page.getByRole('row', { name: /用户拒收/ });
    for (const words of ['微信订阅消息', '重要通知', '被拒收']) await failure.getByText(words).waitFor();
    const skipped = page.getByRole('row', { name: /支付宝模板消息/ });
    for (const words of ['余额不足', '未发送']) await skipped.getByText(words).waitFor();
    const card = page.locator('.ant-card', { hasText: '站外消息投递统计' }).first();
    const text = (await card.textContent()) ?? '';
    for (const raw of ['wechat_43101', 'refused', 'skipped', 'low_balance', 'news', 'alipay'])
      assert.ok(!text.includes(raw), `no raw ${raw} on the page`);
    await page.screenshot({ path: `${screenshots}admin-messages.png`, fullPage: true });
    await page.context().close();
  });
});
