import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import mysql from 'mysql2/promise';
import { QueryTypes, Sequelize, Transaction } from 'sequelize';

export type Dialect = 'mysql' | 'sqlite';
export type Param = string | number | null;
export interface Statement {
  sql: string;
  params: readonly Param[];
}
export type StatementResult = Record<string, unknown>[] | number;
/** An open transaction; only the Database that made it knows what is inside. */
export type Tx = { readonly __tx: unique symbol };

/**
 * The one SQL handle every repository uses, plus the few fragments that differ between MySQL
 * and SQLite. On MySQL it runs on a mysql2 pool directly: Sequelize's query layer cost about
 * 0.4 ms of CPU per statement here, more than the round trip itself, and the ledger's batches are
 * a dozen statements each (measured, docs/ledger.md). Sequelize stays the ORM for the models.
 */
export interface Database {
  readonly dialect: Dialect;
  /** The ORM instance the models are defined on (a small pool of its own on MySQL). */
  readonly sequelize: Sequelize;
  /** SQL expression for the database clock, epoch ms UTC. */
  readonly nowMsSql: string;
  /** Row-lock suffix for SELECT inside a transaction ('' on SQLite, whose writers are serialised). */
  readonly forUpdate: string;
  select<T>(sql: string, params?: readonly Param[], tx?: Tx): Promise<T[]>;
  /** Runs INSERT/UPDATE/DELETE (or DDL) and returns the number of rows it changed. */
  execute(sql: string, params?: readonly Param[], tx?: Tx): Promise<number>;
  /**
   * Runs statements in order and answers each SELECT's rows or each write's changed-row count. On
   * MySQL they travel in one round trip; with commit they end the transaction in that same trip.
   */
  run(statements: readonly Statement[], tx?: Tx, options?: { commit?: boolean }): Promise<StatementResult[]>;
  /**
   * One UPDATE that applies a list of rows to a table by key, joining a derived table of the values
   * (MySQL: UPDATE … JOIN, SQLite: UPDATE … FROM). Unlike CASE … WHEN chains, its cost grows
   * linearly with the rows. `assignments` maps a column to an expression over t.<column> and d.<value>.
   */
  bulkUpdate(
    table: string,
    key: string,
    valueColumns: readonly string[],
    rows: readonly (readonly Param[])[],
    assignments: readonly [string, string][],
  ): Statement;
  /** Runs fn in one transaction: READ COMMITTED on MySQL, BEGIN IMMEDIATE on SQLite. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  nowMs(): Promise<number>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  poolMax?: number;
  /**
   * Tests only: ms the database clock reads ahead of the server's, asked at every use, so the
   * ledger's clock agrees with a test's shifted process clock (tests/clock.ts). Default 0.
   */
  clockOffsetMs?: () => number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const offset = options.clockOffsetMs ?? (() => 0);
  return url.startsWith('sqlite:') ? openSqlite(url, offset) : openMysql(url, options.poolMax ?? 16, offset);
}

/** The clock expression, shifted by a whole number of ms when a test asks for it. */
function shifted(nowMsSql: string, offsetMs: number): string {
  if (!Number.isSafeInteger(offsetMs)) throw new Error(`clock offset must be whole ms: ${offsetMs}`);
  return offsetMs === 0 ? nowMsSql : `(${nowMsSql} + ${offsetMs})`;
}

/** A MySQL transaction whose START TRANSACTION rides on its first statement. */
interface MysqlTx {
  connection: mysql.PoolConnection;
  begun: boolean;
  committed: boolean;
}

