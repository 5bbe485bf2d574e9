import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { NewsAnnouncement } from '../src/content/announcements.ts';
import { ContentRepository } from '../src/content/content-repository.ts';
import { ContentService } from '../src/content/content-service.ts';
import { defineModels } from '../src/db/models.ts';
import type { CoreError } from '../src/errors.ts';

let serial = 0;
function personNo(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid}${Date.now().toString(36)}${serial}`;
}

const code = (expected: string) => (e: CoreError) => e.code === expected;

for (const dialect of dialects) {
  describe(`news and courses edited after publishing (${dialect})`, () => {
    let t: TestCore;
    let cs: string;
    let math: string;
    before(async () => {
      t = await startTestCore(dialect);
      cs = personNo('CS');
      math = personNo('MA');
      await t.client.openCard({
        personNo: cs,
        name: '计算机学生',
        type: 'student',
        department: '计算机学院',
      });
      await t.client.openCard({ personNo: math, name: '数学学生', type: 'student', department: '数学学院' });
    });
    after(() => t.stop());

    test('when a published item is edited, then readers see the new title, body and audience and the edit names what changed', async () => {
      const item = await t.client.publishNews({
        title: '旧标题',
        body: '旧正文',
        audience: { type: 'department', value: '计算机学院' },
        author: '编辑',
      });
      const edited = await t.client.editNews(item.id, {
        title: '新标题',
        body: '新正文',
        audience: { type: 'department', value: '数学学院' },
      });
      assert.deepEqual(edited.changed.sort(), ['audience', 'body', 'title']);
      assert.ok(edited.item.updatedAtMs !== null);
      assert.equal((await t.client.readNews(math, item.id)).body, '新正文');
      await assert.rejects(t.client.readNews(cs, item.id), code('NEWS_NOT_FOUND'));
      const same = await t.client.editNews(item.id, { title: '新标题' });
      assert.deepEqual(same.changed, [], 'an unchanged value is not a change');
    });

    test('when a scheduled item is moved, then that works until its time has come; a withdrawn or missing item cannot be edited', async () => {
      const later = await t.client.publishNews({
        title: '定时',
        body: '正文',
        audience: { type: 'all' },
        publishAtMs: Date.now() + 3_600_000,
        author: '编辑',
      });
      const moved = await t.client.editNews(later.id, { publishAtMs: Date.now() + 7_200_000 });
      assert.deepEqual(moved.changed, ['publishAtMs']);
      const now = await t.client.publishNews({
        title: '已发',
        body: '正文',
        audience: { type: 'all' },
        author: '编辑',
      });
      await assert.rejects(
        t.client.editNews(now.id, { publishAtMs: Date.now() + 3_600_000 }),
        code('NEWS_ALREADY_PUBLISHED'),
      );
      await t.client.withdrawNews(now.id);
      await assert.rejects(t.client.editNews(now.id, { title: 'x' }), code('NEWS_WITHDRAWN'));
      await assert.rejects(
        t.client.editNews('0000000000000000000000000Z', { title: 'x' }),
        code('NEWS_NOT_FOUND'),
      );
      await assert.rejects(t.client.editNews(later.id, {}), code('VALIDATION_FAILED'));
    });

    test('when a course and its lessons are edited and one removed, then the student sees the new version; a taken seq is refused', async () => {
      const course = await t.client.createCourse({
        title: '安全',
        teacher: '王老师',
        audience: { type: 'students' },
      });
      const one = await t.client.addLesson(course.id, {
        seq: 1,
        title: '一',
        video: { path: 'a.mp4' },
        durationSeconds: 60,
      });
      const two = await t.client.addLesson(course.id, {
        seq: 2,
        title: '二',
        video: { url: 'https://video.example.edu/2.mp4' },
        durationSeconds: 60,
      });
      const c = await t.client.editCourse(course.id, { title: '校园安全', teacher: '李老师' });
      assert.deepEqual(c.changed.sort(), ['teacher', 'title']);
      const l = await t.client.editLesson(two.id, { title: '二（新）', video: { path: 'uploads/b.mp4' } });
      assert.deepEqual(l.changed.sort(), ['title', 'video']);
      assert.equal(l.item.videoPath, 'uploads/b.mp4');
      assert.equal(l.item.videoUrl, null);
      await assert.rejects(t.client.editLesson(two.id, { seq: 1 }), code('ALREADY_EXISTS'));
      await assert.rejects(
        t.client.editLesson(two.id, { video: { path: '../etc/passwd' } }),
        code('VALIDATION_FAILED'),
      );
      await t.client.saveLessonProgress(one.id, { personNo: cs, positionSeconds: 30 });
      assert.equal((await t.client.removeLesson(one.id)).title, '一');
      await assert.rejects(t.client.removeLesson(one.id), code('LESSON_NOT_FOUND'));
      const seen = await t.client.courseFor(cs, course.id);
      assert.equal(seen.title, '校园安全');
      assert.deepEqual(
        seen.lessons.map((x) => [x.seq, x.title, x.videoPath]),
        [[2, '二（新）', 'uploads/b.mp4']],
      );
      await assert.rejects(
        t.client.editCourse('0000000000000000000000000Z', { title: 'x' }),
        code('COURSE_NOT_FOUND'),
      );
    });

    test('when an item comes due and two schedulers race, then it is announced exactly once', async () => {
      // Goal: the conditional UPDATE is the only thing that decides who announces, not the schedule.
      t.core.content.stopAnnouncements();
      const heard: NewsAnnouncement[] = [];
      const models = defineModels(t.core.db.sequelize);
      const a = new ContentService(new ContentRepository(t.core.db, models));
      const b = new ContentService(new ContentRepository(t.core.db, models));
      a.onAnnouncement((n) => heard.push(n));
      b.onAnnouncement((n) => heard.push(n));
      const soon = await t.client.publishNews({
        title: '马上到',
        body: '正文',
        audience: { type: 'students' },
        publishAtMs: Date.now() + 300,
        author: '编辑',
      });
      assert.deepEqual(await a.announceDue(), [], 'not due yet');
      await new Promise((resolve) => setTimeout(resolve, 400));
      await Promise.all([a.announceDue(), b.announceDue(), a.announceDue(), b.announceDue()]);
      assert.equal(heard.filter((n) => n.id === soon.id).length, 1);
      assert.equal(heard.find((n) => n.id === soon.id)?.excerpt, '正文');
      assert.deepEqual((await a.announceDue()).map((n) => n.id).includes(soon.id), false);
    });
  });
}
