import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dialects, freshDatabase } from '@campus-card/tests/kit';
import { openDatabase } from '../src/db/database.ts';
import { migrate, migrationsDir } from '../src/db/migrate.ts';

for (const dialect of dialects) {
  test(`#18 when migration 120 rebuilds news and courses on ${dialect}, then every stored item keeps every column (a grade, an important item's marks) and the campus kind is allowed`, async () => {
    // Goal: widening the audience CHECK by a table copy loses no row or column and keeps the other CHECKs.
    const fresh = await freshDatabase(dialect);
    const db = openDatabase(fresh.url);
    try {
      const before = mkdtempSync(join(tmpdir(), 'cc-before-120-'));
      for (const file of readdirSync(migrationsDir).filter((f) => /^\d{3}_/.test(f) && f < '120_'))
        copyFileSync(join(migrationsDir, file), join(before, file));
      await migrate(db, before);
      const news = `INSERT INTO news (id, title, body, audience_type, audience_value, status, publish_at_ms, author,
          created_at_ms, updated_at_ms, announced_at_ms, important, messages_queued_at_ms)
        VALUES (?, '标题', '正文', ?, ?, 'published', 1000, '编辑', 900, 950, 1001, ?, ?)`;
      await db.execute(news, ['n-grade', 'grade', '2024', 1, 1002]);
      await db.execute(news, ['n-all', 'all', null, 0, null]);
      await assert.rejects(db.execute(news, ['n-campus', 'campus', 'EAST', 0, null]));
      const course = `INSERT INTO courses (id, title, description, teacher, audience_type, audience_value, created_at_ms, updated_at_ms)
        VALUES (?, '课程', '说明', '王老师', ?, ?, 900, NULL)`;
      await db.execute(course, ['c-class', 'class', 'CS2401']);

      const report = await migrate(db);
      assert.ok(report.applied.includes('120_campus_audience.sql'));
      const rows = await db.select<Record<string, unknown>>(
        `SELECT id, title, body, audience_type, audience_value, status, publish_at_ms, author, created_at_ms,
                updated_at_ms, announced_at_ms, important, messages_queued_at_ms FROM news ORDER BY id`,
      );
      assert.deepEqual(
        rows.map((r) => [
          r.id,
          r.audience_type,
          r.audience_value,
          r.status,
          Number(r.publish_at_ms),
          Number(r.updated_at_ms),
          Number(r.announced_at_ms),
          Number(r.important),
          r.messages_queued_at_ms === null ? null : Number(r.messages_queued_at_ms),
        ]),
        [
          ['n-all', 'all', null, 'published', 1000, 950, 1001, 0, null],
          ['n-grade', 'grade', '2024', 'published', 1000, 950, 1001, 1, 1002],
        ],
      );
      const courses = await db.select<Record<string, unknown>>(
        'SELECT id, audience_type, audience_value, teacher FROM courses',
      );
      assert.deepEqual(
        courses.map((r) => [r.id, r.audience_type, r.audience_value, r.teacher]),
        [['c-class', 'class', 'CS2401', '王老师']],
      );
      await db.execute(news, ['n-campus', 'campus', 'EAST', 0, null]);
      await db.execute(course, ['c-campus', 'campus', 'EAST']);
      // A campus names one (the value is required); unknown kinds and statuses are still refused.
      await assert.rejects(db.execute(news, ['n-campus-bare', 'campus', null, 0, null]));
      await assert.rejects(db.execute(news, ['n-odd', 'planet', null, 0, null]));
      await assert.rejects(db.execute(course, ['c-campus-bare', 'campus', null]));
      await assert.rejects(db.execute(news, ['n-grade', 'all', null, 0, null]), 'the primary key is kept');
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
}