function openMysql(url: string, poolMax: number, clockOffsetMs: () => number): Database {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: poolMax,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    // Lets a ledger batch send its writes and COMMIT in one round trip. Every statement is built
    // with ? placeholders that mysql2 escapes; no SQL is ever assembled from input text.
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    // No stack captured at every query in case it fails (Error.captureStackTrace a query: 1.4 % of the
    // core's CPU profile on the gateway's payment path, issue #20). A failed statement's error still
    // names the server's code, errno and message; its stack shows mysql2's frames, not the caller's.
    trace: false,
    // run() sends statements it formatted itself (mysql.format escapes each one's values), and mysql2 would
    // scan the joined text for placeholders once more: ~0.1 ms for a ledger batch's 24 KB of writes (issue
    // #20). A query given values (none is) is formatted as mysql2 would.
    queryFormat: (sql: string, values: unknown) =>
      Array.isArray(values) && values.length > 0 ? mysql.format(sql, values, false, 'Z') : sql,
  });
  // Every connection reads committed data and keeps gap locks out of the ledger's inserts.
  pool.on('connection', (connection) => {
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
  let sequelize: Sequelize | undefined;
  const clockSql = 'CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)';
  const runner = (tx?: Tx) => (tx as unknown as MysqlTx | undefined)?.connection ?? pool;
  const db: Database = {
    dialect: 'mysql',
    get sequelize() {
      sequelize ??= new Sequelize(url, {
        dialect: 'mysql',
        logging: false,
        timezone: '+00:00',
        pool: { max: 4, min: 0 },
      });
      return sequelize;
    },
    get nowMsSql() {
      return shifted(clockSql, clockOffsetMs());
    },
    forUpdate: ' FOR UPDATE',
    async select<T>(sql: string, params: readonly Param[] = [], tx?: Tx) {
      return (await db.run([{ sql, params }], tx))[0] as T[];
    },
    async execute(sql: string, params: readonly Param[] = [], tx?: Tx) {
      return (await db.run([{ sql, params }], tx))[0] as number;
    },
    bulkUpdate(table, key, valueColumns, rows, assignments) {
      const values = valuesTable(key, valueColumns, rows);
      const set = assignments.map(([column, expression]) => `t.${column} = ${expression}`).join(', ');
      // The derived rows drive the join in their listed order, so rows are locked in key order.
      return {
        sql: `UPDATE ${table} t JOIN (${values.sql}) d ON d.${key} = t.${key} SET ${set}`,
        params: values.params,
      };
    },
    async run(statements: readonly Statement[], tx?: Tx, options: { commit?: boolean } = {}) {
      const mtx = tx as unknown as MysqlTx | undefined;
      const parts = statements.map((st) => mysql.format(st.sql, st.params as Param[]));
      if (mtx && !mtx.begun) {
        parts.unshift('START TRANSACTION');
        mtx.begun = true;
      }
      if (options.commit) {
        if (!mtx) throw new Error('commit needs a transaction');
        parts.push('COMMIT');
      }
      if (parts.length === 0) return [];
      // The server stops at the first failing statement, so a failed batch never reaches COMMIT.
      const [raw] = await runner(tx).query(parts.join(';\n'));
      if (mtx && options.commit) mtx.committed = true;
      const results = (parts.length === 1 ? [raw] : raw) as unknown[];
      const offset = parts.length - statements.length - (options.commit ? 1 : 0);
      return statements.map((_, i) => {
        const r = results[offset + i];
        return Array.isArray(r)
          ? (r as Record<string, unknown>[])
          : ((r as mysql.ResultSetHeader).affectedRows ?? 0);
      });
    },
    async transaction<T>(fn: (tx: Tx) => Promise<T>) {
      const connection = await pool.getConnection();
      const mtx: MysqlTx = { connection, begun: false, committed: false };
      try {
        const result = await fn(mtx as unknown as Tx);
        if (mtx.begun && !mtx.committed) await connection.query('COMMIT');
        return result;
      } catch (error) {
        if (mtx.begun && !mtx.committed) await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    async nowMs() {
      const rows = await db.select<{ now_ms: number }>(`SELECT ${db.nowMsSql} AS now_ms`);
      return Number(rows[0]?.now_ms);
    },
    async close() {
      await pool.end();
      await sequelize?.close();
    },
  };
  return db;
}

function openSqlite(url: string, clockOffsetMs: () => number): Database {
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
  const clockSql = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
  // SQLite allows one writer at a time; queueing write transactions here turns SQLITE_BUSY into waiting.
  let writeChain: Promise<unknown> = Promise.resolve();
  const asTransaction = (tx?: Tx) => (tx as unknown as Transaction | undefined) ?? null;
  const db: Database = {
    dialect: 'sqlite',
    sequelize,
    get nowMsSql() {
      return shifted(clockSql, clockOffsetMs());
    },
    forUpdate: '',
    async select<T>(sql: string, params: readonly Param[] = [], tx?: Tx) {
      return (await sequelize.query(sql, {
        replacements: params as Param[],
        type: QueryTypes.SELECT,
        transaction: asTransaction(tx),
        raw: true,
      })) as T[];
    },
    async execute(sql: string, params: readonly Param[] = [], tx?: Tx) {
      // Sequelize reports the changed-row count as the second element for its INSERT and UPDATE
      // query types; DDL has no count.
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
        transaction: asTransaction(tx),
      })) as [unknown, unknown];
      return type === QueryTypes.RAW ? 0 : Number(result[1]);
    },
    bulkUpdate(table, key, valueColumns, rows, assignments) {
      const values = valuesTable(key, valueColumns, rows);
      const set = assignments.map(([column, expression]) => `${column} = ${expression}`).join(', ');
      return {
        sql: `UPDATE ${table} AS t SET ${set} FROM (${values.sql}) AS d WHERE t.${key} = d.${key}`,
        params: values.params,
      };
    },
    async run(statements: readonly Statement[], tx?: Tx) {
      const results: StatementResult[] = [];
      for (const st of statements) {
        const verb = st.sql.trimStart().slice(0, 6).toUpperCase();
        results.push(
          verb === 'SELECT'
            ? await db.select(st.sql, st.params, tx)
            : await db.execute(st.sql, st.params, tx),
        );
      }
      return results;
    },
    transaction<T>(fn: (tx: Tx) => Promise<T>) {
      const run = writeChain.then(() =>
        sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, (t) => fn(t as unknown as Tx)),
      );
      writeChain = run.catch(() => undefined);
      return run;
    },
    async nowMs() {
      const rows = await db.select<{ now_ms: number }>(`SELECT ${db.nowMsSql} AS now_ms`);
      return Number(rows[0]?.now_ms);
    },
    close: () => sequelize.close(),
  };
  return db;
}

