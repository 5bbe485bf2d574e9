import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('lesson URLs a player opens', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('#12.14 class: when a lesson stored before the http(s) rule names a javascript:, file: or data: URL, then the student API hands the player no such URL', async () => {
    const student = await boundStudent(world);
    const course = await world.core.client.createCourse({
      title: '安全教育',
      teacher: '张老师',
      audience: { type: 'all' },
    });
    const stored = [
      'javascript:alert(document.cookie)',
      'file:///etc/passwd',
      'data:text/html,<script>1</script>',
      'JaVaScRiPt:alert(1)',
    ];
    for (const [i, url] of stored.entries()) {
      const lesson = await world.core.client.addLesson(course.id, {
        seq: i + 1,
        title: `第 ${i + 1} 课`,
        video: { url: 'https://video.example.edu/safety/01.mp4' },
        durationSeconds: 60,
      });
      // Written behind the core's validation, as a row saved before it existed would be.
      await world.core.core.db.execute('UPDATE lessons SET video_url = ? WHERE id = ?', [url, lesson.id]);
    }
    await world.core.client.addLesson(course.id, {
      seq: 9,
      title: '第 9 课',
      video: { url: 'https://video.example.edu/safety/09.mp4' },
      durationSeconds: 60,
    });
    const seen = await world.request<{ lessons: { seq: number; videoUrl: string | null }[] }>(
      'GET',
      `/api/v1/courses/${course.id}`,
      { token: student.accessToken },
    );
    assert.equal(seen.status, 200);
    const urls = seen.body.lessons.map((l) => l.videoUrl);
    assert.deepEqual(urls, [null, null, null, null, 'https://video.example.edu/safety/09.mp4']);
  });
});
