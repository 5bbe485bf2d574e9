import type { Absence, AbsenceKind, AbsenceListQuery, AbsenceStatus } from '../contract/absences.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';

export interface NewAbsenceRow {
  id: string;
  personId: string;
  personNo: string;
  cardNo: string;
  department: string | null;
  requestId: string;
  kind: AbsenceKind;
  reason: string;
  offCampus: boolean;
  fromMs: number;
  toMs: number;
}

/** An approved absence as the insight extract copies it (by decided_at_ms, then id). */
export interface ApprovedAbsenceRow {
  id: string;
  personNo: string;
  cardNo: string;
  kind: AbsenceKind;
  offCampus: boolean;
  fromMs: number;
  toMs: number;
  decidedAtMs: number;
}

const listMax = 200;
const columns = `SELECT id, person_no, card_no, department, kind, reason, off_campus, from_ms, to_ms, status,
  decision_note, decided_by, decided_at_ms, created_at_ms FROM absences`;

const nullable = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toAbsence(r: Record<string, unknown>): Absence {
  return {
    id: String(r.id),
    personNo: String(r.person_no),
    cardNo: String(r.card_no),
    department: nullable(r.department),
    kind: String(r.kind) as AbsenceKind,
    reason: String(r.reason),
    offCampus: Number(r.off_campus) === 1,
    fromMs: Number(r.from_ms),
    toMs: Number(r.to_ms),
    status: String(r.status) as AbsenceStatus,
    decisionNote: nullable(r.decision_note),
    decidedBy: nullable(r.decided_by),
    decidedAtMs: r.decided_at_ms === null ? null : Number(r.decided_at_ms),
    createdAtMs: Number(r.created_at_ms),
  };
}

/** The absences table (sql/240): the only place with its SQL. */
export class AbsenceRepository {
  constructor(private readonly db: Database) {}

  /** The card's holder: who reports, and the department whose counsellor decides. */
  async holder(
    cardNo: string,
  ): Promise<{ personId: string; personNo: string; type: string; department: string | null } | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT p.id, p.person_no, p.type, p.department FROM cards c JOIN persons p ON p.id = c.person_id
        WHERE c.card_no = ?`,
      [cardNo],
    );
    const r = rows[0];
    return r
      ? {
          personId: String(r.id),
          personNo: String(r.person_no),
          type: String(r.type),
          department: nullable(r.department),
        }
      : undefined;
  }

  /** Inserts a pending absence; false when this person already used the request id. */
  async insert(a: NewAbsenceRow, atMs: number): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO absences (id, person_id, person_no, card_no, department, request_id, kind, reason, off_campus,
           from_ms, to_ms, status, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
        [
          a.id,
          a.personId,
          a.personNo,
          a.cardNo,
          a.department,
          a.requestId,
          a.kind,
          a.reason,
          a.offCampus ? 1 : 0,
          a.fromMs,
          a.toMs,
          atMs,
        ],
      );
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return false;
    }
  }

  async byRequest(personId: string, requestId: string): Promise<Absence | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${columns} WHERE person_id = ? AND request_id = ?`,
      [personId, requestId],
    );
    return rows[0] ? toAbsence(rows[0]) : undefined;
  }

  async byId(id: string): Promise<Absence | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(`${columns} WHERE id = ?`, [id]);
    return rows[0] ? toAbsence(rows[0]) : undefined;
  }

  /** Newest first, at most 200; a card's list is its holder's (a replaced card keeps its absences). */
  async list(q: AbsenceListQuery & { personId?: string }): Promise<Absence[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.personId) {
      where.push('person_id = ?');
      params.push(q.personId);
    }
    if (q.department) {
      where.push('department = ?');
      params.push(q.department);
    }
    params.push(listMax);
    const rows = await this.db.select<Record<string, unknown>>(
      `${columns}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(toAbsence);
  }

  /** pending → approved or rejected, in one conditional UPDATE: of two decisions at once one wins. */
  async decide(
    id: string,
    status: 'approved' | 'rejected',
    note: string | null,
    decidedBy: string,
    atMs: number,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE absences SET status = ?, decision_note = ?, decided_by = ?, decided_at_ms = ?
        WHERE id = ? AND status = 'pending'`,
      [status, note, decidedBy, atMs, id],
    );
    return changed === 1;
  }

  /** pending → cancelled by the student. */
  async cancel(id: string, personId: string, atMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE absences SET status = 'cancelled', decided_at_ms = ? WHERE id = ? AND person_id = ? AND status = 'pending'`,
      [atMs, id, personId],
    );
    return changed === 1;
  }

  /** Approved absences after a (decided_at_ms, id) cursor, in that order: the insight extract's page. */
  async approvedAfter(afterMs: number, afterId: string, pageRows: number): Promise<ApprovedAbsenceRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, person_no, card_no, kind, off_campus, from_ms, to_ms, decided_at_ms FROM absences
        WHERE status = 'approved' AND (decided_at_ms > ? OR (decided_at_ms = ? AND id > ?))
        ORDER BY decided_at_ms, id LIMIT ?`,
      [afterMs, afterMs, afterId, pageRows],
    );
    return rows.map((r) => ({
      id: String(r.id),
      personNo: String(r.person_no),
      cardNo: String(r.card_no),
      kind: String(r.kind) as AbsenceKind,
      offCampus: Number(r.off_campus) === 1,
      fromMs: Number(r.from_ms),
      toMs: Number(r.to_ms),
      decidedAtMs: Number(r.decided_at_ms),
    }));
  }
}