/** The derived tables' SQL by columns and row count: a ledger batch writes the same shapes again and again. */
const valuesTableSql = new Map<string, string>();

/** The derived table of values for bulkUpdate: SELECT ? AS k, ? AS v … UNION ALL SELECT ?, ? …. */
function valuesTable(
  key: string,
  valueColumns: readonly string[],
  rows: readonly (readonly Param[])[],
): Statement {
  const shape = `${key},${valueColumns.join(',')}/${rows.length}`;
  let sql = valuesTableSql.get(shape);
  if (sql === undefined) {
    const width = valueColumns.length + 1;
    const first = `SELECT ${[key, ...valueColumns].map((c) => `? AS ${c}`).join(', ')}`;
    const rest = `SELECT ${Array.from({ length: width }, () => '?').join(', ')}`;
    sql = rows.map((_, i) => (i === 0 ? first : rest)).join(' UNION ALL ');
    // Bounded: a few tables' columns, times the row counts a batch can have.
    if (valuesTableSql.size < 4_096) valuesTableSql.set(shape, sql);
  }
  return { sql, params: rows.flat() };
}

interface DriverError {
  errno?: number;
  code?: string;
  name?: string;
  parent?: DriverError;
}

/** True for failures a transaction may simply be retried after: deadlocks, lock timeouts, busy SQLite. */
export function isRetryable(error: unknown): boolean {
  const e = error as DriverError;
  const cause = e.parent ?? e;
  return cause.errno === 1213 || cause.errno === 1205 || cause.code === 'SQLITE_BUSY';
}

/** True when the failure is a unique-key violation. */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as DriverError;
  return e.errno === 1062 || e.name === 'SequelizeUniqueConstraintError';
}
