import type { Database } from '../db/database.ts';
import { dayBoundsMs, shanghaiOffsetMs } from '../time.ts';

/**
 * Sales as settlement counts them (core/src/settlement): payments and settled holds from meters,
 * and another centre's cards at our devices (foreign_sale, docs/federation.md), counted when their
 * amount is above zero; refunds by the day they were made. The foreign sales are also given as a line
 * of their own. The merchant that stands for another centre (what our cards spend at its devices) is
 * not one of our merchants and is left out, as settlement leaves it out. Kept the same here so the
 * reports reconcile with the merchants' statements.
 */
const salesKinds = "('payment', 'post', 'expire', 'foreign_sale')";
const salesFigures = `
  CAST(SUM(CASE WHEN o.kind IN ${salesKinds} AND o.amount > 0 THEN 1 ELSE 0 END) AS SIGNED) AS payment_count,
  CAST(SUM(CASE WHEN o.kind IN ${salesKinds} THEN o.amount ELSE 0 END) AS SIGNED) AS payment_amount,
  CAST(SUM(CASE WHEN o.kind = 'foreign_sale' THEN 1 ELSE 0 END) AS SIGNED) AS foreign_sale_count,
  CAST(SUM(CASE WHEN o.kind = 'foreign_sale' THEN o.amount ELSE 0 END) AS SIGNED) AS foreign_sale_amount,
  CAST(SUM(CASE WHEN o.kind = 'refund' THEN 1 ELSE 0 END) AS SIGNED) AS refund_count,
  CAST(SUM(CASE WHEN o.kind = 'refund' THEN o.amount ELSE 0 END) AS SIGNED) AS refund_amount`;
/** Not a merchant of ours: the one that stands for a federated centre (or no merchant, as for top-ups). */
const notCentreMerchant =
  '(o.merchant_id IS NULL OR o.merchant_id NOT IN (SELECT fc.merchant_id FROM federation_centres fc))';
const salesWhere = `o.outcome = 'ok' AND o.merchant_id IS NOT NULL
  AND o.kind IN ('payment', 'post', 'expire', 'foreign_sale', 'refund')
  AND o.created_day >= ? AND o.created_day <= ? AND ${notCentreMerchant}`;

export type Row = Record<string, unknown>;

/** Narrows sales to one campus's merchants (docs/campuses.md): the clause and its parameters. */
function campusClause(campusId: string | undefined): [string, string[]] {
  return campusId === undefined
    ? ['', []]
    : [' AND o.merchant_id IN (SELECT cm.id FROM merchants cm WHERE cm.campus_id = ?)', [campusId]];
}
const minuteMs = 60_000;
const hourMs = 3_600_000;

/** Read-only queries behind the reports; every range is [fromDay, toDay] in Asia/Shanghai days. */
export class ReportRepository {
  constructor(private readonly db: Database) {}

  turnoverByDay(fromDay: number, toDay: number, campusId?: string): Promise<Row[]> {
    const [campus, campusParams] = campusClause(campusId);
    return this.db.select(
      `SELECT o.created_day, ${salesFigures} FROM operations o WHERE ${salesWhere}${campus}
        GROUP BY o.created_day ORDER BY o.created_day`,
      [fromDay, toDay, ...campusParams],
    );
  }

  turnoverByMerchant(fromDay: number, toDay: number, campusId?: string): Promise<Row[]> {
    const [campus, campusParams] = campusClause(campusId);
    return this.db.select(
      `SELECT o.merchant_id, m.name, m.category, ${salesFigures} FROM operations o JOIN merchants m ON m.id = o.merchant_id
        WHERE ${salesWhere}${campus} GROUP BY o.merchant_id, m.name, m.category ORDER BY o.merchant_id`,
      [fromDay, toDay, ...campusParams],
    );
  }

  turnoverByCategory(fromDay: number, toDay: number, campusId?: string): Promise<Row[]> {
    const [campus, campusParams] = campusClause(campusId);
    return this.db.select(
      `SELECT m.category, ${salesFigures} FROM operations o JOIN merchants m ON m.id = o.merchant_id
        WHERE ${salesWhere}${campus} GROUP BY m.category ORDER BY m.category`,
      [fromDay, toDay, ...campusParams],
    );
  }

  /** Sales per merchant campus (campus_id NULL: centre-wide merchants), with the campus's name. */
  turnoverByCampus(fromDay: number, toDay: number): Promise<Row[]> {
    return this.db.select(
      `SELECT m.campus_id, c.name AS campus_name, ${salesFigures}
         FROM operations o JOIN merchants m ON m.id = o.merchant_id LEFT JOIN campuses c ON c.id = m.campus_id
        WHERE ${salesWhere} GROUP BY m.campus_id, c.name ORDER BY c.name`,
      [fromDay, toDay],
    );
  }

