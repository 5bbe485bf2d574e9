import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialects, freshDatabase } from '@campus-card/tests/kit';
import { type Database, openDatabase } from '../src/db/database.ts';
import { loadMigrations, migrate, migrationsDir } from '../src/db/migrate.ts';

const migrations = loadMigrations().map((m) => m.name);

/** Opens n separate database handles (each its own pool or SQLite connection) on one URL. */
function handles(url: string, n: number): Database[] {
  return Array.from({ length: n }, () => openDatabase(url));
}

async function appliedRows(db: Database): Promise<string[]> {
  const rows = await db.select<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
  return rows.map((r) => r.name);
}

for (const dialect of dialects) {
  describe(`migration lock on ${dialect}`, () => {
    test(`#18 when 4 cores migrate one fresh ${dialect} database at the same moment, then all succeed and each migration is applied exactly once`, async () => {
      // Goal: N cores starting together on an empty schema neither collide ("Table 'persons'
      // already exists") nor apply a migration twice; the lock serialises them.
      const fresh = await freshDatabase(dialect);
      const dbs = handles(fresh.url, 4);
      try {
        const results = await Promise.allSettled(dbs.map((db) => migrate(db, undefined, { pollMs: 50 })));
        const failures = results.filter((r) => r.status === 'rejected');
        assert.deepEqual(failures, [], 'every migrator succeeds');
        const reports = results.map(
          (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof migrate>>>).value,
        );
        const appliedByAll = reports.flatMap((r) => r.applied).sort();
        assert.deepEqual(
          appliedByAll,
          [...migrations].sort(),
          'each migration applied by exactly one migrator',
        );
        // The others waited for the holder and then found everything done.
        for (const report of reports) {
          assert.deepEqual([...report.applied, ...report.alreadyApplied].sort(), [...migrations].sort());
        }
        assert.deepEqual(await appliedRows(dbs[0] as Database), migrations);
        // The lock is released afterwards.
        const lock = await (dbs[0] as Database).select<{ owner: string }>(
          'SELECT owner FROM schema_migration_lock WHERE id = 1',
        );
        assert.equal(lock[0]?.owner, '');
      } finally {
        for (const db of dbs) await db.close();
        await fresh.drop();
      }
    });

    test(`#18 when the ${dialect} migration takes longer than the lock's expiry, then the holder renews it and nobody takes over`, async () => {
      // Goal: a slow migration (Galera DDL took 20 s) keeps its claim by renewing it; with a 1 s
      // expiry and no renewal the waiters would take over mid-migration and apply 001 twice.
      // The real migrations, plus (on MariaDB) one that sleeps 1.5 s, so the run outlasts the expiry
      // however fast the machine is (a quiet one migrates the schema in about 0.6 s).
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      cpSync(migrationsDir, dir, { recursive: true });
      if (dialect === 'mysql') writeFileSync(join(dir, '999_slow_for_test.sql'), 'DO SLEEP(1.5);\n');
      const expected = loadMigrations(dir).map((m) => m.name);
      const fresh = await freshDatabase(dialect);
      const dbs = handles(fresh.url, 3);
      try {
        const started = Date.now();
        const reports = await Promise.all(
          dbs.map((db) => migrate(db, dir, { pollMs: 50, lockTtlMs: 1_000 })),
        );
        const elapsed = Date.now() - started;
        assert.deepEqual(reports.flatMap((r) => r.applied).sort(), [...expected].sort());
        assert.deepEqual(await appliedRows(dbs[0] as Database), expected);
        if (dialect === 'mysql')
          assert.ok(elapsed > 1_000, `the migration outlasted one expiry (${elapsed} ms)`);
      } finally {
        for (const db of dbs) await db.close();
        await fresh.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test(`#18 when a crashed core left the ${dialect} migration lock behind, then the next migrator takes it over once its expiry passes`, async () => {
      // Goal: a holder killed mid-migration (its row still there) blocks others only until its
      // expiry, never forever; a live holder's unexpired lock is waited for.
      const fresh = await freshDatabase(dialect);
      const [setup, migrator] = handles(fresh.url, 2) as [Database, Database];
      try {
        await setup.execute(
          'CREATE TABLE schema_migration_lock (id INT NOT NULL, owner VARCHAR(128) NOT NULL, expires_at_ms BIGINT NOT NULL, PRIMARY KEY (id))',
        );
        // Expired long ago: taken over at once.
        await setup.execute(
          `INSERT INTO schema_migration_lock (id, owner, expires_at_ms) VALUES (1, 'crashed-core', ${setup.nowMsSql} - 60000)`,
        );
        const first = await migrate(migrator, undefined, { pollMs: 50 });
        assert.deepEqual(first.applied, migrations);

        // A holder whose expiry is 1.5 s ahead: the migrator waits, then takes over.
        await setup.execute(
          `UPDATE schema_migration_lock SET owner = 'crashed-core', expires_at_ms = ${setup.nowMsSql} + 1500 WHERE id = 1`,
        );
        const started = Date.now();
        let done = false;
        const second = migrate(migrator, undefined, { pollMs: 50 }).finally(() => {
          done = true;
        });
        await sleep(700);
        assert.equal(done, false, 'waits while the holder’s expiry is ahead');
        const report = await second;
        assert.ok(Date.now() - started >= 1_000, 'took over only after the expiry');
        assert.deepEqual(report.applied, []);
        assert.deepEqual(report.alreadyApplied, migrations);
        assert.deepEqual(await appliedRows(setup), migrations);
      } finally {
        await setup.close();
        await migrator.close();
        await fresh.drop();
      }
    });
  });
}
