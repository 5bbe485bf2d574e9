import type { VisitPassageInput, VisitPassageView, VisitStatus } from '../contract/visitors.ts';
import type { Database, Tx } from '../db/database.ts';

/** A visit row as stored: sealed phone and tail stay sealed until the service needs them. */
export interface VisitRow {
  id: string;
  passId: string;
  hostPersonId: string;
  hostCardNo: string;
  hostName: string;
  hostDepartment: string | null;
  visitorName: string;
  visitorPhoneEnc: string;
  idTailEnc: string;
  purpose: string;
  places: string[];
  validFromMs: number;
  validUntilMs: number;
  status: VisitStatus;
  decidedBy: string | null;
  onCampus: boolean;
  lastPassageAtMs: number | null;
  createdAtMs: number;
}

export interface NewVisitRow {
  id: string;
  passId: string;
  linkTokenHash: string;
  hostPersonId: string;
  hostCardNo: string;
  hostRequestId: string;
  visitorName: string;
  visitorPhoneEnc: string;
  idTailEnc: string;
  purpose: string;
  places: string[];
  validFromMs: number;
  validUntilMs: number;
  status: VisitStatus;
  createdAtMs: number;
}

const columns = `v.id, v.pass_id, v.host_person_id, v.host_card_no, p.name AS host_name, p.department AS host_department,
  v.visitor_name, v.visitor_phone_enc, v.id_tail_enc, v.purpose, v.places, v.valid_from_ms, v.valid_until_ms,
  v.status, v.decided_by, v.on_campus, v.last_passage_at_ms, v.created_at_ms`;
const from = 'FROM visits v JOIN persons p ON p.id = v.host_person_id';

function toRow(r: Record<string, unknown>): VisitRow {
  return {
    id: String(r.id),
    passId: String(r.pass_id),
    hostPersonId: String(r.host_person_id),
    hostCardNo: String(r.host_card_no),
    hostName: String(r.host_name),
    hostDepartment: r.host_department === null ? null : String(r.host_department),
    visitorName: String(r.visitor_name),
    visitorPhoneEnc: String(r.visitor_phone_enc),
    idTailEnc: String(r.id_tail_enc),
    purpose: String(r.purpose),
    places: JSON.parse(String(r.places)) as string[],
    validFromMs: Number(r.valid_from_ms),
    validUntilMs: Number(r.valid_until_ms),
    status: String(r.status) as VisitStatus,
    decidedBy: r.decided_by === null ? null : String(r.decided_by),
    onCampus: Number(r.on_campus) === 1,
    lastPassageAtMs: r.last_passage_at_ms === null ? null : Number(r.last_passage_at_ms),
    createdAtMs: Number(r.created_at_ms),
  };
}