  /** Top-ups by the system account they came from (the journal's debit side names the channel). */
  topUpsByAccount(fromDay: number, toDay: number): Promise<Row[]> {
    return this.db.select(
      `SELECT t.debit_account_id AS account_id, COUNT(*) AS n, CAST(SUM(t.amount) AS SIGNED) AS amount
         FROM transfers t JOIN operations o ON o.id = t.operation_id
        WHERE t.created_at_ms >= ? AND t.created_at_ms < ? AND o.kind = 'top_up' AND t.pending = 0
        GROUP BY t.debit_account_id`,
      [dayBoundsMs(fromDay).startMs, dayBoundsMs(toDay).endMs],
    );
  }

  /**
   * Sales and top-ups per minute (the minute's start, epoch ms) since `sinceMs`, for the live
   * dashboard; `sinceDay` (the day of sinceMs) lets the (created_day, kind) index do the narrowing.
   */
  perMinute(sinceMs: number, sinceDay: number, campusId?: string): Promise<Row[]> {
    const minute = `(o.created_at_ms - o.created_at_ms % ${minuteMs})`;
    const [campus, campusParams] = campusClause(campusId);
    return this.db.select(
      `SELECT ${minute} AS minute_ms,
          CAST(SUM(CASE WHEN o.kind IN ${salesKinds} AND o.amount > 0 THEN 1 ELSE 0 END) AS SIGNED) AS payment_count,
          CAST(SUM(CASE WHEN o.kind IN ${salesKinds} THEN o.amount ELSE 0 END) AS SIGNED) AS payment_amount,
          CAST(SUM(CASE WHEN o.kind = 'top_up' THEN 1 ELSE 0 END) AS SIGNED) AS top_up_count,
          CAST(SUM(CASE WHEN o.kind = 'top_up' THEN o.amount ELSE 0 END) AS SIGNED) AS top_up_amount
        FROM operations o
        WHERE o.outcome = 'ok' AND o.created_day >= ? AND o.created_at_ms >= ?
          AND o.kind IN ('payment', 'post', 'expire', 'foreign_sale', 'top_up') AND ${notCentreMerchant}${campus}
        GROUP BY ${minute}`,
      [sinceDay, sinceMs, ...campusParams],
    );
  }

  /** Sales per Asia/Shanghai hour (the hour's start, epoch ms) — the caller folds them by weekday. */
  salesByHour(fromDay: number, toDay: number, campusId?: string): Promise<Row[]> {
    const local = `(o.created_at_ms + ${shanghaiOffsetMs})`;
    const hour = `(${local} - ${local} % ${hourMs})`;
    const [campus, campusParams] = campusClause(campusId);
    return this.db.select(
      `SELECT ${hour} AS hour_local_ms, COUNT(*) AS n, CAST(SUM(o.amount) AS SIGNED) AS amount FROM operations o
        WHERE o.outcome = 'ok' AND o.kind IN ${salesKinds} AND o.amount > 0 AND o.created_day >= ? AND o.created_day <= ?
          AND ${notCentreMerchant}${campus}
        GROUP BY ${hour}`,
      [fromDay, toDay, ...campusParams],
    );
  }

  deviceUsage(fromDay: number, toDay: number): Promise<Row[]> {
    return this.db.select(
      `SELECT o.device_id, d.kind AS device_kind, d.merchant_id, COUNT(*) AS operation_count,
              CAST(SUM(CASE WHEN o.outcome = 'ok' THEN 1 ELSE 0 END) AS SIGNED) AS accepted_count,
              CAST(SUM(CASE WHEN o.outcome = 'ok' AND o.kind = 'payment' THEN o.amount ELSE 0 END) AS SIGNED) AS payment_amount,
              MAX(o.created_at_ms) AS last_at_ms
         FROM operations o LEFT JOIN devices d ON d.id = o.device_id
        WHERE o.device_id IS NOT NULL AND o.created_day >= ? AND o.created_day <= ?
        GROUP BY o.device_id, d.kind, d.merchant_id ORDER BY COUNT(*) DESC, o.device_id`,
      [fromDay, toDay],
    );
  }

  /** Sessions that started in the range with their roster, the roster's sign-ins, and all sign-ins. */
  attendance(fromDay: number, toDay: number, sessionsMax: number): Promise<Row[]> {
    return this.db.select(
      `SELECT s.id, s.kind, s.title, s.starts_at_ms, ss.term, ss.course_code,
              (SELECT COUNT(*) FROM attendance_roster r WHERE r.session_id = s.id) AS roster_count,
              (SELECT COUNT(*) FROM attendance_records a JOIN attendance_roster r
                  ON r.session_id = a.session_id AND r.person_no = a.person_no WHERE a.session_id = s.id) AS present_count,
              (SELECT COUNT(*) FROM attendance_records a WHERE a.session_id = s.id) AS record_count
         FROM attendance_sessions s LEFT JOIN sync_sessions ss ON ss.session_id = s.id
        WHERE s.starts_at_ms >= ? AND s.starts_at_ms < ? ORDER BY s.starts_at_ms, s.id LIMIT ?`,
      [dayBoundsMs(fromDay).startMs, dayBoundsMs(toDay).endMs, sessionsMax],
    );
  }
}
