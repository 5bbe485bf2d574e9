import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

interface Lesson {
  id: string;
  seq: number;
  videoUrl: string;
  progress: { positionSeconds: number; completed: boolean } | null;
}

describe('news and courses for the signed-in student', () => {
  let world: TestWorld;
  const contentDir = mkdtempSync(join(tmpdir(), 'cc-content-'));
  const video = randomBytes(64 * 1024);
  before(async () => {
    mkdirSync(join(contentDir, 'ds'), { recursive: true });
    writeFileSync(join(contentDir, 'ds', '01.mp4'), video);
    world = await startWorld({ CONTENT_DIR: contentDir });
  });
  after(() => world.stop());

  test('when news is published for everyone, then the student lists it, opens it and it reads as read', async () => {
    const student = await boundStudent(world);
    const item = await world.core.client.publishNews({
      title: '食堂延长营业时间',
      body: '考试周期间第一食堂营业至 23:00。',
      audience: { type: 'all' },
      author: 'card-centre',
    });
    const list = await world.request<{
      items: { id: string; readAtMs: number | null }[];
      nextCursor: string | null;
    }>('GET', '/api/v1/news?limit=5', { token: student.accessToken });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.find((n) => n.id === item.id)?.readAtMs, null);
    const detail = await world.request<{ body: string }>('GET', `/api/v1/news/${item.id}`, {
      token: student.accessToken,
    });
    assert.equal(detail.status, 200);
    assert.equal(detail.body.body, '考试周期间第一食堂营业至 23:00。');
    const again = await world.request<{ items: { id: string; readAtMs: number | null }[] }>(
      'GET',
      '/api/v1/news',
      {
        token: student.accessToken,
      },
    );
    assert.notEqual(again.body.items.find((n) => n.id === item.id)?.readAtMs, null);
    const bad = await world.request('GET', '/api/v1/news?cursor=not-a-cursor', {
      token: student.accessToken,
    });
    assert.equal(bad.status, 400);
    assert.equal((await world.request('GET', '/api/v1/news')).status, 401);
  });

  test('when a lesson video is played, then the signed link serves byte ranges, and a forged or expired link is refused', async () => {
    const student = await boundStudent(world);
    const course = await world.core.client.createCourse({
      title: '数据结构',
      teacher: '王老师',
      audience: { type: 'all' },
    });
    await world.core.client.addLesson(course.id, {
      seq: 1,
      title: '线性表',
      video: { path: 'ds/01.mp4' },
      durationSeconds: 600,
    });
    const seen = await world.request<{ lessons: Lesson[] }>('GET', `/api/v1/courses/${course.id}`, {
      token: student.accessToken,
    });
    assert.equal(seen.status, 200);
    const lesson = seen.body.lessons[0] as Lesson;
    assert.match(lesson.videoUrl, /^\/api\/v1\/videos\/.+\?exp=\d+&sig=/);

    const whole = await fetch(`${world.bff.url}${lesson.videoUrl}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), video);

    const part = await fetch(`${world.bff.url}${lesson.videoUrl}`, { headers: { range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${video.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), video.subarray(1000, 2000));

    const tail = await fetch(`${world.bff.url}${lesson.videoUrl}`, { headers: { range: 'bytes=-100' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), video.subarray(video.length - 100));

    const beyond = await fetch(`${world.bff.url}${lesson.videoUrl}`, {
      headers: { range: `bytes=${video.length}-` },
    });
    assert.equal(beyond.status, 416);

    const forged = lesson.videoUrl.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`);
    assert.equal((await fetch(`${world.bff.url}${forged}`)).status, 403);
    const expired = lesson.videoUrl.replace(/exp=\d+/, `exp=${Date.now() - 1000}`);
    assert.equal((await fetch(`${world.bff.url}${expired}`)).status, 403);
  });

  test('when progress is saved, then the course shows where to resume; bad progress is refused', async () => {
    const student = await boundStudent(world);
    const course = await world.core.client.createCourse({
      title: '高等数学',
      teacher: '李老师',
      audience: { type: 'all' },
    });
    const lesson = await world.core.client.addLesson(course.id, {
      seq: 1,
      title: '极限',
      video: { url: 'https://video.example.edu/math/01.mp4' },
      durationSeconds: 1200,
    });
    const saved = await world.request('PUT', `/api/v1/lessons/${lesson.id}/progress`, {
      token: student.accessToken,
      body: { positionSeconds: 340 },
    });
    assert.equal(saved.status, 204);
    const seen = await world.request<{ lessons: Lesson[] }>('GET', `/api/v1/courses/${course.id}`, {
      token: student.accessToken,
    });
    assert.equal(seen.body.lessons[0]?.progress?.positionSeconds, 340);
    assert.equal(seen.body.lessons[0]?.videoUrl, 'https://video.example.edu/math/01.mp4');
    const bad = await world.request('PUT', `/api/v1/lessons/${lesson.id}/progress`, {
      token: student.accessToken,
      body: { positionSeconds: -1 },
    });
    assert.equal(bad.status, 400);
    const catalogue = await world.request<{ items: { id: string }[] }>('GET', '/api/v1/courses', {
      token: student.accessToken,
    });
    assert.ok(catalogue.body.items.some((c) => c.id === course.id));
  });
});
