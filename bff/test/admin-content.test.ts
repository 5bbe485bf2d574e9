import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MessageRepository } from '../../core/src/messages/message-repository.ts';
import { shanghaiToday } from '../../core/src/time.ts';
import { type Admins, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

interface NewsRow {
  id: string;
  title: string;
  audience: { type: string; value?: string };
  status: string;
  publishAtMs: number;
  author: string;
}
interface CourseRow {
  id: string;
  title: string;
  teacher: string;
  lessons: { seq: number; title: string; videoPath: string | null; videoUrl: string | null }[];
}

describe('admin news and courses', () => {
  let world: TestWorld;
  let tokens: Admins;
  const personOf = (tag: string) => `CT${process.pid}${tag}${Date.now().toString(36)}`.slice(0, 32);
  let inDept: string;
  let outside: string;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    inDept = personOf('a');
    outside = personOf('b');
    await world.core.client.openCard({
      personNo: inDept,
      name: '李同学',
      type: 'student',
      department: '新闻学院',
    });
    await world.core.client.openCard({
      personNo: outside,
      name: '赵同学',
      type: 'student',
      department: '数学学院',
    });
  });
  after(() => world.stop());

  const auditActions = async (targetId: string) =>
    (await world.core.client.searchAudit({ targetId, limit: 20 })).items.map((r) => r.action);
  const feed = async (personNo: string) =>
    (await world.core.client.newsFor(personNo, { limit: 50 })).items.map((n) => n.id);

  test('when the editor publishes to a department, schedules an item and withdraws one, then readers see what they should, the list shows all three states and each write is audited; the auditor and finance are refused', async () => {
    const now = await world.request<NewsRow>('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: {
        title: '新闻学院讲座',
        body: '周五下午三点',
        audience: { type: 'department', value: '新闻学院' },
      },
    });
    assert.equal(now.status, 201, JSON.stringify(now.body));
    assert.equal(now.body.status, 'published');
    assert.equal(now.body.author, '演示内容编辑', 'the signed-in editor is the author');
    const later = await world.request<NewsRow>('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: {
        title: '下周停水通知',
        body: '宿舍区停水',
        audience: { type: 'all' },
        publishAtMs: Date.now() + 3_600_000,
      },
    });
    assert.equal(later.status, 201, JSON.stringify(later.body));

    assert.ok((await feed(inDept)).includes(now.body.id), 'the department sees its item');
    assert.ok(!(await feed(outside)).includes(now.body.id), 'another department does not');
    assert.ok(!(await feed(inDept)).includes(later.body.id), 'a scheduled item is hidden until its time');

    const list = await world.request<{ items: NewsRow[] }>('GET', `${api}/news`, {
      token: tokens.super_admin,
    });
    assert.equal(list.status, 200);
    const ids = list.body.items.map((n) => n.id);
    assert.ok(ids.includes(now.body.id) && ids.includes(later.body.id), 'published and scheduled listed');

    const withdrawn = await world.request('POST', `${api}/news/${now.body.id}/withdraw`, {
      token: tokens.content_editor,
    });
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.ok(!(await feed(inDept)).includes(now.body.id), 'withdrawn: gone from the feed');
    const relisted = await world.request<{ items: NewsRow[] }>('GET', `${api}/news`, {
      token: tokens.content_editor,
    });
    assert.equal(relisted.body.items.find((n) => n.id === now.body.id)?.status, 'withdrawn');
    assert.deepEqual((await auditActions(now.body.id)).sort(), ['news.publish', 'news.withdraw']);
    assert.deepEqual(await auditActions(later.body.id), ['news.publish']);

    for (const role of ['auditor', 'finance'] as const) {
      const refused = await world.request('POST', `${api}/news`, {
        token: tokens[role],
        body: { title: 'x', body: 'y', audience: { type: 'all' } },
      });
      assert.equal(refused.status, 403, role);
      assert.equal(
        (await world.request('POST', `${api}/news/${later.body.id}/withdraw`, { token: tokens[role] }))
          .status,
        403,
      );
      assert.equal((await world.request('GET', `${api}/news`, { token: tokens[role] })).status, 403);
    }
    const bad = await world.request('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: { title: '', body: 'y', audience: { type: 'class' } },
    });
    assert.equal(bad.status, 400);
  });

  test('when the editor creates a course for students and adds two lessons (a file and a URL), then it is listed with its lessons, a student sees it, a repeated lesson number is refused, and the auditor is refused', async () => {
    const course = await world.request<CourseRow>('POST', `${api}/courses`, {
      token: tokens.content_editor,
      body: { title: '校园安全', description: '新生必修', teacher: '王老师', audience: { type: 'students' } },
    });
    assert.equal(course.status, 201, JSON.stringify(course.body));
    const first = await world.request('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 1, title: '消防', video: { path: 'safety/fire.mp4' }, durationSeconds: 600 },
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await world.request('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.super_admin,
      body: {
        seq: 2,
        title: '防诈骗',
        video: { url: 'https://video.example.edu/fraud.mp4' },
        durationSeconds: 900,
      },
    });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    const again = await world.request<{ code: string }>('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 2, title: '重复', video: { path: 'x.mp4' }, durationSeconds: 60 },
    });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    const outOfDir = await world.request('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 3, title: '越界', video: { path: '../etc/passwd' }, durationSeconds: 60 },
    });
    assert.equal(outOfDir.status, 400, 'a path out of the content directory is refused');

    const list = await world.request<{ items: CourseRow[] }>('GET', `${api}/courses`, {
      token: tokens.content_editor,
    });
    const listed = list.body.items.find((c) => c.id === course.body.id);
    assert.deepEqual(
      listed?.lessons.map((l) => [l.seq, l.title, l.videoPath, l.videoUrl]),
      [
        [1, '消防', 'safety/fire.mp4', null],
        [2, '防诈骗', null, 'https://video.example.edu/fraud.mp4'],
      ],
    );
    const seen = await world.core.client.coursesFor(inDept);
    assert.ok(seen.items.some((c) => c.id === course.body.id));
    assert.deepEqual((await auditActions(course.body.id)).sort(), [
      'course.create',
      'course.lesson_add',
      'course.lesson_add',
    ]);

    const refused = await world.request('POST', `${api}/courses`, {
      token: tokens.auditor,
      body: { title: 'x', teacher: 'y', audience: { type: 'all' } },
    });
    assert.equal(refused.status, 403);
    assert.equal(
      (
        await world.request('POST', `${api}/courses/${course.body.id}/lessons`, {
          token: tokens.finance,
          body: { seq: 9, title: 'x', video: { path: 'x.mp4' }, durationSeconds: 60 },
        })
      ).status,
      403,
    );
  });

  test('when the editor edits published news, a course and its lessons and removes one, then readers see the new version, each edit is audited by what changed, and a withdrawn or missing item is refused', async () => {
    const item = await world.request<NewsRow>('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: { title: '原标题', body: '原正文', audience: { type: 'department', value: '新闻学院' } },
    });
    const edited = await world.request<NewsRow & { changed: string[] }>(
      'PATCH',
      `${api}/news/${item.body.id}`,
      {
        token: tokens.content_editor,
        body: {
          title: '改后的标题',
          body: '改后的正文',
          audience: { type: 'department', value: '数学学院' },
        },
      },
    );
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(edited.body.changed.sort(), ['audience', 'body', 'title']);
    assert.equal((await world.core.client.readNews(outside, item.body.id)).body, '改后的正文');
    assert.ok(!(await feed(inDept)).includes(item.body.id), 'the old audience no longer sees it');
    const rows = (await world.core.client.searchAudit({ targetId: item.body.id, limit: 20 })).items;
    const edit = rows.find((r) => r.action === 'news.edit');
    assert.deepEqual([...((edit?.detail?.changed ?? []) as string[])].sort(), ['audience', 'body', 'title']);
    assert.equal(edit?.detail?.title, '改后的标题');
    assert.equal(edit?.detail?.body, undefined, 'the body is named as changed, not copied into the audit');

    const moved = await world.request<{ code: string }>('PATCH', `${api}/news/${item.body.id}`, {
      token: tokens.content_editor,
      body: { publishAtMs: Date.now() + 3_600_000 },
    });
    assert.equal(moved.status, 409);
    assert.equal(moved.body.code, 'NEWS_ALREADY_PUBLISHED');
    await world.request('POST', `${api}/news/${item.body.id}/withdraw`, { token: tokens.content_editor });
    const gone = await world.request<{ code: string }>('PATCH', `${api}/news/${item.body.id}`, {
      token: tokens.content_editor,
      body: { title: '再改' },
    });
    assert.equal(gone.status, 409);
    assert.equal(gone.body.code, 'NEWS_WITHDRAWN');
    const missing = await world.request<{ code: string }>('PATCH', `${api}/news/0000000000000000000000000Z`, {
      token: tokens.content_editor,
      body: { title: '再改' },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NEWS_NOT_FOUND');
    const empty = await world.request('PATCH', `${api}/news/${item.body.id}`, {
      token: tokens.content_editor,
      body: {},
    });
    assert.equal(empty.status, 400, 'an edit names at least one field');

    const course = await world.request<CourseRow>('POST', `${api}/courses`, {
      token: tokens.content_editor,
      body: { title: '入学教育', teacher: '王老师', audience: { type: 'students' } },
    });
    const lesson = await world.request<{ id: string }>('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 1, title: '第一课', video: { path: 'intro/1.mp4' }, durationSeconds: 300 },
    });
    const extra = await world.request<{ id: string }>('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 2, title: '第二课', video: { path: 'intro/2.mp4' }, durationSeconds: 300 },
    });
    const courseEdit = await world.request('PATCH', `${api}/courses/${course.body.id}`, {
      token: tokens.content_editor,
      body: { title: '新生入学教育', description: '很长的简介' },
    });
    assert.equal(courseEdit.status, 200, JSON.stringify(courseEdit.body));
    const lessonEdit = await world.request<{ videoPath: string }>(
      'PATCH',
      `${api}/lessons/${lesson.body.id}`,
      {
        token: tokens.content_editor,
        body: { title: '第一课（修订）', video: { path: 'intro/1-v2.mp4' }, durationSeconds: 360 },
      },
    );
    assert.equal(lessonEdit.status, 200, JSON.stringify(lessonEdit.body));
    assert.equal(lessonEdit.body.videoPath, 'intro/1-v2.mp4');
    const taken = await world.request('PATCH', `${api}/lessons/${extra.body.id}`, {
      token: tokens.content_editor,
      body: { seq: 1 },
    });
    assert.equal(taken.status, 409, 'a lesson number the course already has');
    const removed = await world.request('DELETE', `${api}/lessons/${extra.body.id}`, {
      token: tokens.content_editor,
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const seen = await world.core.client.courseFor(inDept, course.body.id);
    assert.equal(seen.title, '新生入学教育');
    assert.deepEqual(
      seen.lessons.map((l) => [l.seq, l.title, l.videoPath, l.durationSeconds]),
      [[1, '第一课（修订）', 'intro/1-v2.mp4', 360]],
    );
    const courseAudit = (await world.core.client.searchAudit({ targetId: course.body.id, limit: 20 })).items;
    assert.deepEqual(courseAudit.map((r) => r.action).sort(), [
      'course.create',
      'course.edit',
      'course.lesson_add',
      'course.lesson_add',
      'course.lesson_edit',
      'course.lesson_remove',
    ]);
    const courseEdited = courseAudit.find((r) => r.action === 'course.edit');
    assert.equal(courseEdited?.detail?.description, undefined, 'long text named, not copied');
    assert.ok(((courseEdited?.detail?.changed ?? []) as string[]).includes('description'));

    for (const role of ['auditor', 'finance'] as const) {
      assert.equal(
        (
          await world.request('PATCH', `${api}/courses/${course.body.id}`, {
            token: tokens[role],
            body: { title: 'x' },
          })
        ).status,
        403,
      );
      assert.equal(
        (await world.request('DELETE', `${api}/lessons/${lesson.body.id}`, { token: tokens[role] })).status,
        403,
      );
    }
  });
  test('when the editor publishes an item important or marks one important later, then the item says so in the list and the feed, and each is audited with it; the auditor cannot mark one', async () => {
    const audience = { type: 'department', value: '新闻学院' };
    const urgent = await world.request<NewsRow & { important: boolean }>('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: { title: '紧急通知', body: '今晚停电', audience, important: true },
    });
    assert.equal(urgent.status, 201, JSON.stringify(urgent.body));
    assert.equal(urgent.body.important, true);
    const publish = (await world.core.client.searchAudit({ targetId: urgent.body.id, limit: 5 })).items[0];
    assert.equal(publish?.action, 'news.publish');
    assert.equal(publish?.detail?.important, true);

    const plain = await world.request<NewsRow>('POST', `${api}/news`, {
      token: tokens.content_editor,
      body: { title: '普通通知', body: '正文', audience },
    });
    const refused = await world.request('PATCH', `${api}/news/${plain.body.id}`, {
      token: tokens.auditor,
      body: { important: true },
    });
    assert.equal(refused.status, 403);
    const marked = await world.request<{ important: boolean; changed: string[] }>(
      'PATCH',
      `${api}/news/${plain.body.id}`,
      { token: tokens.content_editor, body: { important: true } },
    );
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual([marked.body.important, marked.body.changed], [true, ['important']]);
    const edit = (await world.core.client.searchAudit({ targetId: plain.body.id, limit: 5 })).items.find(
      (r) => r.action === 'news.edit',
    );
    assert.deepEqual([edit?.detail?.changed, edit?.detail?.important], [['important'], true]);

    const list = await world.request<{ items: (NewsRow & { important: boolean })[] }>('GET', `${api}/news`, {
      token: tokens.content_editor,
    });
    const flags = Object.fromEntries(list.body.items.map((n) => [n.id, n.important]));
    assert.deepEqual([flags[urgent.body.id], flags[plain.body.id]], [true, true]);
    const read = await world.core.client.newsFor(inDept, { limit: 50 });
    assert.equal(read.items.find((n) => n.id === plain.body.id)?.important, true);
  });

  test('when message delivery counts are asked for, then content editors and auditors see them per day, channel, kind and status; others are refused', async () => {
    const day = shanghaiToday();
    const queued = await new MessageRepository(world.core.core.db).enqueue({
      eventKey: `count-${process.pid}-${Date.now()}`,
      personId: 'P-counted',
      channel: 'alipay',
      kind: 'statement',
      payload: { fields: [] },
      status: 'skipped',
      lastError: 'no_target',
      nowMs: Date.now(),
    });
    assert.ok(queued);
    for (const role of ['content_editor', 'auditor', 'super_admin'] as const) {
      const reply = await world.request<{
        items: { day: string; channel: string; kind: string; status: string; count: number }[];
      }>('GET', `${api}/messages/daily-counts?days=7`, { token: tokens[role] });
      assert.equal(reply.status, 200, role);
      const row = reply.body.items.find(
        (i) => i.channel === 'alipay' && i.kind === 'statement' && i.status === 'skipped',
      );
      assert.ok(row && [day, shanghaiToday()].includes(row.day) && row.count === 1, JSON.stringify(row));
      assert.equal(
        (await world.request('GET', `${api}/messages/failures`, { token: tokens[role] })).status,
        200,
      );
    }
    for (const role of ['card_operator', 'finance'] as const)
      assert.equal(
        (await world.request('GET', `${api}/messages/daily-counts`, { token: tokens[role] })).status,
        403,
        role,
      );
    const tooMany = await world.request('GET', `${api}/messages/daily-counts?days=400`, {
      token: tokens.auditor,
    });
    assert.equal(tooMany.status, 400);
  });
});
