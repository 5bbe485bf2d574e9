import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.ts';

export const migrationsDir = new URL('../../../sql/', import.meta.url).pathname;

interface Migration {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export function loadMigrations(dir: string = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file,
        checksum: createHash('sha256').update(sql).digest('hex'),
        sql,
      };
    });
}

/**
 * The MySQL migrations are the one source of truth. For SQLite the table options, charsets and
 * collations are dropped; everything else in sql/ is kept to the portable subset both accept.
 */
export function toSqlite(sql: string): string {
  return sql
    .replace(/\)\s*ENGINE=\w+[^;]*;/g, ');')
    .replace(/\s+CHARACTER SET \w+/gi, '')
    .replace(/\s+COLLATE \w+/gi, '');
}

/** Splits a migration into statements (no semicolons inside strings in sql/, by convention). */
export function statements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies every migration not yet recorded in schema_migrations, in order. Refuses to run when an
 * already-applied migration file has changed: history is fixed, a change is a new migration.
 */
export async function migrate(db: Database, dir: string = migrationsDir): Promise<MigrationReport> {
  await db.execute(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL, name VARCHAR(128) NOT NULL, checksum CHAR(64) NOT NULL, applied_at_ms BIGINT NOT NULL, PRIMARY KEY (version))',
  );
  const applied = new Map(
    (
      await db.select<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations',
      )
    ).map((row) => [Number(row.version), row]),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const migration of loadMigrations(dir)) {
    const done = applied.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied; add a new migration instead`,
        );
      }
      report.alreadyApplied.push(migration.name);
      continue;
    }
    const sql = db.dialect === 'sqlite' ? toSqlite(migration.sql) : migration.sql;
    // MySQL commits DDL implicitly, so a migration is not atomic there; each file is kept small and
    // the version row is written last, so a failed migration is re-run from the start after a fix.
    for (const statement of statements(sql)) await db.execute(statement);
    await db.execute(
      `INSERT INTO schema_migrations (version, name, checksum, applied_at_ms) VALUES (?, ?, ?, ${db.nowMsSql})`,
      [migration.version, migration.name, migration.checksum],
    );
    report.applied.push(migration.name);
  }
  return report;
}