/** The visits and visit_passages tables (sql/050): the only place with their SQL. */
export class VisitRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the visit unless this host already made one with this request id; answers the stored one. */
  async insertOnce(row: NewVisitRow): Promise<{ visit: VisitRow; created: boolean }> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const inserted = await this.db.execute(
      `${ignore} INTO visits (id, pass_id, link_token_hash, host_person_id, host_card_no, host_request_id, visitor_name,
         visitor_phone_enc, id_tail_enc, purpose, places, valid_from_ms, valid_until_ms, status, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.passId,
        row.linkTokenHash,
        row.hostPersonId,
        row.hostCardNo,
        row.hostRequestId,
        row.visitorName,
        row.visitorPhoneEnc,
        row.idTailEnc,
        row.purpose,
        JSON.stringify(row.places),
        row.validFromMs,
        row.validUntilMs,
        row.status,
        row.createdAtMs,
      ],
    );
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.host_person_id = ? AND v.host_request_id = ?`,
      [row.hostPersonId, row.hostRequestId],
    );
    const first = rows[0];
    if (!first) throw new Error('visit neither inserted nor found');
    return { visit: toRow(first), created: inserted === 1 };
  }

  async byId(id: string, tx?: Tx): Promise<VisitRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.id = ?`,
      [id],
      tx,
    );
    return rows[0] && toRow(rows[0]);
  }

  async byPassId(passId: string): Promise<VisitRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.pass_id = ?`,
      [passId],
    );
    return rows[0] && toRow(rows[0]);
  }

  async byLinkHash(hash: string): Promise<VisitRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.link_token_hash = ?`,
      [hash],
    );
    return rows[0] && toRow(rows[0]);
  }

  async forHost(hostPersonId: string, limit: number): Promise<VisitRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.host_person_id = ? ORDER BY v.created_at_ms DESC, v.id DESC LIMIT ?`,
      [hostPersonId, limit],
    );
    return rows.map(toRow);
  }

  /** Visits by status, newest first; `pending` is the approval queue. */
  async withStatus(status: VisitStatus, limit: number): Promise<VisitRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.status = ? ORDER BY v.created_at_ms DESC, v.id DESC LIMIT ?`,
      [status, limit],
    );
    return rows.map(toRow);
  }

  /** Who is on campus now: checked in, not out. */
  async onCampus(limit: number): Promise<VisitRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns} ${from} WHERE v.on_campus = 1 ORDER BY v.last_passage_at_ms DESC, v.id DESC LIMIT ?`,
      [limit],
    );
    return rows.map(toRow);
  }

  /** Moves a visit from one status to the next; false when it was no longer in `fromStatus`. */
  async transition(
    id: string,
    fromStatuses: readonly VisitStatus[],
    to: VisitStatus,
    decidedBy: string | null,
    atMs: number,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE visits SET status = ?, decided_by = COALESCE(?, decided_by), decided_at_ms = ?
        WHERE id = ? AND status IN (${fromStatuses.map(() => '?').join(', ')})`,
      [to, decidedBy, atMs, id, ...fromStatuses],
    );
    return changed === 1;
  }

  /**
   * Stores a passage once per (device, sequence, source) and moves the visit's on-campus flag, in one
   * transaction; a passage older than the visit's last one is kept but does not move the flag (an
   * offline record uploaded late). Answers whether the passage is new and whether it was the first in.
   */
  async recordPassage(
    visitId: string,
    input: VisitPassageInput,
    recordedAtMs: number,
  ): Promise<{ recorded: boolean; firstIn: boolean }> {
    return this.db.transaction(async (tx) => {
      const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
      const inserted = await this.db.execute(
        `${ignore} INTO visit_passages (device_id, sequence, visit_id, direction, source, occurred_at_ms, recorded_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          input.deviceId,
          input.sequence,
          visitId,
          input.direction,
          input.source,
          input.occurredAtMs,
          recordedAtMs,
        ],
        tx,
      );
      if (inserted !== 1) return { recorded: false, firstIn: false };
      const earlierIns = await this.db.select<{ n: number }>(
        `SELECT COUNT(*) AS n FROM visit_passages WHERE visit_id = ? AND direction = 'in'`,
        [visitId],
        tx,
      );
      await this.db.execute(
        `UPDATE visits SET on_campus = ?, last_passage_at_ms = ?
          WHERE id = ? AND (last_passage_at_ms IS NULL OR last_passage_at_ms <= ?)`,
        [input.direction === 'in' ? 1 : 0, input.occurredAtMs, visitId, input.occurredAtMs],
        tx,
      );
      return { recorded: true, firstIn: input.direction === 'in' && Number(earlierIns[0]?.n ?? 0) === 1 };
    });
  }

  async passages(visitId: string): Promise<VisitPassageView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT visit_id, device_id, direction, source, occurred_at_ms FROM visit_passages
        WHERE visit_id = ? ORDER BY occurred_at_ms, device_id, sequence`,
      [visitId],
    );
    return rows.map((r) => ({
      visitId: String(r.visit_id),
      deviceId: String(r.device_id),
      direction: String(r.direction) as 'in' | 'out',
      source: String(r.source) as 'online' | 'offline',
      occurredAtMs: Number(r.occurred_at_ms),
    }));
  }
}

export type VisitorHostType = 'student' | 'staff';

export interface VisitorPolicy {
  hostTypes: VisitorHostType[];
  approvalDepartments: string[];
  /** What hosts may choose from, with the names they see (sql/051). */
  offeredPlaces: { id: string; name: string }[];
}

/** The one-row visitor policy (sql/050). */
export class VisitorPolicyRepository {
  constructor(private readonly db: Database) {}

  async get(): Promise<VisitorPolicy> {
    const rows = await this.db.select<{
      host_types: string;
      approval_departments: string;
      offered_places: string | null;
    }>('SELECT host_types, approval_departments, offered_places FROM visitor_policy WHERE id = 1');
    const row = rows[0];
    if (!row) return { hostTypes: ['staff', 'student'], approvalDepartments: [], offeredPlaces: [] };
    return {
      hostTypes: row.host_types
        .split(',')
        .filter((t): t is VisitorHostType => t === 'student' || t === 'staff'),
      approvalDepartments: JSON.parse(row.approval_departments) as string[],
      offeredPlaces:
        row.offered_places === null ? [] : (JSON.parse(row.offered_places) as VisitorPolicy['offeredPlaces']),
    };
  }

  async set(policy: VisitorPolicy, atMs: number): Promise<void> {
    await this.db.execute(
      `UPDATE visitor_policy SET host_types = ?, approval_departments = ?, offered_places = ?, updated_at_ms = ?
        WHERE id = 1`,
      [
        policy.hostTypes.join(','),
        JSON.stringify(policy.approvalDepartments),
        JSON.stringify(policy.offeredPlaces),
        atMs,
      ],
    );
  }
}
