import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedAdminDemo } from '../src/admin/seed.ts';
import { adminToken } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

interface Refusal {
  code: string;
  message: string;
  details?: { issues?: { path: string }[] };
}

describe("control characters and non-web URLs at the BFF's edge", () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('#12.14 when a JSON body string carries a NUL, an escape or a lone surrogate, then 400 VALIDATION_FAILED names the field', async () => {
    // Goal: the same text rule as the core's, before any route or the core sees the value.
    for (const code of ['abc\u0000def', '\u001b[2Jabc', 'abc\ud800']) {
      const reply = await world.request<Refusal>('POST', '/api/v1/session', { body: { code } });
      assert.equal(reply.status, 400, JSON.stringify(code));
      assert.equal(reply.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        reply.body.details?.issues?.map((i) => i.path),
        ['code'],
      );
    }
    // An object key is text too.
    const key = await world.request<Refusal>('POST', '/api/v1/session', { body: '{"co\\u0000de":"x"}' });
    assert.equal(key.status, 400);
    assert.equal(key.body.code, 'VALIDATION_FAILED');
  });

  test('#12.14 when a path parameter or query string carries a control character, signed in or not, then 400 VALIDATION_FAILED', async () => {
    // Goal: routes that read parameters themselves (the open video route, the signed-in lists) are covered too.
    const student = await boundStudent(world);
    const cases: [string, string | undefined][] = [
      ['/api/v1/videos/L%00?exp=1&sig=x', undefined],
      ['/api/v1/news/%00', student.accessToken],
      ['/api/v1/news?limit=5&cursor=a%00b', student.accessToken],
      ['/api/v1/transactions?x=%1B', student.accessToken],
      ['/api/v1/news/%C2%9B', student.accessToken],
    ];
    for (const [path, token] of cases) {
      const reply = await world.request<Refusal>('GET', path, token ? { token } : {});
      assert.equal(reply.status, 400, path);
      assert.equal(reply.body.code, 'VALIDATION_FAILED', path);
    }
    const fine = await world.request('GET', '/api/v1/news?limit=5', { token: student.accessToken });
    assert.equal(fine.status, 200);
  });

  test('#12.14 when an editor gives a lesson a javascript: or file: URL in the backoffice, then 400 VALIDATION_FAILED and the lesson is not added', async () => {
    // Goal: only http(s) lesson URLs reach the players, whichever route they come through.
    const editor = (await seedAdminDemo(world.core.client)).find((a) => a.role === 'content_editor');
    assert.ok(editor);
    const token = await adminToken(world, editor.username, editor.password);
    const course = await world.request<{ id: string }>('POST', '/api/admin/v1/courses', {
      token,
      body: { title: '信息安全', teacher: '李老师', audience: { type: 'all' } },
    });
    assert.equal(course.status, 201, JSON.stringify(course.body));
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x']) {
      const reply = await world.request<Refusal>('POST', `/api/admin/v1/courses/${course.body.id}/lessons`, {
        token,
        body: { seq: 1, title: '第一讲', video: { url }, durationSeconds: 60 },
      });
      assert.equal(reply.status, 400, url);
      assert.equal(reply.body.code, 'VALIDATION_FAILED', url);
    }
    const ok = await world.request('POST', `/api/admin/v1/courses/${course.body.id}/lessons`, {
      token,
      body: {
        seq: 1,
        title: '第一讲',
        video: { url: 'https://video.example.edu.cn/1.mp4' },
        durationSeconds: 60,
      },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});
