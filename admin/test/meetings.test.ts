import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { formatMinute } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { openPage, signIn, startBackoffice } from './support.ts';

// Goal: a meeting from creation to the live board. The department admin makes a meeting of their
// department in 会议考试 (confirmed), opens its board, and a sign-in at a reader shows up on the board
// by itself (it refreshes every 5 s) while the other person stays 未到.
describe('backoffice in Chromium: a meeting from creation to the live board', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  const cards: string[] = [];
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    for (const name of ['蒋准时', '沈未到']) {
      const card = await world.core.client.openCard({
        personNo: `MB${cards.length}${process.pid}${Date.now().toString(36)}`.slice(0, 32),
        name,
        type: 'student',
        department: '计算机学院',
      });
      cards.push(card.cardNo);
    }
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test('when the department admin makes a meeting and someone signs in at its reader, then the board shows it', async () => {
    const page = await signIn(await openPage(browser), web, 'dept');
    await page.getByRole('menuitem', { name: /会议考试/ }).click();
    await page.locator('#meeting-create').click();
    await page.locator('#meeting-title').fill('院系例会');
    await page.locator('#meeting-starts').fill(formatMinute(Date.now() - 60_000));
    await page.locator('#meeting-ends').fill(formatMinute(Date.now() + 7_200_000));
    await page.locator('#meeting-readers').fill('851');
    await page.getByRole('button', { name: '下一步' }).click();
    // The confirmation names the meeting and its roster rule.
    await page.getByText('创建「院系例会」（按院系）？').waitFor();
    await page.getByRole('button', { name: /^创\s*建$/ }).click();
    await page.getByText('已创建：院系例会').waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: '院系例会' })
      .getByRole('button', { name: /查看签到/ })
      .click();
    const board = page.locator('#meeting-board');
    await board.getByRole('row').filter({ hasText: '沈未到' }).filter({ hasText: '未到' }).waitFor();

    const { items } = await world.core.client.meetings(Date.now() - 86_400_000, Date.now() + 86_400_000);
    const meeting = items.find((m) => m.title === '院系例会');
    assert.ok(meeting);
    assert.deepEqual(meeting.readers, ['851']);
    const signed = await world.core.client.signInAttendance({
      sessionId: meeting.id,
      cardNo: cards[0] ?? '',
      deviceId: '851',
      sequence: 1,
      atMs: Date.now(),
      source: 'online',
    });
    assert.equal(signed.status, 'recorded');
    // No click: the board refreshes itself.
    await board
      .getByRole('row')
      .filter({ hasText: '蒋准时' })
      .filter({ hasText: '已签到' })
      .waitFor({ timeout: 15_000 });
    assert.match((await board.getByRole('row').filter({ hasText: '沈未到' }).textContent()) ?? '', /未到/);
  });
});
