import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { boundStudent } from '../../bff/test/students.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

const chunkBytes = 256 * 1024;

describe('backoffice in Chromium: editing content and uploading a lesson video', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  let courseId: string;
  const contentDir = mkdtempSync(join(tmpdir(), 'cc-content-'));
  const folder = mkdtempSync(join(tmpdir(), 'cc-video-'));
  // A few MB that start like an MP4, written to disk so its last-modified time stays the same
  // when it is picked again after the reload.
  const video = randomBytes(12 * chunkBytes + 4321);
  Buffer.from('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00', 'latin1').copy(video, 0);
  const videoFile = join(folder, '校园安全第二课.mp4');
  writeFileSync(videoFile, video);

  before(async () => {
    world = await startWorld({
      CONTENT_DIR: contentDir,
      UPLOAD_DIR: mkdtempSync(join(tmpdir(), 'cc-uploads-')),
      UPLOAD_CHUNK_BYTES: String(chunkBytes),
    });
    await seedAdminDemo(world.core.client);
    await world.core.client.publishNews({
      title: '食堂营业时间调整',
      body: '第一食堂早餐提前到六点半。',
      audience: { type: 'students' },
      author: '演示内容编辑',
    });
    courseId = (
      await world.core.client.createCourse({
        title: '校园安全教育',
        teacher: '王老师',
        audience: { type: 'students' },
      })
    ).id;
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  const openCourses = async (page: Page) => {
    await page.getByRole('menuitem', { name: /新闻与课程/ }).click();
    await page.getByRole('tab', { name: '在线课程' }).click();
    await page
      .getByRole('row', { name: /校园安全教育/ })
      .getByRole('button', { name: '添加课时' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('课时标题').fill('火灾逃生');
    return dialog;
  };

  test('when the editor edits a published news item, then the dialog is prefilled and the list shows the new title; when a video upload breaks off and the page is reloaded, then picking the same file resumes from the stored chunks and the lesson plays the uploaded bytes', async () => {
    const page = await signIn(await openPage(browser), web, 'editor');
    await page.getByRole('menuitem', { name: /新闻与课程/ }).click();

    await page
      .getByRole('row', { name: /食堂营业时间调整/ })
      .getByRole('button', { name: /编\s*辑/ })
      .click();
    const newsDialog = page.getByRole('dialog');
    assert.equal(await newsDialog.getByLabel('正文').inputValue(), '第一食堂早餐提前到六点半。', 'prefilled');
    await newsDialog.getByLabel('标题').fill('食堂营业时间调整（更新）');
    await newsDialog.getByRole('button', { name: /提\s*交/ }).click();
    await newsDialog.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /食堂营业时间调整（更新）/ }).waitFor();
    const news = (await world.core.client.allNews()).items.find((n) =>
      n.title.startsWith('食堂营业时间调整'),
    );
    assert.equal(news?.title, '食堂营业时间调整（更新）');

    // The network fails for every chunk from the fifth on: the upload stops as broken off.
    let broken = true;
    await page.context().route(/\/api\/admin\/v1\/uploads\/[0-9a-f]+\/chunks\/\d+$/, (route) => {
      const index = Number(route.request().url().split('/').pop());
      return broken && index >= 4 ? route.abort('connectionreset') : route.continue();
    });
    let dialog = await openCourses(page);
    await dialog.getByLabel('上传视频文件（mp4 / m4v / webm）').first().setInputFiles(videoFile);
    await dialog.getByTestId('upload-phase').getByText('上传中断').waitFor({ timeout: 30_000 });
    // The page's own storage: the upload's id under the file's key, and the session token.
    const uploadId = await page.evaluate<string | null>(
      "localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('cc-upload:')) ?? '')",
    );
    assert.ok(uploadId, 'the upload is remembered for this file');
    const token = await page.evaluate<string | null>("localStorage.getItem('cc-admin-token')");
    const stored = await world.request<{ received: number[] }>('GET', `/api/admin/v1/uploads/${uploadId}`, {
      token: token ?? '',
    });
    assert.deepEqual(stored.body.received, [0, 1, 2, 3]);

    broken = false;
    await page.reload();
    dialog = await openCourses(page);
    await dialog.getByLabel('上传视频文件（mp4 / m4v / webm）').first().setInputFiles(videoFile);
    await dialog.getByText('已从服务器上已有的 4 块继续').waitFor({ timeout: 30_000 });
    await dialog.getByTestId('upload-phase').getByText('上传完成').waitFor({ timeout: 30_000 });
    const path = (await dialog.getByTestId('lesson-video-path').textContent()) ?? '';
    assert.match(path, /^uploads\/\d{4}-\d{2}\/[0-9a-f]{32}\.mp4$/);
    // These bytes are no playable video: its length cannot be read, so it is asked for (#19).
    await dialog
      .getByTestId('lesson-duration')
      .getByText(/无法从视频读取时长/)
      .waitFor();
    await page.screenshot({ path: `${screenshots}admin-content-upload.png`, fullPage: true });
    await dialog.getByLabel('时长（分钟）').fill('12');
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await dialog.waitFor({ state: 'hidden' });

    const lessons =
      (await world.core.client.allCourses()).items.find((c) => c.id === courseId)?.lessons ?? [];
    assert.deepEqual(
      lessons.map((l) => [l.title, l.videoPath]),
      [['火灾逃生', path]],
    );
    const student = await boundStudent(world);
    const seen = await world.request<{ lessons: { videoUrl: string }[] }>(
      'GET',
      `/api/v1/courses/${courseId}`,
      {
        token: student.accessToken,
      },
    );
    const link = seen.body.lessons[0]?.videoUrl ?? '';
    const from = 5 * chunkBytes - 100;
    const part = await fetch(`${world.bff.url}${link}`, {
      headers: { range: `bytes=${from}-${from + 299}` },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes ${from}-${from + 299}/${video.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), video.subarray(from, from + 300));
    await page.context().close();
  });
});
