// A migrated database for one test file, made from a template instead of by running sql/ again.
//
// Running the ~120 migrations took a test core 2–11 s on SQLite (WAL with synchronous FULL: one fsync
// per statement) and 4–18 s on MariaDB (~330 DDL statements, each committed to disk), mostly waiting on
// the disk, and nearly every test file starts two cores. The template is migrated once per schema (the
// hash of sql/) and machine, by the core's own migrate(); each test database is then a copy: the SQLite
// file copied, the MariaDB tables created from the template's SHOW CREATE TABLE (indexes, keys, checks and
// foreign keys included) and its rows copied (the migrations' seed rows and schema_migrations, so the
// core's own migrate() at start finds everything applied). Tests about migrating itself use freshDatabase.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { openDatabase } from '../../core/src/db/database.ts';
import { loadMigrations, migrate } from '../../core/src/db/migrate.ts';
import { freshDatabase, mysqlServerUrl } from './database.ts';

/** The schema's identity: every migration's name and checksum. */
const schemaHash = createHash('sha256')
  .update(
    loadMigrations()
      .map((m) => `${m.name}:${m.checksum}`)
      .join('\n'),
  )
  .digest('hex')
  .slice(0, 16);
const migrationCount = loadMigrations().length;

/** A fresh database with every migration of sql/ applied, for one test file. */
export async function migratedDatabase(
  dialect: 'mysql' | 'sqlite',
): Promise<{ url: string; drop(): Promise<void> }> {
  return dialect === 'sqlite' ? sqliteCopy() : mysqlCopy();
}

const sqliteTemplate = join(tmpdir(), `cc-template-${schemaHash}.sqlite`);
const stale = (madeAtMs: number): boolean => Date.now() - madeAtMs > 86_400_000;

async function sqliteCopy(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!existsSync(sqliteTemplate)) {
    // Templates of earlier schemas go a day after they were made (another checkout's tests may be copying
    // one now); this one is built aside and renamed into place, so a process
    // reading the template never sees half of it.
    for (const old of readdirSync(tmpdir()))
      if (/^cc-template-[0-9a-f]{16}\.sqlite$/.test(old) && stale(statSync(join(tmpdir(), old)).mtimeMs))
        rmSync(join(tmpdir(), old), { force: true });
    const building = await freshDatabase('sqlite');
    const db = openDatabase(building.url);
    await migrate(db);
    await db.close();
    renameSync(building.url.slice('sqlite:'.length), sqliteTemplate);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cc-core-'));
  const file = join(dir, 'core.sqlite');
  copyFileSync(sqliteTemplate, file);
  return { url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

const mysqlTemplate = `cc_template_${schemaHash}`;

interface TemplateScript {
  /** CREATE TABLE statements of every table, as SHOW CREATE TABLE gives them. */
  creates: string[];
  /** The tables that hold rows in the template. */
  seeded: string[];
}

let script: Promise<TemplateScript> | undefined;

async function mysqlCopy(): Promise<{ url: string; drop(): Promise<void> }> {
  script ??= templateScript();
  const { creates, seeded } = await script;
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  const conn = await mysql.createConnection({ uri: `${mysqlServerUrl}/mysql`, multipleStatements: true });
  try {
    await conn.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.query(`USE ${name}`);
    await conn.query(`SET FOREIGN_KEY_CHECKS = 0;\n${creates.join(';\n')};\nSET FOREIGN_KEY_CHECKS = 1`);
    if (seeded.length > 0)
      await conn.query(
        `SET FOREIGN_KEY_CHECKS = 0; START TRANSACTION;\n${seeded
          .map((t) => `INSERT INTO \`${t}\` SELECT * FROM ${mysqlTemplate}.\`${t}\``)
          .join(';\n')};\nCOMMIT; SET FOREIGN_KEY_CHECKS = 1`,
      );
  } catch (error) {
    await conn.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    throw error;
  } finally {
    await conn.end();
  }
  return {
    url: `${mysqlServerUrl}/${name}`,
    async drop() {
      const again = await mysql.createConnection({ uri: `${mysqlServerUrl}/mysql` });
      try {
        await again.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await again.end();
      }
    },
  };
}

/** Migrates the template once (under a server lock, so test files starting together build it once). */
async function templateScript(): Promise<TemplateScript> {
  const conn = await mysql.createConnection({ uri: `${mysqlServerUrl}/mysql` });
  try {
    await conn.query('SELECT GET_LOCK(?, 600)', [mysqlTemplate]);
    try {
      if (!(await complete(conn))) {
        // Templates of earlier schemas go a day after they were made.
        const [old] = (await conn.query(
          `SELECT table_schema AS name FROM information_schema.tables
            WHERE table_schema LIKE 'cc\\_template\\_%' AND table_name = 'schema_migrations'
              AND create_time < NOW() - INTERVAL 1 DAY`,
        )) as unknown as [{ name: string }[]];
        for (const { name } of old) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await conn.query(`DROP DATABASE IF EXISTS ${mysqlTemplate}`);
        await conn.query(`CREATE DATABASE ${mysqlTemplate} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        const db = openDatabase(`${mysqlServerUrl}/${mysqlTemplate}`);
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
      }
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [mysqlTemplate]);
    }
    const [tables] = (await conn.query(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [mysqlTemplate],
    )) as unknown as [{ name: string }[]];
    const creates: string[] = [];
    const seeded: string[] = [];
    for (const { name } of tables) {
      const [[shown]] = (await conn.query(`SHOW CREATE TABLE ${mysqlTemplate}.\`${name}\``)) as unknown as [
        { 'Create Table': string }[],
      ];
      creates.push(shown?.['Create Table'] ?? '');
      const [[row]] = (await conn.query(
        `SELECT EXISTS (SELECT 1 FROM ${mysqlTemplate}.\`${name}\`) AS has`,
      )) as unknown as [{ has: number }[]];
      if (Number(row?.has) === 1) seeded.push(name);
    }
    return { creates, seeded };
  } finally {
    await conn.end();
  }
}

/** The template holds every migration (a build cut off half way is built again). */
async function complete(conn: mysql.Connection): Promise<boolean> {
  const [found] = (await conn.query(
    `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'schema_migrations'`,
    [mysqlTemplate],
  )) as unknown as [{ n: number }[]];
  if (Number(found[0]?.n) === 0) return false;
  const [applied] = (await conn.query(
    `SELECT COUNT(*) AS n FROM ${mysqlTemplate}.schema_migrations`,
  )) as unknown as [{ n: number }[]];
  return Number(applied[0]?.n) === migrationCount;
}
