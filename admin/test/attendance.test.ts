import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';
import { addDays, shanghaiToday } from '../../core/src/time.ts';
import type { Web } from '../../mock/demo/web.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { openPage, screenshots, signIn, startBackoffice } from './support.ts';

// 03:30 in Shanghai, so today's lecture began at 02:30 Shanghai while the browser's Los Angeles date
// is still the day before: a default range taken from the browser would leave it out (issue 21).
setShanghaiTime('03:30');

describe('backoffice in Chromium: the attendance page', () => {
  let world: TestWorld;
  let web: Web;
  let browser: Browser;
  const sessionId = `AT-${process.pid}`;
  before(async () => {
    world = await startWorld();
    await seedAdminDemo(world.core.client);
    const people: { personNo: string; cardNo: string }[] = [];
    for (const [n, name] of ['冯准时', '陈迟到', '褚缺勤'].entries()) {
      const personNo = `T${n}${process.pid}${Date.now().toString(36)}`.slice(0, 32);
      const card = await world.core.client.openCard({
        personNo,
        name,
        type: 'student',
        department: '计算机学院',
      });
      people.push({ personNo, cardNo: card.cardNo });
    }
    // A lecture that began an hour ago: one on time, one five minutes late, one absent.
    const startsAtMs = Date.now() - 3_600_000;
    await world.core.client.putAttendanceSession({
      id: sessionId,
      kind: 'class',
      title: '数据结构',
      location: '教一-101',
      startsAtMs,
      endsAtMs: startsAtMs + 5_400_000,
      signInFromMs: startsAtMs - 900_000,
      signInUntilMs: startsAtMs + 1_800_000,
      roster: people.map((p) => p.personNo),
    });
    await world.core.core.db.execute(
      'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
      [sessionId, '2026-1', 'CS201', 0],
    );
    for (const [n, atMs] of [startsAtMs - 120_000, startsAtMs + 300_000].entries())
      await world.core.client.signInAttendance({
        sessionId,
        cardNo: people[n]?.cardNo ?? '',
        deviceId: '801',
        sequence: n + 1,
        atMs,
        source: 'online',
      });
    // Earlier days of the week, so the chart has a line per course: each session on time or absent.
    let sequence = 10;
    const earlier = [
      { course: 'CS201', title: '数据结构', daysAgo: 2, present: 3 },
      { course: 'CS201', title: '数据结构', daysAgo: 1, present: 1 },
      { course: 'CS202', title: '操作系统', daysAgo: 2, present: 1 },
      { course: 'CS202', title: '操作系统', daysAgo: 1, present: 3 },
    ];
    for (const [n, e] of earlier.entries()) {
      const id = `${sessionId}-${n}`;
      const at = startsAtMs - e.daysAgo * 86_400_000;
      await world.core.client.putAttendanceSession({
        id,
        kind: 'class',
        title: e.title,
        location: '教一-101',
        startsAtMs: at,
        endsAtMs: at + 5_400_000,
        signInFromMs: at - 900_000,
        signInUntilMs: at + 1_800_000,
        roster: people.map((p) => p.personNo),
      });
      await world.core.core.db.execute(
        'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
        [id, '2026-1', e.course, 0],
      );
      for (const p of people.slice(0, e.present))
        await world.core.client.signInAttendance({
          sessionId: id,
          cardNo: p.cardNo,
          deviceId: '801',
          sequence: sequence++,
          atMs: at - 60_000,
          source: 'online',
        });
    }
    ({ web, browser } = await startBackoffice(world.bff.url));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await world?.stop();
  });

  test("#21 when the counter opens 考勤 at 03:30 in Shanghai (the day before in the browser), then the last seven Shanghai days include today's lecture: the session's rate shows, its roster lists each person's status and the exports download", async () => {
    const page = await signIn(await openPage(browser), web, 'counter');
    await page.getByTestId('who').waitFor();
    await page.getByRole('menuitem', { name: /考勤/ }).click();

    // Today's lecture: the only one at 66.7 %.
    const row = page.getByRole('row').filter({ hasText: '数据结构' }).filter({ hasText: '66.7%' });
    await row.waitFor();
    // Three expected, one on time, one late, one absent: two of three attended.
    assert.match((await row.textContent()) ?? '', /CS201\s*3\s*1\s*1\s*1\s*66\.7%/);
    await page.getByTestId('chart-attendance').locator('canvas').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${screenshots}admin-attendance.png`, fullPage: true });

    const [sheet] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sessions-csv').click(),
    ]);
    const today = shanghaiToday();
    assert.equal(sheet.suggestedFilename(), `attendance-${addDays(today, -6)}-${today}.csv`);
    const csv = readFileSync((await sheet.path()) ?? '', 'utf8');
    assert.ok(csv.startsWith('\uFEFF场次编号,'));
    assert.match(csv, new RegExp(`${sessionId},上课,数据结构,.*,2026-1,CS201,3,1,1,1,66\\.7`));
    assert.equal(csv.trimEnd().split('\r\n').length, 6);

    await row.getByRole('button', { name: '查看名单' }).click();
    const roster = page.getByTestId('roster');
    for (const [name, status] of [
      ['冯准时', '出勤'],
      ['陈迟到', '迟到'],
      ['褚缺勤', '缺勤'],
    ])
      await roster.getByRole('row', { name: new RegExp(`${name}.*${status}`) }).waitFor();
    await page.getByTestId('roster-summary').getByText('66.7%').waitFor();
    const [workbook] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-roster-xlsx').click(),
    ]);
    assert.equal(workbook.suggestedFilename(), `attendance-${sessionId}.xlsx`);
    assert.equal(
      readFileSync((await workbook.path()) ?? '')
        .subarray(0, 2)
        .toString(),
      'PK',
    );
    const exports = await world.core.client.searchAudit({ action: 'attendance.export', limit: 5 });
    assert.equal(exports.items.length, 2);
    await page.context().close();
  });
});
