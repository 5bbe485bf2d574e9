import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

export interface MigrateOptions {
  /** How long a claim on the migration lock lasts without renewal (default 60 s). */
  lockTtlMs?: number;
  /** How often a waiting migrator looks at the lock again (default 500 ms). */
  pollMs?: number;
}

/**
 * The migration lock: one row (id 1) naming its holder and when the claim expires, by the database
 * clock. It is taken with a conditional UPDATE, which goes through replicated writes, so it holds
 * across Galera nodes where GET_LOCK() does not, and works the same on SQLite.
 *
 * This table is deliberately NOT a numbered migration in sql/: it guards the numbered migrations,
 * so it must exist before any migrator reads schema_migrations. Created by a migration, it would be
 * created by the very unguarded race it is meant to stop (two cores both seeing "001 not applied").
 * CREATE TABLE IF NOT EXISTS and an INSERT that ignores a duplicate make its creation safe to race.
 */
const lockTable = 'schema_migration_lock';

class MigrationLock {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`.slice(0, 128);
  private timer: NodeJS.Timeout | undefined;
  private lost = false;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    private readonly pollMs: number,
  ) {}

  /** Waits until this migrator holds the lock: free (owner ''), or held by a claim that expired. */
  async acquire(): Promise<void> {
    const db = this.db;
    await db.execute(
      `CREATE TABLE IF NOT EXISTS ${lockTable} (id INT NOT NULL, owner VARCHAR(128) NOT NULL, expires_at_ms BIGINT NOT NULL, PRIMARY KEY (id))`,
    );
    const ignore = db.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
    await db.execute(`${ignore} INTO ${lockTable} (id, owner, expires_at_ms) VALUES (1, '', 0)`);
    for (;;) {
      try {
        await db.execute(
          `UPDATE ${lockTable} SET owner = ?, expires_at_ms = ${db.nowMsSql} + ? WHERE id = 1 AND (owner = '' OR expires_at_ms < ${db.nowMsSql})`,
          [this.owner, this.ttlMs],
        );
      } catch {
        // A Galera certification conflict (1213), a busy SQLite file or a lost connection: whether
        // the claim landed is decided by reading the row below, never by the error.
      }
      if (await this.holds()) break;
      await sleep(this.pollMs);
    }
    this.timer = setInterval(
      () => {
        this.renew().catch(() => undefined);
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
  }

  private async holds(): Promise<boolean> {
    const rows = await this.db.select<{ owner: string }>(`SELECT owner FROM ${lockTable} WHERE id = 1`);
    return rows[0]?.owner === this.owner;
  }

  /** Pushes the expiry out; marks the lock lost when another migrator has taken it over. */
  private async renew(): Promise<void> {
    await this.db.execute(
      `UPDATE ${lockTable} SET expires_at_ms = ${this.db.nowMsSql} + ? WHERE id = 1 AND owner = ?`,
      [this.ttlMs, this.owner],
    );
    if (!(await this.holds())) this.lost = true;
  }

  /** Renews now and refuses to go on when the claim was lost (e.g. this process stalled past its expiry). */
  async check(): Promise<void> {
    if (!this.lost) await this.renew();
    if (this.lost)
      throw new Error('lost the migration lock to another migrator; not applying more migrations');
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.db.execute(
      `UPDATE ${lockTable} SET owner = '', expires_at_ms = 0 WHERE id = 1 AND owner = ?`,
      [this.owner],
    );
  }
}

/**
 * Applies every migration not yet recorded in schema_migrations, in order, while holding the
 * migration lock, so N cores starting together on one database migrate it once: the first applies,
 * the others wait, then read schema_migrations and find everything done. A holder that crashed
 * blocks the others only until its claim expires. Refuses to run when an already-applied migration
 * file has changed: history is fixed, a change is a new migration.
 */
export async function migrate(
  db: Database,
  dir: string = migrationsDir,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const lock = new MigrationLock(db, options.lockTtlMs ?? 60_000, options.pollMs ?? 500);
  await lock.acquire();
  try {
    return await migrateLocked(db, dir, lock);
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function migrateLocked(db: Database, dir: string, lock: MigrationLock): Promise<MigrationReport> {
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
    await lock.check();
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
