import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dialects, freshDatabase } from '@campus-card/tests/kit';
import { openDatabase } from '../src/db/database.ts';
import { migrate, migrationsDir } from '../src/db/migrate.ts';

for (const dialect of dialects) {
  test(`when migration 010 rebuilds the operations table on ${dialect}, then every stored operation survives and the new kind is allowed`, async () => {
    // Goal: widening the kind CHECK by a table copy loses no row, keeps the other CHECKs and indexes.
    const fresh = await freshDatabase(dialect);
    const db = openDatabase(fresh.url);
    try {
      const before = mkdtempSync(join(tmpdir(), 'cc-before-010-'));
      for (const file of readdirSync(migrationsDir).filter((f) => /^\d{3}_/.test(f) && f < '010_'))
        copyFileSync(join(migrationsDir, file), join(before, file));
      await migrate(db, before);
      const insert = `INSERT INTO operations (id, kind, outcome, card_no, amount, subsidy_amount, request_extra, created_day, created_at_ms)
                      VALUES (?, ?, 'ok', '80000001', ?, 0, ?, 20000, 1728000000000)`;
      await db.execute(insert, ['old-1', 'top_up', 500, '{"channel":"cash"}']);
      await db.execute(insert, ['old-2', 'payment', 300, null]);
      await assert.rejects(db.execute(insert, ['old-3', 'subsidy_clear', 1, null]));
      const report = await migrate(db);
      assert.ok(report.applied.includes('010_funds.sql'));
      const rows = await db.select<{
        id: string;
        kind: string;
        amount: unknown;
        request_extra: string | null;
      }>('SELECT id, kind, amount, request_extra FROM operations ORDER BY id');
      assert.deepEqual(
        rows.map((r) => [r.id, r.kind, Number(r.amount), r.request_extra]),
        [
          ['old-1', 'top_up', 500, '{"channel":"cash"}'],
          ['old-2', 'payment', 300, null],
        ],
      );
      await db.execute(insert, ['new-1', 'subsidy_clear', 1, null]);
      await assert.rejects(db.execute(insert, ['new-2', 'no_such_kind', 1, null]));
      await assert.rejects(
        db.execute(
          "INSERT INTO operations (id, kind, outcome, amount, subsidy_amount, created_day, created_at_ms) VALUES ('bad', 'payment', 'ok', 5, 6, 1, 1)",
        ),
      );
      await assert.rejects(db.execute(insert, ['old-1', 'top_up', 500, null]));
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
}
