import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance, listValue } from '@duckdb/node-api';
import type { PaymentPoint } from './abnormal-spending.ts';
import type { SlotCount } from './canteen-load.ts';

/**
 * The analytical store: an embedded DuckDB file apart from the ledger's database, so a heavy
 * analysis never holds a lock or a connection the payments need. Every DuckDB statement lives in
 * this file. It is a copy of the ledger, never its source of truth: it is fed by the extract
 * (extract-service.ts) and reconciled to the ledger's daily totals.
 *
 * Times are stored as epoch ms UTC (`*_ms`) and as TIMESTAMPTZ (`ts`); the session's time zone is
 * Asia/Shanghai, so `ts::DATE`, `hour(ts)` and `strftime(ts, '%Y-%m')` cut days and months there.
 * Money is BIGINT fen. No names, ID numbers or phones are copied: a card is its number, a person
 * their person number, department and type.
 *
 * One process owns a DuckDB file (it locks it): exactly one core instance may set INSIGHT_DB_PATH.
 */

export type Source = 'operations' | 'card_events' | 'attendance' | 'access' | 'sessions';

/** An operation as the extract copies it (the ledger's operations table, without request/answer texts). */
export interface OperationRow {
  id: string;
  kind: string;
  outcome: string;
  cardNo: string | null;
  merchantId: string | null;
  deviceId: string | null;
  amount: number;
  subsidyAmount: number;
  createdDay: number;
  createdAtMs: number;
}

export interface CardEventRow {
  id: string;
  cardNo: string;
  kind: string;
  fromStatus: string | null;
  toStatus: string;
  actorType: string;
  createdAtMs: number;
}

export interface AttendanceRow {
  sessionId: string;
  personNo: string;
  cardNo: string;
  deviceId: string;
  source: string;
  recordedAtMs: number;
}

export interface AccessRow {
  id: string;
  deviceId: string;
  cardNo: string | null;
  personNo: string | null;
  direction: string;
  decision: string;
  source: string;
  occurredAtMs: number;
  createdAtMs: number;
}

/** A class, meeting or exam session with its roster (who was expected), for attendance warnings. */
export interface SessionRow {
  id: string;
  kind: string;
  title: string;
  startsAtMs: number;
  endsAtMs: number;
  createdAtMs: number;
  roster: string[];
}

/** One rostered person at one ended class session, and whether they signed in. */
export interface RosterFact {
  sessionId: string;
  title: string;
  startsAtMs: number;
  personNo: string;
  attended: boolean;
}

export interface MerchantRow {
  id: string;
  category: string;
}

/** Where a merchant's terminals stand (the ledger's insight_places): a site and metres on a grid. */
export interface PlaceRow {
  merchantId: string;
  site: string;
  xM: number;
  yM: number;
}

/** A card with the few facts about its holder analysis needs (the cohort: type and department). */
export interface HolderRow {
  cardNo: string;
  personNo: string;
  type: string;
  department: string | null;
  status: string;
}

export interface Watermark {
  afterMs: number;
  afterId: string;
  behind: boolean;
}

/** Count and amount of one operation kind on one Asia/Shanghai day (day number, time.ts). */
export interface DayKindTotal {
  day: number;
  kind: string;
  count: number;
  amount: number;
}

