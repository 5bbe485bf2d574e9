import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialects, freshDatabase } from '@campus-card/tests/kit';
import { type Database, openDatabase } from '../src/db/database.ts';
import { migrate, migrationsDir, toSqlite } from '../src/db/migrate.ts';
import { defineModels } from '../src/db/models.ts';

for (const dialect of dialects) {
  describe(`schema on ${dialect}`, () => {
    let db: Database;
    let drop: () => Promise<void>;
    before(async () => {
      const fresh = await freshDatabase(dialect);
      drop = fresh.drop;
      db = openDatabase(fresh.url);
      await migrate(db);
    });
    after(async () => {
      await db.close();
      await drop();
    });

    test('when migrations run twice, then the second run applies nothing', async () => {
      // Goal: npm run migrate is safe to repeat.
      const report = await migrate(db);
      assert.deepEqual(report.applied, []);
      assert.ok(report.alreadyApplied.includes('001_core_ledger.sql'));
    });

    test('when an applied migration file has changed, then migrate refuses to run', async () => {
      // Goal: history is fixed; a change must be a new migration.
      const dir = mkdtempSync(join(tmpdir(), 'cc-migrations-'));
      cpSync(migrationsDir, dir, { recursive: true });
      const file = join(dir, '001_core_ledger.sql');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after the fact\n`);
      await assert.rejects(migrate(db, dir), /was changed after it was applied/);
    });

    test('when the models are compared with the live tables, then every column matches', async () => {
      // Goal: the Sequelize models follow the migrations exactly (names and nullability).
      const models = defineModels(db.sequelize);
      const qi = db.sequelize.getQueryInterface();
      for (const model of Object.values(models)) {
        const table = model.getTableName() as string;
        const live = await qi.describeTable(table);
        const attributes = model.getAttributes() as Record<
          string,
          { field?: string; allowNull?: boolean; primaryKey?: boolean }
        >;
        const modelColumns = Object.values(attributes)
          .map((a) => a.field as string)
          .sort();
        assert.deepEqual(modelColumns, Object.keys(live).sort(), `columns of ${table}`);
        for (const a of Object.values(attributes)) {
          const column = live[a.field as string];
          assert.equal(
            Boolean(a.allowNull ?? true) && !a.primaryKey,
            Boolean(column?.allowNull) && !column?.primaryKey,
            `nullability of ${table}.${a.field}`,
          );
        }
      }
      // The ORM path really reads the tables.
      assert.ok((await models.Account.count()) >= 8);
    });

    test('when a wallet would go negative, then the database itself refuses the write', async () => {
      // Goal: the no-negative-wallet rule lives in the database, not only in the code.
      const now = Date.now();
      await db.execute(
        "INSERT INTO accounts (id, kind, allow_overdraft, credits_posted, created_at_ms) VALUES ('W-CHECK', 'wallet_main', 0, 100, ?)",
        [now],
      );
      await assert.rejects(
        db.execute("UPDATE accounts SET debits_posted = debits_posted + 101 WHERE id = 'W-CHECK'"),
      );
      await assert.rejects(
        db.execute("UPDATE accounts SET debits_pending = debits_pending + 101 WHERE id = 'W-CHECK'"),
      );
      assert.equal(
        await db.execute("UPDATE accounts SET debits_posted = debits_posted + 100 WHERE id = 'W-CHECK'"),
        1,
      );
    });
  });
}

test('when MySQL DDL is translated for SQLite, then only table options and collations go', () => {
  // Goal: one source of truth for the schema; the SQLite form is derived mechanically.
  const sql =
    'CREATE TABLE t (\n  a VARCHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;';
  assert.equal(toSqlite(sql), 'CREATE TABLE t (\n  a VARCHAR(3) NOT NULL\n);');
});
