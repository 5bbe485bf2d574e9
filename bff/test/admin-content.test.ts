import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
});