/** One card's figures for one month, the hidden-need detector's input (hidden-need.ts). */
export interface MonthFigures {
  cardNo: string;
  department: string | null;
  month: string;
  campusDays: number;
  meals: number;
  mealSpend: number;
  otherSpend: number;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS operations (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, outcome VARCHAR NOT NULL,
     card_no VARCHAR, merchant_id VARCHAR, device_id VARCHAR, amount BIGINT NOT NULL, subsidy_amount BIGINT NOT NULL,
     created_day INTEGER NOT NULL, created_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_events (id VARCHAR PRIMARY KEY, card_no VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     from_status VARCHAR, to_status VARCHAR NOT NULL, actor_type VARCHAR NOT NULL, created_at_ms BIGINT NOT NULL,
     ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS attendance (session_id VARCHAR NOT NULL, person_no VARCHAR NOT NULL, card_no VARCHAR NOT NULL,
     device_id VARCHAR NOT NULL, source VARCHAR NOT NULL, recorded_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (session_id, person_no))`,
  `CREATE TABLE IF NOT EXISTS access (id VARCHAR PRIMARY KEY, device_id VARCHAR NOT NULL, card_no VARCHAR, person_no VARCHAR,
     direction VARCHAR NOT NULL, decision VARCHAR NOT NULL, source VARCHAR NOT NULL, occurred_at_ms BIGINT NOT NULL,
     created_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sessions (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, title VARCHAR NOT NULL,
     starts_at_ms BIGINT NOT NULL, ends_at_ms BIGINT NOT NULL, created_at_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS roster (session_id VARCHAR NOT NULL, person_no VARCHAR NOT NULL,
     PRIMARY KEY (session_id, person_no))`,
  'CREATE TABLE IF NOT EXISTS merchants (id VARCHAR PRIMARY KEY, category VARCHAR NOT NULL)',
  `CREATE TABLE IF NOT EXISTS places (merchant_id VARCHAR PRIMARY KEY, site VARCHAR NOT NULL, x_m INTEGER NOT NULL,
     y_m INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS holders (card_no VARCHAR PRIMARY KEY, person_no VARCHAR NOT NULL, type VARCHAR NOT NULL,
     department VARCHAR, status VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS watermarks (source VARCHAR PRIMARY KEY, after_ms BIGINT NOT NULL, after_id VARCHAR NOT NULL,
     behind BOOLEAN NOT NULL, rows_total BIGINT NOT NULL, run_at_ms BIGINT NOT NULL)`,
];

/** TIMESTAMPTZ of an epoch-ms column: epoch_ms gives a naive UTC timestamp, read as UTC here. */
const tsOf = (column: string) => `epoch_ms(${column}) AT TIME ZONE 'UTC'`;

/** A meal is a canteen payment's (day, sitting): several dishes at one sitting are one meal. */
const sitting = `CASE WHEN hour(o.ts) < 10 THEN 'b' WHEN hour(o.ts) < 15 THEN 'l' WHEN hour(o.ts) < 21 THEN 'd' ELSE 'n' END`;

export interface InsightStoreOptions {
  /** A file path, or ':memory:' (tests and the evaluation). */
  path: string;
  /** DuckDB's buffer limit; the process uses some hundreds of MB more (docs/analytics.md). */
  memoryLimit?: string;
  threads?: number;
}

export class InsightStore {
  /**
   * Two connections: the extract writes through `con` (with transactions of its own); the
   * backoffice's queries read through `reader`, so a query never lands inside a load's transaction.
   */
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  static async open(options: InsightStoreOptions): Promise<InsightStore> {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const instance = await DuckDBInstance.create(options.path, {
      memory_limit: options.memoryLimit ?? '1GB',
      threads: String(options.threads ?? 2),
    });
    const con = await instance.connect();
    const reader = await instance.connect();
    for (const c of [con, reader]) await c.run("SET TimeZone = 'Asia/Shanghai'");
    for (const statement of schema) await con.run(statement);
    return new InsightStore(instance, con, reader);
  }

  close(): void {
    this.reader.closeSync();
    this.con.closeSync();
    this.instance.closeSync();
  }

  /**
   * Where a source's copy stands: the last row copied (its time and key), and whether the run that
   * copied it stopped at its page limit with more to read.
   */
  async watermark(source: Source): Promise<Watermark | undefined> {
    const rows = await this.select(
      'SELECT after_ms::DOUBLE AS after_ms, after_id, behind FROM watermarks WHERE source = $1',
      [source],
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { afterMs: Number(r.after_ms), afterId: String(r.after_id), behind: r.behind === true };
  }

  async setWatermark(source: Source, mark: Watermark, rows: number, runAtMs: number): Promise<void> {
    await this.con.run(
      `INSERT INTO watermarks VALUES ($1, $2::BIGINT, $3, $4, $5::BIGINT, $6::BIGINT)
       ON CONFLICT (source) DO UPDATE SET after_ms = excluded.after_ms, after_id = excluded.after_id,
         behind = excluded.behind, rows_total = watermarks.rows_total + excluded.rows_total, run_at_ms = excluded.run_at_ms`,
      [source, mark.afterMs, mark.afterId, mark.behind, rows, runAtMs],
    );
  }

  async watermarks(): Promise<{ source: string; afterMs: number; rowsTotal: number; runAtMs: number }[]> {
    const rows = await this.select(
      'SELECT source, after_ms::DOUBLE a, rows_total::DOUBLE n, run_at_ms::DOUBLE r FROM watermarks ORDER BY source',
    );
    return rows.map((r) => ({
      source: String(r.source),
      afterMs: Number(r.a),
      rowsTotal: Number(r.n),
      runAtMs: Number(r.r),
    }));
  }

  /** Inserts or replaces operations by id: a row read twice (the overlap window) is stored once. */
  async putOperations(rows: readonly OperationRow[]): Promise<void> {
    await this.upsert(
      'operations',
      `id VARCHAR, kind VARCHAR, outcome VARCHAR, card_no VARCHAR, merchant_id VARCHAR, device_id VARCHAR,
       amount BIGINT, subsidy_amount BIGINT, created_day INTEGER, created_at_ms BIGINT`,
      rows,
      (a, r) => {
        a.appendVarchar(r.id);
        a.appendVarchar(r.kind);
        a.appendVarchar(r.outcome);
        varcharOrNull(a, r.cardNo);
        varcharOrNull(a, r.merchantId);
        varcharOrNull(a, r.deviceId);
        a.appendBigInt(BigInt(r.amount));
        a.appendBigInt(BigInt(r.subsidyAmount));
        a.appendInteger(r.createdDay);
        a.appendBigInt(BigInt(r.createdAtMs));
      },
      `SELECT *, ${tsOf('created_at_ms')} FROM stage`,
    );
  }

  async putCardEvents(rows: readonly CardEventRow[]): Promise<void> {
    await this.upsert(
      'card_events',
      'id VARCHAR, card_no VARCHAR, kind VARCHAR, from_status VARCHAR, to_status VARCHAR, actor_type VARCHAR, created_at_ms BIGINT',
      rows,
      (a, r) => {
        a.appendVarchar(r.id);
        a.appendVarchar(r.cardNo);
        a.appendVarchar(r.kind);
        varcharOrNull(a, r.fromStatus);
        a.appendVarchar(r.toStatus);
        a.appendVarchar(r.actorType);
        a.appendBigInt(BigInt(r.createdAtMs));
      },
      `SELECT *, ${tsOf('created_at_ms')} FROM stage`,
    );
  }

  async putAttendance(rows: readonly AttendanceRow[]): Promise<void> {
    await this.upsert(
      'attendance',
      'session_id VARCHAR, person_no VARCHAR, card_no VARCHAR, device_id VARCHAR, source VARCHAR, recorded_at_ms BIGINT',
      rows,
      (a, r) => {
        a.appendVarchar(r.sessionId);
        a.appendVarchar(r.personNo);
        a.appendVarchar(r.cardNo);
        a.appendVarchar(r.deviceId);
        a.appendVarchar(r.source);
        a.appendBigInt(BigInt(r.recordedAtMs));
      },
      `SELECT *, ${tsOf('recorded_at_ms')} FROM stage`,
    );
  }

  async putAccess(rows: readonly AccessRow[]): Promise<void> {
    await this.upsert(
      'access',
      `id VARCHAR, device_id VARCHAR, card_no VARCHAR, person_no VARCHAR, direction VARCHAR, decision VARCHAR,
       source VARCHAR, occurred_at_ms BIGINT, created_at_ms BIGINT`,
      rows,
      (a, r) => {
        a.appendVarchar(r.id);
        a.appendVarchar(r.deviceId);
        varcharOrNull(a, r.cardNo);
        varcharOrNull(a, r.personNo);
        a.appendVarchar(r.direction);
        a.appendVarchar(r.decision);
        a.appendVarchar(r.source);
        a.appendBigInt(BigInt(r.occurredAtMs));
        a.appendBigInt(BigInt(r.createdAtMs));
      },
      `SELECT *, ${tsOf('occurred_at_ms')} FROM stage`,
    );
  }

  /** Sessions by id with their rosters; a session read again has its roster replaced whole. */
  async putSessions(rows: readonly SessionRow[]): Promise<void> {
    await this.upsert(
      'sessions',
      'id VARCHAR, kind VARCHAR, title VARCHAR, starts_at_ms BIGINT, ends_at_ms BIGINT, created_at_ms BIGINT',
      rows,
      (a, r) => {
        a.appendVarchar(r.id);
        a.appendVarchar(r.kind);
        a.appendVarchar(r.title);
        a.appendBigInt(BigInt(r.startsAtMs));
        a.appendBigInt(BigInt(r.endsAtMs));
        a.appendBigInt(BigInt(r.createdAtMs));
      },
      'SELECT * FROM stage',
    );
    if (rows.length === 0) return;
    await this.con.run('CREATE OR REPLACE TEMP TABLE stage (session_id VARCHAR, person_no VARCHAR)');
    const appender = await this.con.createAppender('stage');
    for (const r of rows)
      for (const personNo of r.roster) {
        appender.appendVarchar(r.id);
        appender.appendVarchar(personNo);
        appender.endRow();
      }
    appender.closeSync();
    await this.con.run('BEGIN TRANSACTION');
    try {
      await this.con.run('DELETE FROM roster WHERE session_id IN (SELECT unnest($1::VARCHAR[]))', [
        listValue(rows.map((r) => r.id)),
      ]);
      await this.con.run('INSERT OR REPLACE INTO roster SELECT * FROM stage');
      await this.con.run('COMMIT');
    } catch (error) {
      await this.con.run('ROLLBACK');
      throw error;
    } finally {
      await this.con.run('DROP TABLE IF EXISTS stage');
    }
  }

  /**
   * Each rostered person at each class session that ended in [fromMs, toMs), and whether they signed
   * in: the attendance warnings' input (attendance-warnings.ts).
   */
  async rosterFacts(fromMs: number, toMs: number): Promise<RosterFact[]> {
    const rows = await this.select(
      `SELECT s.id, s.title, s.starts_at_ms::DOUBLE starts, r.person_no, a.person_no IS NOT NULL attended
         FROM sessions s JOIN roster r ON r.session_id = s.id
         LEFT JOIN attendance a ON a.session_id = s.id AND a.person_no = r.person_no
        WHERE s.kind = 'class' AND s.ends_at_ms >= $1::BIGINT AND s.ends_at_ms < $2::BIGINT
        ORDER BY s.starts_at_ms, s.id, r.person_no`,
      [fromMs, toMs],
    );
    return rows.map((r) => ({
      sessionId: String(r.id),
      title: String(r.title),
      startsAtMs: Number(r.starts),
      personNo: String(r.person_no),
      attended: r.attended === true,
    }));
  }

  /**
   * Each student's last sign of life before toMs and after fromMs (a payment, a sign-in, an allowed
   * gate pass), with their card and department.
   */
  async lastSeen(
    fromMs: number,
    toMs: number,
  ): Promise<{ personNo: string; cardNo: string; department: string | null; lastMs: number | null }[]> {
    const rows = await this.select(
      `WITH seen AS (
          SELECT card_no, created_at_ms at_ms FROM operations
           WHERE outcome = 'ok' AND kind = 'payment' AND card_no IS NOT NULL AND created_at_ms >= $1::BIGINT AND created_at_ms < $2::BIGINT
          UNION ALL SELECT card_no, recorded_at_ms FROM attendance WHERE recorded_at_ms >= $1::BIGINT AND recorded_at_ms < $2::BIGINT
          UNION ALL SELECT card_no, occurred_at_ms FROM access
           WHERE decision = 'allow' AND card_no IS NOT NULL AND occurred_at_ms >= $1::BIGINT AND occurred_at_ms < $2::BIGINT)
       SELECT h.person_no, h.card_no, h.department, max(s.at_ms)::DOUBLE last_ms
         FROM holders h LEFT JOIN seen s ON s.card_no = h.card_no
        WHERE h.type = 'student' GROUP BY ALL ORDER BY h.person_no`,
      [fromMs, toMs],
    );
    return rows.map((r) => ({
      personNo: String(r.person_no),
      cardNo: String(r.card_no),
      department: r.department === null ? null : String(r.department),
      lastMs: r.last_ms === null ? null : Number(r.last_ms),
    }));
  }

  /**
   * Accepted canteen payments per window (the terminal, or the canteen where the terminal is not
   * known), Asia/Shanghai day number and 15-minute slot in [fromMs, toMs): canteen-load.ts's input.
   */
  async slotCounts(fromMs: number, toMs: number): Promise<SlotCount[]> {
    const rows = await this.select(
      `SELECT coalesce(o.device_id, o.merchant_id) w, o.created_day d,
              ((hour(o.ts) * 60 + minute(o.ts)) // 15)::INTEGER slot, count(*)::DOUBLE n
         FROM operations o JOIN merchants m ON m.id = o.merchant_id AND m.category = 'canteen'
        WHERE o.outcome = 'ok' AND o.kind = 'payment' AND o.created_at_ms >= $1::BIGINT AND o.created_at_ms < $2::BIGINT
        GROUP BY ALL ORDER BY 1, 2, 3`,
      [fromMs, toMs],
    );
    return rows.map((r) => ({
      window: String(r.w),
      day: Number(r.d),
      slot: Number(r.slot),
      count: Number(r.n),
    }));
  }

  /** The merchants' categories, replaced whole (a few hundred rows). */
  async replaceMerchants(rows: readonly MerchantRow[]): Promise<void> {
    await this.replaceAll('merchants', 'id VARCHAR, category VARCHAR', rows, (a, r) => {
      a.appendVarchar(r.id);
      a.appendVarchar(r.category);
    });
  }

  /** The merchants' positions, replaced whole (set by the card centre, a few hundred rows). */
  async replacePlaces(rows: readonly PlaceRow[]): Promise<void> {
    await this.replaceAll(
      'places',
      'merchant_id VARCHAR, site VARCHAR, x_m INTEGER, y_m INTEGER',
      rows,
      (a, r) => {
        a.appendVarchar(r.merchantId);
        a.appendVarchar(r.site);
        a.appendInteger(r.xM);
        a.appendInteger(r.yM);
      },
    );
  }

  /**
   * Accepted payments with a merchant in [fromMs, toMs), with the merchant's position where one is
   * set: the abnormal-spending detector's input (abnormal-spending.ts).
   */
  async paymentPoints(fromMs: number, toMs: number): Promise<PaymentPoint[]> {
    const rows = await this.select(
      `SELECT o.id, o.card_no, o.created_at_ms::DOUBLE at_ms, o.merchant_id, o.amount::DOUBLE amount, p.x_m, p.y_m
         FROM operations o LEFT JOIN places p ON p.merchant_id = o.merchant_id
        WHERE o.outcome = 'ok' AND o.kind = 'payment' AND o.card_no IS NOT NULL AND o.merchant_id IS NOT NULL
          AND o.created_at_ms >= $1::BIGINT AND o.created_at_ms < $2::BIGINT
        ORDER BY o.card_no, o.created_at_ms, o.id`,
      [fromMs, toMs],
    );
    return rows.map((r) => ({
      id: String(r.id),
      cardNo: String(r.card_no),
      atMs: Number(r.at_ms),
      merchantId: String(r.merchant_id),
      amount: Number(r.amount),
      xM: r.x_m === null ? null : Number(r.x_m),
      yM: r.y_m === null ? null : Number(r.y_m),
    }));
  }

  /** One card's holder as last copied, or undefined for a card the store does not know. */
  async holder(cardNo: string): Promise<HolderRow | undefined> {
    const [row] = await this.select(
      'SELECT card_no, person_no, type, department, status FROM holders WHERE card_no = $1',
      [cardNo],
    );
    if (row === undefined) return undefined;
    return {
      cardNo: String(row.card_no),
      personNo: String(row.person_no),
      type: String(row.type),
      department: row.department === null ? null : String(row.department),
      status: String(row.status),
    };
  }

  /** The cards' holders (type, department), replaced whole: people change department, cards change status. */
  async replaceHolders(rows: readonly HolderRow[]): Promise<void> {
    await this.replaceAll(
      'holders',
      'card_no VARCHAR, person_no VARCHAR, type VARCHAR, department VARCHAR, status VARCHAR',
      rows,
      (a, r) => {
        a.appendVarchar(r.cardNo);
        a.appendVarchar(r.personNo);
        a.appendVarchar(r.type);
        varcharOrNull(a, r.department);
        a.appendVarchar(r.status);
      },
    );
  }

  /** Accepted operations per day and kind over [fromDay, toDay], the figures reconciled to the ledger's. */
  async totalsByDayKind(fromDay: number, toDay: number): Promise<DayKindTotal[]> {
    const rows = await this.select(
      `SELECT created_day::INTEGER d, kind, count(*)::DOUBLE n, sum(amount)::DOUBLE amount FROM operations
        WHERE outcome = 'ok' AND created_day BETWEEN $1 AND $2 GROUP BY created_day, kind ORDER BY 1, 2`,
      [fromDay, toDay],
    );
    return rows.map((r) => ({
      day: Number(r.d),
      kind: String(r.kind),
      count: Number(r.n),
      amount: Number(r.amount),
    }));
  }

  async count(table: 'operations' | 'card_events' | 'attendance' | 'access'): Promise<number> {
    const rows = await this.select(`SELECT count(*)::DOUBLE n FROM ${table}`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Deletes every copied row older than beforeMs (the retention setting), sessions by their end with
   * their rosters; the holders and merchants are replaced whole on each run anyway. Answers the rows
   * deleted.
   */
  async prune(beforeMs: number): Promise<number> {
    let deleted = 0;
    const statements = [
      'DELETE FROM operations WHERE created_at_ms < $1::BIGINT',
      'DELETE FROM card_events WHERE created_at_ms < $1::BIGINT',
      'DELETE FROM attendance WHERE recorded_at_ms < $1::BIGINT',
      'DELETE FROM access WHERE occurred_at_ms < $1::BIGINT',
      'DELETE FROM roster WHERE session_id IN (SELECT id FROM sessions WHERE ends_at_ms < $1::BIGINT)',
      'DELETE FROM sessions WHERE ends_at_ms < $1::BIGINT',
    ];
    for (const statement of statements) {
      const result = await this.con.run(statement, [beforeMs]);
      deleted += Number(result.rowsChanged);
    }
    return deleted;
  }

  /** Removes one extracted operation (the reconciliation test's way of losing a row). */
  async deleteOperation(id: string): Promise<void> {
    await this.con.run('DELETE FROM operations WHERE id = $1', [id]);
  }

  /**
   * Each student card's figures per month in [fromMonth, toMonth] ('YYYY-MM', Asia/Shanghai):
   * days on campus (a day with any accepted payment, an attendance sign-in or an allowed access),
   * meals (canteen sittings with an accepted payment), their spend and other spending. With cardNo,
   * that one card's only.
   */
  async monthFigures(fromMonth: string, toMonth: string, cardNo?: string): Promise<MonthFigures[]> {
    const rows = await this.select(
      `WITH pay AS (
          SELECT o.card_no, o.ts, o.amount, coalesce(m.category, 'other') category FROM operations o
            LEFT JOIN merchants m ON m.id = o.merchant_id
           WHERE o.outcome = 'ok' AND o.kind IN ('payment', 'post', 'expire') AND o.amount > 0 AND o.card_no IS NOT NULL),
        presence AS (
          SELECT card_no, ts FROM pay
          UNION ALL SELECT card_no, ts FROM attendance
          UNION ALL SELECT card_no, ts FROM access WHERE decision = 'allow' AND card_no IS NOT NULL),
        days AS (
          SELECT card_no, strftime(ts, '%Y-%m') month_key, count(DISTINCT ts::DATE) campus_days FROM presence
           GROUP BY ALL),
        meals AS (
          SELECT o.card_no, strftime(o.ts, '%Y-%m') month_key,
                 count(DISTINCT (o.ts::DATE, ${sitting})) meals,
                 sum(o.amount) meal_spend FROM pay o WHERE o.category = 'canteen' GROUP BY ALL),
        other AS (
          SELECT card_no, strftime(ts, '%Y-%m') month_key, sum(amount) other_spend FROM pay
           WHERE category <> 'canteen' GROUP BY ALL)
       SELECT d.card_no, h.department, d.month_key, d.campus_days::INTEGER campus_days,
              coalesce(m.meals, 0)::INTEGER meals, coalesce(m.meal_spend, 0)::DOUBLE meal_spend,
              coalesce(x.other_spend, 0)::DOUBLE other_spend
         FROM days d JOIN holders h ON h.card_no = d.card_no AND h.type = 'student'
         LEFT JOIN meals m ON m.card_no = d.card_no AND m.month_key = d.month_key
         LEFT JOIN other x ON x.card_no = d.card_no AND x.month_key = d.month_key
        WHERE d.month_key BETWEEN $1 AND $2 ${cardNo === undefined ? '' : 'AND d.card_no = $3'}
        ORDER BY d.month_key, d.card_no`,
      cardNo === undefined ? [fromMonth, toMonth] : [fromMonth, toMonth, cardNo],
    );
    return rows.map((r) => ({
      cardNo: String(r.card_no),
      department: r.department === null ? null : String(r.department),
      month: String(r.month_key),
      campusDays: Number(r.campus_days),
      meals: Number(r.meals),
      mealSpend: Number(r.meal_spend),
      otherSpend: Number(r.other_spend),
    }));
  }

  /**
   * Writes a Parquet snapshot of each extracted table into dir (`<table>.parquet`, zstd), for other
   * processes (the DuckDB file itself is locked by this one) and for archives.
   */
  async exportParquet(dir: string): Promise<string[]> {
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const table of [
      'operations',
      'card_events',
      'attendance',
      'access',
      'merchants',
      'places',
      'holders',
    ]) {
      const file = `${dir}/${table}.parquet`;
      await this.con.run(
        `COPY ${table} TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      );
      files.push(file);
    }
    return files;
  }

  /** Rows of a query over a Parquet file (tests read a snapshot back with it). */
  async readParquetCount(file: string): Promise<number> {
    const rows = await this.select(
      `SELECT count(*)::DOUBLE n FROM read_parquet('${file.replaceAll("'", "''")}')`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async select(sql: string, params: (string | number)[] = []): Promise<Record<string, unknown>[]> {
    const result = await this.reader.runAndReadAll(sql, params);
    return result.getRowObjectsJS() as Record<string, unknown>[];
  }

  /**
   * Loads rows into a temporary stage with the appender, then INSERT OR REPLACE from it in one
   * statement, so a batch lands whole or not at all.
   */
  private async upsert<T>(
    table: string,
    stageColumns: string,
    rows: readonly T[],
    append: (a: DuckDBAppender, row: T) => void,
    select: string,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.con.run(`CREATE OR REPLACE TEMP TABLE stage (${stageColumns})`);
    const appender = await this.con.createAppender('stage');
    for (const row of rows) {
      append(appender, row);
      appender.endRow();
    }
    appender.closeSync();
    await this.con.run('BEGIN TRANSACTION');
    try {
      await this.con.run(`INSERT OR REPLACE INTO ${table} ${select}`);
      await this.con.run('COMMIT');
    } catch (error) {
      await this.con.run('ROLLBACK');
      throw error;
    } finally {
      await this.con.run('DROP TABLE IF EXISTS stage');
    }
  }

  private async replaceAll<T>(
    table: string,
    stageColumns: string,
    rows: readonly T[],
    append: (a: DuckDBAppender, row: T) => void,
  ): Promise<void> {
    await this.con.run(`CREATE OR REPLACE TEMP TABLE stage (${stageColumns})`);
    const appender = await this.con.createAppender('stage');
    for (const row of rows) {
      append(appender, row);
      appender.endRow();
    }
    appender.closeSync();
    await this.con.run('BEGIN TRANSACTION');
    try {
      await this.con.run(`DELETE FROM ${table}`);
      await this.con.run(`INSERT INTO ${table} SELECT * FROM stage`);
      await this.con.run('COMMIT');
    } catch (error) {
      await this.con.run('ROLLBACK');
      throw error;
    } finally {
      await this.con.run('DROP TABLE IF EXISTS stage');
    }
  }
}

function varcharOrNull(a: DuckDBAppender, value: string | null): void {
  if (value === null) a.appendNull();
  else a.appendVarchar(value);
}
