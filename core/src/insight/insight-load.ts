import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type {
  AbsenceRow,
  AccessRow,
  AttendanceRow,
  CardEventRow,
  CodeUseRow,
  HolderRow,
  MerchantRow,
  OperationRow,
  PlaceRow,
  SessionRow,
} from './insight-rows.ts';

/**
 * How rows reach the store: each table's columns declared once (name, DuckDB type, how to read it off
 * the row), staged with DuckDB's appender into a temporary table, then moved in one statement inside
 * a transaction, so a batch lands whole or not at all.
 */

type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER';

export interface Column<T> {
  name: string;
  type: ColumnType;
  get: (row: T) => string | number | null;
}

const col = <T>(name: string, type: ColumnType, get: (row: T) => string | number | null): Column<T> => ({
  name,
  type,
  get,
});

export const operationColumns: Column<OperationRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('kind', 'VARCHAR', (r) => r.kind),
  col('outcome', 'VARCHAR', (r) => r.outcome),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('merchant_id', 'VARCHAR', (r) => r.merchantId),
  col('device_id', 'VARCHAR', (r) => r.deviceId),
  col('amount', 'BIGINT', (r) => r.amount),
  col('subsidy_amount', 'BIGINT', (r) => r.subsidyAmount),
  col('created_day', 'INTEGER', (r) => r.createdDay),
  col('created_at_ms', 'BIGINT', (r) => r.createdAtMs),
];

export const absenceColumns: Column<AbsenceRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('person_no', 'VARCHAR', (r) => r.personNo),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('kind', 'VARCHAR', (r) => r.kind),
  col('off_campus', 'INTEGER', (r) => (r.offCampus ? 1 : 0)),
  col('from_ms', 'BIGINT', (r) => r.fromMs),
  col('to_ms', 'BIGINT', (r) => r.toMs),
  col('decided_at_ms', 'BIGINT', (r) => r.decidedAtMs),
];

export const codeUseColumns: Column<CodeUseRow>[] = [
  col('operation_id', 'VARCHAR', (r) => r.operationId),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('kind', 'VARCHAR', (r) => r.kind),
  col('key_id', 'VARCHAR', (r) => r.keyId),
  col('made_at_s', 'BIGINT', (r) => r.madeAtS),
  col('counter', 'INTEGER', (r) => r.counter),
  col('used_at_ms', 'BIGINT', (r) => r.usedAtMs),
];

export const cardEventColumns: Column<CardEventRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('kind', 'VARCHAR', (r) => r.kind),
  col('from_status', 'VARCHAR', (r) => r.fromStatus),
  col('to_status', 'VARCHAR', (r) => r.toStatus),
  col('actor_type', 'VARCHAR', (r) => r.actorType),
  col('created_at_ms', 'BIGINT', (r) => r.createdAtMs),
];

export const attendanceColumns: Column<AttendanceRow>[] = [
  col('session_id', 'VARCHAR', (r) => r.sessionId),
  col('person_no', 'VARCHAR', (r) => r.personNo),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('device_id', 'VARCHAR', (r) => r.deviceId),
  col('source', 'VARCHAR', (r) => r.source),
  col('recorded_at_ms', 'BIGINT', (r) => r.recordedAtMs),
];

export const accessColumns: Column<AccessRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('device_id', 'VARCHAR', (r) => r.deviceId),
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('person_no', 'VARCHAR', (r) => r.personNo),
  col('direction', 'VARCHAR', (r) => r.direction),
  col('decision', 'VARCHAR', (r) => r.decision),
  col('source', 'VARCHAR', (r) => r.source),
  col('occurred_at_ms', 'BIGINT', (r) => r.occurredAtMs),
  col('created_at_ms', 'BIGINT', (r) => r.createdAtMs),
];

export const sessionColumns: Column<SessionRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('kind', 'VARCHAR', (r) => r.kind),
  col('title', 'VARCHAR', (r) => r.title),
  col('starts_at_ms', 'BIGINT', (r) => r.startsAtMs),
  col('ends_at_ms', 'BIGINT', (r) => r.endsAtMs),
  col('created_at_ms', 'BIGINT', (r) => r.createdAtMs),
];

export const rosterColumns: Column<{ sessionId: string; personNo: string }>[] = [
  col('session_id', 'VARCHAR', (r) => r.sessionId),
  col('person_no', 'VARCHAR', (r) => r.personNo),
];

export const merchantColumns: Column<MerchantRow>[] = [
  col('id', 'VARCHAR', (r) => r.id),
  col('category', 'VARCHAR', (r) => r.category),
];

export const placeColumns: Column<PlaceRow>[] = [
  col('merchant_id', 'VARCHAR', (r) => r.merchantId),
  col('site', 'VARCHAR', (r) => r.site),
  col('x_m', 'INTEGER', (r) => r.xM),
  col('y_m', 'INTEGER', (r) => r.yM),
];

export const holderColumns: Column<HolderRow>[] = [
  col('card_no', 'VARCHAR', (r) => r.cardNo),
  col('person_no', 'VARCHAR', (r) => r.personNo),
  col('type', 'VARCHAR', (r) => r.type),
  col('department', 'VARCHAR', (r) => r.department),
  col('status', 'VARCHAR', (r) => r.status),
  col('enrol_year', 'INTEGER', (r) => r.enrolYear ?? null),
  col('pin_set', 'INTEGER', (r) => (r.pinSet ? 1 : 0)),
];

function appendValue(a: DuckDBAppender, type: ColumnType, value: string | number | null): void {
  if (value === null) a.appendNull();
  else if (type === 'VARCHAR') a.appendVarchar(String(value));
  else if (type === 'INTEGER') a.appendInteger(Number(value));
  else a.appendBigInt(BigInt(value));
}

/** Appends the rows into a fresh temporary table `stage` with the columns given. */
export async function stage<T>(
  con: DuckDBConnection,
  columns: readonly Column<T>[],
  rows: readonly T[],
): Promise<void> {
  await con.run(
    `CREATE OR REPLACE TEMP TABLE stage (${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
  );
  const appender = await con.createAppender('stage');
  for (const row of rows) {
    for (const c of columns) appendValue(appender, c.type, c.get(row));
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * The statements that move staged operations in (with the columns of operationColumns): each row
 * replaces the one with its id, looked for only among the days [lo, hi] the page covers (an id's day
 * never changes, and the rows' time order lets DuckDB skip every other row group), then the rows.
 */
export function replaceOperations(rows: readonly OperationRow[], select: string): string[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.createdDay < lo) lo = r.createdDay;
    if (r.createdDay > hi) hi = r.createdDay;
  }
  return [
    `DELETE FROM operations WHERE created_day BETWEEN ${Math.trunc(lo)} AND ${Math.trunc(hi)}
       AND id IN (SELECT id FROM stage)`,
    `INSERT INTO operations ${select}`,
  ];
}

/** A statement, with its parameters where it has some. */
export type Statement = string | { sql: string; params: DuckDBValue[] };

/** Runs the statements in one transaction, then drops the stage whatever happened. */
export async function commitStage(con: DuckDBConnection, statements: readonly Statement[]): Promise<void> {
  await con.run('BEGIN TRANSACTION');
  try {
    for (const s of statements) await (typeof s === 'string' ? con.run(s) : con.run(s.sql, s.params));
    await con.run('COMMIT');
  } catch (error) {
    await con.run('ROLLBACK');
    throw error;
  } finally {
    await con.run('DROP TABLE IF EXISTS stage');
  }
}
