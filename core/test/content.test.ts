import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { CoreError } from '../src/errors.ts';

let serial = 0;
function personNo(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid}${Date.now().toString(36)}${serial}`;
}

for (const dialect of dialects) {
  describe(`news and courses (${dialect})`, () => {
    let t: TestCore;
    let cs: string;
    let math: string;
    let teacher: string;
    before(async () => {
      t = await startTestCore(dialect);
      cs = personNo('CS');
      math = personNo('MA');
      teacher = personNo('T');
      await t.client.openCard({
        personNo: cs,
        name: '计算机学生',
        type: 'student',
        department: '计算机学院',
      });
      await t.client.openCard({
        personNo: math,
        name: '数学学生',
        type: 'student',
        department: '数学科学学院',
      });
      await t.client.openCard({ personNo: teacher, name: '王老师', type: 'staff', department: '计算机学院' });
    });
    after(() => t.stop());

    test('when news targets everyone, a department or staff, then each person sees exactly what is for them', async () => {
      const all = await t.client.publishNews({
        title: '一卡通系统升级通知',
        body: '本周六凌晨系统升级。',
        audience: { type: 'all' },
        author: 'card-centre',
      });
      const dept = await t.client.publishNews({
        title: '计算机学院讲座',
        body: '周三下午讲座。',
        audience: { type: 'department', value: '计算机学院' },
        author: 'cs-office',
      });
      const staff = await t.client.publishNews({
        title: '教职工体检',
        body: '体检安排。',
        audience: { type: 'staff' },
        author: 'hr',
      });
      const ids = async (p: string) => (await t.client.newsFor(p)).items.map((n) => n.id).sort();
      assert.deepEqual(await ids(cs), [all.id, dept.id].sort());
      assert.deepEqual(await ids(math), [all.id]);
      assert.deepEqual(await ids(teacher), [all.id, dept.id, staff.id].sort());
      await assert.rejects(t.client.readNews(math, dept.id), (e: CoreError) => e.code === 'NEWS_NOT_FOUND');
    });

    test('when news is scheduled for later, then nobody sees it before its time; withdrawn news disappears', async () => {
      const later = await t.client.publishNews({
        title: '下月停水通知',
        body: '……',
        audience: { type: 'all' },
        publishAtMs: Date.now() + 3_600_000,
        author: 'logistics',
      });
      assert.ok(!(await t.client.newsFor(cs)).items.some((n) => n.id === later.id));
      const now = await t.client.publishNews({
        title: '临时通知',
        body: '……',
        audience: { type: 'all' },
        author: 'x',
      });
      await t.client.withdrawNews(now.id);
      assert.ok(!(await t.client.newsFor(cs)).items.some((n) => n.id === now.id));
      await assert.rejects(
        t.client.withdrawNews('01NOSUCHNEWS0000000000000'),
        (e: CoreError) => e.code === 'NEWS_NOT_FOUND',
      );
    });

    test('when an item is read, then it is marked read once and the list says so', async () => {
      const item = await t.client.publishNews({
        title: '阅读测试',
        body: '正文',
        audience: { type: 'all' },
        author: 'x',
      });
      const first = await t.client.readNews(cs, item.id);
      assert.equal(first.body, '正文');
      assert.ok(first.readAtMs !== null);
      const again = await t.client.readNews(cs, item.id);
      assert.equal(again.readAtMs, first.readAtMs);
      const listed = (await t.client.newsFor(cs)).items.find((n) => n.id === item.id);
      assert.equal(listed?.readAtMs, first.readAtMs);
      assert.equal((await t.client.newsFor(math)).items.find((n) => n.id === item.id)?.readAtMs, null);
    });

    test('when bad news is sent, then it is refused and nothing is stored', async () => {
      const before = (await t.client.newsFor(teacher, { limit: 50 })).items.length;
      for (const bad of [
        { title: '', body: 'x', audience: { type: 'all' }, author: 'x' },
        { title: 'x', body: 'x', audience: { type: 'department' }, author: 'x' },
        { title: 'x', body: 'x', audience: { type: 'everyone' }, author: 'x' },
      ])
        await assert.rejects(
          t.client.publishNews(bad as never),
          (e: CoreError) => e.code === 'VALIDATION_FAILED',
        );
      assert.equal((await t.client.newsFor(teacher, { limit: 50 })).items.length, before);
    });

    test('when a course has lessons, then its audience sees them with progress that resumes and completion that stays', async () => {
      const course = await t.client.createCourse({
        title: '数据结构',
        description: '线性表、树与图',
        teacher: '王老师',
        audience: { type: 'department', value: '计算机学院' },
      });
      const one = await t.client.addLesson(course.id, {
        seq: 1,
        title: '线性表',
        video: { path: 'ds/01.mp4' },
        durationSeconds: 600,
      });
      await t.client.addLesson(course.id, {
        seq: 2,
        title: '树',
        video: { url: 'https://video.example.edu/ds/02.mp4' },
        durationSeconds: 900,
      });
      await assert.rejects(
        t.client.addLesson(course.id, {
          seq: 2,
          title: '重复',
          video: { path: 'x.mp4' },
          durationSeconds: 1,
        }),
        (e: CoreError) => e.code === 'ALREADY_EXISTS',
      );
      await assert.rejects(
        t.client.addLesson(course.id, {
          seq: 3,
          title: '逃逸',
          video: { path: '../../etc/passwd' },
          durationSeconds: 1,
        }),
        (e: CoreError) => e.code === 'VALIDATION_FAILED',
      );
      assert.deepEqual((await t.client.coursesFor(math)).items, []);
      await assert.rejects(t.client.lessonFor(math, one.id), (e: CoreError) => e.code === 'LESSON_NOT_FOUND');

      await t.client.saveLessonProgress(one.id, { personNo: cs, positionSeconds: 125 });
      let seen = await t.client.courseFor(cs, course.id);
      assert.deepEqual(
        seen.lessons.map((l) => [l.seq, l.progress?.positionSeconds ?? null]),
        [
          [1, 125],
          [2, null],
        ],
      );
      await t.client.saveLessonProgress(one.id, { personNo: cs, positionSeconds: 9_999, completed: true });
      await t.client.saveLessonProgress(one.id, { personNo: cs, positionSeconds: 30 });
      seen = await t.client.courseFor(cs, course.id);
      assert.deepEqual(seen.lessons[0]?.progress && { ...seen.lessons[0].progress, updatedAtMs: 0 }, {
        positionSeconds: 30,
        completed: true,
        updatedAtMs: 0,
      });
      await assert.rejects(
        t.client.saveLessonProgress(one.id, { personNo: math, positionSeconds: 1 }),
        (e: CoreError) => e.code === 'LESSON_NOT_FOUND',
      );
    });
  });
}
