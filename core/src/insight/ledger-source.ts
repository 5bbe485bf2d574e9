import { AbsenceRepository } from '../absences/absence-repository.ts';
import type { Database } from '../db/database.ts';
import { shanghaiDay } from '../time.ts';
import type { LateReturn } from './attendance-warnings.ts';
import type {
  AbsenceRow,
  AccessRow,
  AttendanceRow,
  CardEventRow,
  CodeUseRow,
  DayKindTotal,
  HolderRow,
  MerchantRow,
  OperationRow,
  PlaceRow,
  SessionRow,
} from './insight-store.ts';

/**
 * What the extract reads from the ledger's database: SELECTs only, never a write, and every read a
 * bounded page in key order (time, id), so one run never holds a long read on the tables payments
 * write. Personal data stays behind: no names, ID numbers, phones or free-text reasons.
 */

/** Where a page starts: after the row (atMs, id), or at atMs when id is ''. */
export interface Cursor {
  atMs: number;
  id: string;
}

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const str = (v: unknown) => String(v);
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * What a code's identity says: `qr:<card>:<madeAt s>:<counter>:<phone key fingerprint>` gives the
 * phone key, the second and the counter; `num:…` (a numeric code, from the card's secret) none.
 */
export function codeParts(codeId: string): Pick<CodeUseRow, 'kind' | 'keyId' | 'madeAtS' | 'counter'> {
  const [kind, , madeAt, counter, keyId] = codeId.split(':');
  if (kind === 'qr' && keyId !== undefined && /^\d+$/.test(madeAt ?? '') && /^\d+$/.test(counter ?? ''))
    return { kind: 'qr', keyId, madeAtS: Number(madeAt), counter: Number(counter) };
  return { kind: kind === 'qr' ? 'qr' : 'num', keyId: null, madeAtS: null, counter: null };
}

export class LedgerSource {
  private readonly absenceRepository: AbsenceRepository;

  constructor(private readonly db: Database) {
    this.absenceRepository = new AbsenceRepository(db);
  }

  /** Approved absences (请假) from the cursor on, by the time they were approved (the absences domain's read). */
  absences(from: Cursor, pageRows: number): Promise<AbsenceRow[]> {
    return this.absenceRepository.approvedAfter(from.atMs, from.id, pageRows);
  }

  /** Operations from the cursor on in (created_at_ms, id) order; the created_day bound lets the day index narrow. */
  async operations(from: Cursor, pageRows: number): Promise<OperationRow[]> {
    const rows = await this.db.select<Row>(
      `SELECT id, kind, outcome, card_no, merchant_id, device_id, amount, subsidy_amount, created_day, created_at_ms
         FROM operations
        WHERE created_day >= ? AND (created_at_ms > ? OR (created_at_ms = ? AND id > ?))
        ORDER BY created_at_ms, id LIMIT ?`,
      [shanghaiDay(from.atMs), from.atMs, from.atMs, from.id, pageRows],
    );
    return rows.map((r) => ({
      id: str(r.id),
      kind: str(r.kind),
      outcome: str(r.outcome),
      cardNo: strOrNull(r.card_no),
      merchantId: strOrNull(r.merchant_id),
      deviceId: strOrNull(r.device_id),
      amount: num(r.amount),
      subsidyAmount: num(r.subsidy_amount),
      createdDay: num(r.created_day),
      createdAtMs: num(r.created_at_ms),
    }));
  }

  /**
   * The pay codes accepted payments consumed (code_uses, by the time they were charged), with the
   * code's identity taken apart: the id is the code's own (`qr:…` or `num:…`, docs/ledger.md).
   */
  async codeUses(from: Cursor, pageRows: number): Promise<(CodeUseRow & { codeId: string })[]> {
    const rows = await this.db.select<Row>(
      `SELECT code_id, operation_id, card_no, used_at_ms FROM code_uses
        WHERE used_at_ms > ? OR (used_at_ms = ? AND code_id > ?) ORDER BY used_at_ms, code_id LIMIT ?`,
      [from.atMs, from.atMs, from.id, pageRows],
    );
    return rows.map((r) => ({
      codeId: str(r.code_id),
      operationId: str(r.operation_id),
      cardNo: str(r.card_no),
      usedAtMs: num(r.used_at_ms),
      ...codeParts(str(r.code_id)),
    }));
  }

  async cardEvents(from: Cursor, pageRows: number): Promise<CardEventRow[]> {
    const rows = await this.db.select<Row>(
      `SELECT id, card_no, kind, from_status, to_status, actor_type, created_at_ms FROM card_events
        WHERE created_at_ms > ? OR (created_at_ms = ? AND id > ?) ORDER BY created_at_ms, id LIMIT ?`,
      [from.atMs, from.atMs, from.id, pageRows],
    );
    return rows.map((r) => ({
      id: str(r.id),
      cardNo: str(r.card_no),
      kind: str(r.kind),
      fromStatus: strOrNull(r.from_status),
      toStatus: str(r.to_status),
      actorType: str(r.actor_type),
      createdAtMs: num(r.created_at_ms),
    }));
  }

  /** Sign-ins by the time they were taken (the id is session and person: `<session>\u0000<person>`). */
  async attendance(from: Cursor, pageRows: number): Promise<AttendanceRow[]> {
    const [session = '', person = ''] = from.id.split('\u0000');
    const rows = await this.db.select<Row>(
      `SELECT session_id, person_no, card_no, device_id, source, recorded_at_ms FROM attendance_records
        WHERE recorded_at_ms > ? OR (recorded_at_ms = ? AND (session_id > ? OR (session_id = ? AND person_no > ?)))
        ORDER BY recorded_at_ms, session_id, person_no LIMIT ?`,
      [from.atMs, from.atMs, session, session, person, pageRows],
    );
    return rows.map((r) => ({
      sessionId: str(r.session_id),
      personNo: str(r.person_no),
      cardNo: str(r.card_no),
      deviceId: str(r.device_id),
      source: str(r.source),
      recordedAtMs: num(r.recorded_at_ms),
    }));
  }

  /** Access checks by the time the core received them (offline uploads arrive late with old occurred_at_ms). */
  async access(from: Cursor, pageRows: number): Promise<AccessRow[]> {
    const rows = await this.db.select<Row>(
      `SELECT id, device_id, card_no, person_no, direction, decision, source, occurred_at_ms, created_at_ms
         FROM access_events WHERE created_at_ms > ? OR (created_at_ms = ? AND id > ?)
        ORDER BY created_at_ms, id LIMIT ?`,
      [from.atMs, from.atMs, from.id, pageRows],
    );
    return rows.map((r) => ({
      id: str(r.id),
      deviceId: str(r.device_id),
      cardNo: strOrNull(r.card_no),
      personNo: strOrNull(r.person_no),
      direction: str(r.direction),
      decision: str(r.decision),
      source: str(r.source),
      occurredAtMs: num(r.occurred_at_ms),
      createdAtMs: num(r.created_at_ms),
    }));
  }

  /** Attendance sessions by creation, each with its roster (read with the page, by session id). */
  async sessions(from: Cursor, pageRows: number): Promise<SessionRow[]> {
    const rows = await this.db.select<Row>(
      `SELECT id, kind, title, starts_at_ms, ends_at_ms, created_at_ms FROM attendance_sessions
        WHERE created_at_ms > ? OR (created_at_ms = ? AND id > ?) ORDER BY created_at_ms, id LIMIT ?`,
      [from.atMs, from.atMs, from.id, pageRows],
    );
    const roster = new Map<string, string[]>();
    const ids = rows.map((r) => str(r.id));
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const people = await this.db.select<Row>(
        `SELECT session_id, person_no FROM attendance_roster WHERE session_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const p of people)
        roster.set(str(p.session_id), [...(roster.get(str(p.session_id)) ?? []), str(p.person_no)]);
    }
    return rows.map((r) => ({
      id: str(r.id),
      kind: str(r.kind),
      title: str(r.title),
      startsAtMs: num(r.starts_at_ms),
      endsAtMs: num(r.ends_at_ms),
      createdAtMs: num(r.created_at_ms),
      roster: roster.get(str(r.id)) ?? [],
    }));
  }

  async merchants(): Promise<MerchantRow[]> {
    const rows = await this.db.select<Row>('SELECT id, category FROM merchants ORDER BY id');
    return rows.map((r) => ({ id: str(r.id), category: str(r.category) }));
  }

  async places(): Promise<PlaceRow[]> {
    const rows = await this.db.select<Row>(
      'SELECT merchant_id, site, x_m, y_m FROM insight_places ORDER BY merchant_id',
    );
    return rows.map((r) => ({
      merchantId: str(r.merchant_id),
      site: str(r.site),
      xM: num(r.x_m),
      yM: num(r.y_m),
    }));
  }

  /** The person id of each given card that is still active (a lost or frozen card gets no alert). */
  async activeCardHolders(cardNos: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < cardNos.length; i += 500) {
      const chunk = cardNos.slice(i, i + 500);
      const rows = await this.db.select<Row>(
        `SELECT card_no, person_id FROM cards WHERE status = 'active' AND card_no IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) found.set(str(r.card_no), str(r.person_id));
    }
    return found;
  }

  async holders(): Promise<HolderRow[]> {
    const rows = await this.db.select<Row>(
      `SELECT c.card_no, p.person_no, p.type, p.department, c.status, sp.enrol_year,
              CASE WHEN c.pin_hash IS NULL THEN 0 ELSE 1 END AS pin_set FROM cards c
         JOIN persons p ON p.id = c.person_id LEFT JOIN sync_people sp ON sp.person_id = p.id
        ORDER BY c.card_no`,
    );
    return rows.map((r) => ({
      cardNo: str(r.card_no),
      personNo: str(r.person_no),
      type: str(r.type),
      department: strOrNull(r.department),
      status: str(r.status),
      enrolYear: r.enrol_year === null || r.enrol_year === undefined ? null : num(r.enrol_year),
      pinSet: num(r.pin_set) === 1,
    }));
  }

  /**
   * The campus calendar's holidays over [fromDay, toDay] (passage_calendar_days, kept by the card
   * centre for the passage rules): the canteen forecast's holiday days.
   */
  async holidays(fromDay: number, toDay: number): Promise<number[]> {
    const rows = await this.db.select<Row>(
      "SELECT day FROM passage_calendar_days WHERE kind = 'holiday' AND day >= ? AND day <= ? ORDER BY day",
      [fromDay, toDay],
    );
    return rows.map((r) => num(r.day));
  }

  /**
   * Late returns to the dorm over [fromMs, toMs) (passage_late_returns: one per student, building and
   * Shanghai day, recorded by the passage domain when a resident comes in during the curfew).
   */
  async lateReturns(fromMs: number, toMs: number): Promise<LateReturn[]> {
    const rows = await this.db.select<Row>(
      `SELECT person_no, day, occurred_at_ms FROM passage_late_returns
        WHERE day >= ? AND day <= ? AND occurred_at_ms >= ? AND occurred_at_ms < ? ORDER BY occurred_at_ms`,
      [shanghaiDay(fromMs), shanghaiDay(toMs), fromMs, toMs],
    );
    return rows.map((r) => ({
      personNo: str(r.person_no),
      day: num(r.day),
      occurredAtMs: num(r.occurred_at_ms),
    }));
  }

  /** The ledger's accepted operations per day and kind over [fromDay, toDay] (the (created_day, kind) index). */
  async totalsByDayKind(fromDay: number, toDay: number): Promise<DayKindTotal[]> {
    const rows = await this.db.select<Row>(
      `SELECT created_day, kind, COUNT(*) AS n, CAST(SUM(amount) AS SIGNED) AS amount FROM operations
        WHERE outcome = 'ok' AND created_day >= ? AND created_day <= ? GROUP BY created_day, kind
        ORDER BY created_day, kind`,
      [fromDay, toDay],
    );
    return rows.map((r) => ({
      day: num(r.created_day),
      kind: str(r.kind),
      count: num(r.n),
      amount: num(r.amount),
    }));
  }
}
