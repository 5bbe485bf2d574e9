import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { QueryTypes, Sequelize, Transaction } from 'sequelize';

export type Dialect = 'mysql' | 'sqlite';
export type Tx = Transaction;
export type Param = string | number | null;

/**
 * The one database handle every repository uses: Sequelize for the connection pool, transactions
 * and models, plus the few SQL fragments that differ between MySQL and SQLite.
 */
export interface Database {
  readonly dialect: Dialect;
  readonly sequelize: Sequelize;
  /** SQL expression for the database clock, epoch ms UTC. */
  readonly nowMsSql: string;
  /** Row-lock suffix for SELECT inside a transaction ('' on SQLite, whose writers are serialised). */
  readonly forUpdate: string;
  select<T>(sql: string, params?: readonly Param[], tx?: Tx): Promise<T[]>;
  /** Runs INSERT/UPDATE/DELETE and returns the number of rows it changed. */
  execute(sql: string, params?: readonly Param[], tx?: Tx): Promise<number>;
  /** Runs fn in one transaction; READ COMMITTED on MySQL, BEGIN IMMEDIATE on SQLite. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  nowMs(): Promise<number>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  poolMax?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const dialect: Dialect = url.startsWith('sqlite:') ? 'sqlite' : 'mysql';
  const sequelize = dialect === 'sqlite' ? openSqlite(url) : openMysql(url, options.poolMax ?? 16);
  const nowMsSql =
    dialect === 'sqlite'
      ? "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
      : 'CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)';
  // SQLite allows one writer at a time; queueing write transactions here turns SQLITE_BUSY into waiting.
  let sqliteWriteChain: Promise<unknown> = Promise.resolve();

  const db: Database = {
    dialect,
    sequelize,
    nowMsSql,
    forUpdate: dialect === 'sqlite' ? '' : ' FOR UPDATE',
    async select<T>(sql: string, params: readonly Param[] = [], tx?: Tx) {
      return (await sequelize.query(sql, {
        replacements: params as Param[],
        type: QueryTypes.SELECT,
        transaction: tx ?? null,
        raw: true,
      })) as T[];
    },
    async execute(sql: string, params: readonly Param[] = [], tx?: Tx) {
      // Sequelize reports the changed-row count as the second element for INSERT and UPDATE query
      // types on both dialects; DDL has no count.
      const verb = sql.trimStart().slice(0, 6).toUpperCase();
      const type =
        verb === 'INSERT'
          ? QueryTypes.INSERT
          : verb === 'UPDATE' || verb === 'DELETE'
            ? QueryTypes.UPDATE
            : QueryTypes.RAW;
      const result = (await sequelize.query(sql, {
        replacements: params as Param[],
        type,
        transaction: tx ?? null,
      })) as [unknown, unknown];
      return type === QueryTypes.RAW ? 0 : Number(result[1]);
    },
    transaction<T>(fn: (tx: Tx) => Promise<T>) {
      if (dialect === 'mysql') {
        return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, fn);
      }
      const run = sqliteWriteChain.then(() =>
        sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn),
      );
      sqliteWriteChain = run.catch(() => undefined);
      return run;
    },
    async nowMs() {
      const rows = await db.select<{ now_ms: number | string }>(`SELECT ${nowMsSql} AS now_ms`);
      return Number(rows[0]?.now_ms);
    },
    close: () => sequelize.close(),
  };
  return db;
}

function openMysql(url: string, poolMax: number): Sequelize {
  return new Sequelize(url, {
    dialect: 'mysql',
    logging: false,
    timezone: '+00:00',
    pool: { max: poolMax, min: 0, acquire: 30_000, idle: 10_000 },
    dialectOptions: { supportBigNumbers: true, bigNumberStrings: false, multipleStatements: false },
  });
}

function openSqlite(url: string): Sequelize {
  const storage = url.slice('sqlite:'.length).replace(/^\/\//, '') || ':memory:';
  if (storage !== ':memory:') mkdirSync(dirname(storage), { recursive: true });
  const sequelize = new Sequelize({ dialect: 'sqlite', storage, logging: false });
  sequelize.addHook('afterConnect', async (connection: unknown) => {
    const sqlite = connection as {
      configure(option: 'busyTimeout', ms: number): void;
      exec(sql: string, cb: (err: Error | null) => void): void;
    };
    sqlite.configure('busyTimeout', 10_000);
    await new Promise<void>((resolve, reject) =>
      sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;', (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  });
  return sequelize;
}

/** True for failures a transaction may simply be retried after: deadlocks, lock timeouts, busy SQLite. */
export function isRetryable(error: unknown): boolean {
  const e = error as {
    parent?: { errno?: number; code?: string };
    original?: { errno?: number; code?: string };
  };
  const cause = e.parent ?? e.original;
  if (!cause) return false;
  return cause.errno === 1213 || cause.errno === 1205 || cause.code === 'SQLITE_BUSY';
}

/** True when the failure is a unique-key violation. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { name?: string }).name === 'SequelizeUniqueConstraintError';
}
