import { openingStatements } from '../cards/card-opening.ts';
import { personWrites } from '../cards/person-writes.ts';
import type { Database, Param, Statement, Tx } from '../db/database.ts';
import { attendanceWrites } from '../devices/attendance-writes.ts';
import { guardianContactWrites, type SealedGuardianContact } from '../guardians/guardian-contacts.ts';
import { type NewRefundEntry, RefundRepository } from '../refunds/refund-repository.ts';
import type { PersonStatus, ValidPerson } from './person-rows.ts';
import { SyncRunRepository } from './sync-run-repository.ts';

export type { SyncCounts, SyncKind, SyncRun, SyncRunError, SyncTrigger } from './sync-run-repository.ts';

/** What the core holds for one person number. */
export interface PersonState {
  personNo: string;
  personId: string;
  personStatus: PersonStatus;
  cardNo: string | null;
  cardStatus: string | null;
  /** Null when the person was opened by hand and the sync has not adopted them yet. */
  source: 'academic' | 'hr' | null;
  digest: string | null;
}

/** A new person with sealed PII, ready for the bulk insert. */
export interface NewSyncedPerson {
  person: ValidPerson;
  idNumberEnc: string | null;
  phoneEnc: string | null;
  /** The guardian on record, sealed (sql/150); null: none. */
  guardian: SealedGuardianContact | null;
  cardNo: string;
}

/**
 * The core-side tables of the sync: managed people and course sessions, on top of its runs, lock and
 * watermarks (SyncRunRepository). Other domains' rows are written with their own statements.
 */
export class SyncRepository extends SyncRunRepository {
  private readonly refunds: RefundRepository;

  constructor(db: Database) {
    super(db);
    this.refunds = new RefundRepository(db);
  }

  // ---- People ----------------------------------------------------------------------------

  async people(personNos: readonly string[]): Promise<Map<string, PersonState>> {
    const out = new Map<string, PersonState>();
    if (personNos.length === 0) return out;
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT p.person_no, p.id, p.status, c.card_no, c.status AS card_status, sp.source, sp.digest
         FROM persons p
         LEFT JOIN cards c ON c.person_id = p.id
         LEFT JOIN sync_people sp ON sp.person_no = p.person_no
        WHERE p.person_no IN (${personNos.map(() => '?').join(', ')})`,
      personNos,
    );
    for (const r of rows) {
      out.set(String(r.person_no), {
        personNo: String(r.person_no),
        personId: String(r.id),
        personStatus: String(r.status) as PersonStatus,
        cardNo: r.card_no == null ? null : String(r.card_no),
        cardStatus: r.card_status == null ? null : String(r.card_status),
        source: r.source == null ? null : (String(r.source) as 'academic' | 'hr'),
        digest: r.digest == null ? null : String(r.digest),
      });
    }
    return out;
  }

  /**
   * Records the class (and, when given, the enrolment year: the grade) of a person the core already
   * holds as a sync run does (a sync_people row from the academic source), keeping the other fields a
   * run stored. The digest is reset to one no source row matches, so the next run reading that
   * person's row re-applies it whole, class included. False when no such person exists.
   */
  async recordClass(
    personNo: string,
    classCode: string,
    nowMs: number,
    enrolYear?: number,
  ): Promise<boolean> {
    const onConflict =
      this.db.dialect === 'mysql'
        ? 'ON DUPLICATE KEY UPDATE class_code = VALUES(class_code), enrol_year = COALESCE(VALUES(enrol_year), enrol_year), digest = VALUES(digest), synced_at_ms = VALUES(synced_at_ms)'
        : 'ON CONFLICT (person_no) DO UPDATE SET class_code = excluded.class_code, enrol_year = COALESCE(excluded.enrol_year, sync_people.enrol_year), digest = excluded.digest, synced_at_ms = excluded.synced_at_ms';
    await this.db.execute(
      `INSERT INTO sync_people (person_no, person_id, source, source_row_id, dept_code, class_code, enrol_year,
              source_status, digest, source_updated_at_ms, synced_at_ms)
       SELECT p.person_no, p.id, 'academic', p.person_no, NULL, ?, ?, p.status, ?, 0, ?
         FROM persons p WHERE p.person_no = ? ${onConflict}`,
      [classCode, enrolYear ?? null, '0'.repeat(64), nowMs, personNo],
    );
    const rows = await this.db.select<{ class_code: string | null }>(
      'SELECT class_code FROM sync_people WHERE person_no = ?',
      [personNo],
    );
    return rows[0]?.class_code === classCode;
  }

  /**
   * Opens people in bulk: the cards domain's writes (persons, both wallets, cards, their 'opened'
   * events: cards/card-opening.ts) and the sync's own rows, as multi-row INSERTs in one transaction
   * (one round trip on MySQL). All or none.
   */
  async openPeople(
    items: readonly NewSyncedPerson[],
    limits: { dailyLimit: number; pinFreeLimit: number },
    actorId: string,
  ): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const { statements, opened } = openingStatements(
      items.map((item) => ({
        personNo: item.person.personNo,
        name: item.person.name,
        type: item.person.type,
        department: item.person.department,
        status: item.person.status,
        idNumberEnc: item.idNumberEnc,
        phoneEnc: item.phoneEnc,
        cardNo: item.cardNo,
      })),
      limits,
      { type: 'system', id: actorId, reason: 'identity sync' },
      now,
    );
    const synced: Param[] = [];
    items.forEach((item, i) => {
      synced.push(...syncPeopleRow(item.person, (opened[i] as { personId: string }).personId, now));
    });
    const guardians = guardianContactWrites.replace(
      items.map((item, i) => ({
        personId: (opened[i] as { personId: string }).personId,
        contact: item.guardian,
      })),
      now,
    );
    await this.db.transaction((tx) =>
      this.db.run([...statements, this.upsertSyncPeople(synced, items.length), ...guardians], tx, {
        commit: true,
      }),
    );
  }

  /**
   * Applies changed fields of people who keep their card (name, department, type, PII, status such
   * as suspended) and adopts people opened by hand, in one transaction per page.
   */
  async updatePeople(
    items: readonly {
      state: PersonState;
      person: ValidPerson;
      idNumberEnc: string | null;
      phoneEnc: string | null;
      guardian: SealedGuardianContact | null;
      personStatus: PersonStatus;
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const synced: Param[] = [];
    for (const item of items) synced.push(...syncPeopleRow(item.person, item.state.personId, now));
    const statements: Statement[] = [
      personWrites.update(
        this.db,
        items.map((i) => ({
          personId: i.state.personId,
          name: i.person.name,
          type: i.person.type,
          department: i.person.department,
          status: i.personStatus,
          idNumberEnc: i.idNumberEnc,
          phoneEnc: i.phoneEnc,
        })),
        now,
      ),
      this.upsertSyncPeople(synced, items.length),
      ...guardianContactWrites.replace(
        items.map((i) => ({ personId: i.state.personId, contact: i.guardian })),
        now,
      ),
    ];
    await this.db.transaction((tx) => this.db.run(statements, tx, { commit: true }));
  }

  /**
   * Records a cancellation the ledger has committed: the person's new status, the sync's row, and
   * the refund list entry (once per close-out operation, however often this is retried).
   */
  async recordCancelled(item: {
    state: PersonState;
    person: ValidPerson | null;
    status: PersonStatus;
    refund: NewRefundEntry | null;
  }): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (tx: Tx) => {
      await this.db.run([personWrites.setStatus(item.state.personId, item.status, now)], tx);
      if (item.person) {
        await this.db.run(
          [this.upsertSyncPeople(syncPeopleRow(item.person, item.state.personId, now), 1)],
          tx,
        );
      } else {
        await this.db.execute(
          'UPDATE sync_people SET source_status = ?, synced_at_ms = ? WHERE person_no = ?',
          [item.status, now, item.state.personNo],
          tx,
        );
      }
      // The refund list entry, keyed by the close-out's operation id: written once.
      if (item.refund) await this.refunds.record(item.refund, now, tx);
    });
  }

  /**
   * The accepted close-out the sync made of a card in an earlier run, if any: a run that crashed
   * between the ledger's commit and recording it finds its refund here.
   */
  async syncCloseOut(
    cardNo: string,
  ): Promise<{ operationId: string; mainAmount: number; subsidyAmount: number } | undefined> {
    const rows = await this.db.select<{ id: string; amount: number; subsidy_amount: number }>(
      "SELECT id, amount, subsidy_amount FROM operations WHERE card_no = ? AND kind = 'close_out' AND outcome = 'ok' AND id LIKE 'sync:%'",
      [cardNo],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      operationId: String(r.id),
      mainAmount: Number(r.amount) - Number(r.subsidy_amount),
      subsidyAmount: Number(r.subsidy_amount),
    };
  }

  /** Numbers the sync manages from one source whose cards it has not ended: the set a full reconcile checks. */
  async managedNumbers(source: 'academic' | 'hr'): Promise<string[]> {
    const rows = await this.db.select<{ person_no: string }>(
      "SELECT sp.person_no FROM sync_people sp JOIN persons p ON p.id = sp.person_id WHERE sp.source = ? AND p.status IN ('active', 'suspended')",
      [source],
    );
    return rows.map((r) => String(r.person_no));
  }

  // ---- Rosters (attendance_sessions, attendance_roster of sql/004_gateway.sql) -------------

  async syncedSessions(course: { term: string; courseCode: string }): Promise<string[]> {
    const rows = await this.db.select<{ session_id: string }>(
      'SELECT session_id FROM sync_sessions WHERE term = ? AND course_code = ?',
      [course.term, course.courseCode],
    );
    return rows.map((r) => String(r.session_id));
  }

  async allSyncedCourses(): Promise<{ term: string; courseCode: string }[]> {
    const rows = await this.db.select<{ term: string; course_code: string }>(
      'SELECT DISTINCT term, course_code FROM sync_sessions',
    );
    return rows.map((r) => ({ term: String(r.term), courseCode: String(r.course_code) }));
  }

  async roster(sessionIds: readonly string[]): Promise<{ sessionId: string; personNo: string }[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db.select<{ session_id: string; person_no: string }>(
      `SELECT session_id, person_no FROM attendance_roster WHERE session_id IN (${sessionIds.map(() => '?').join(', ')})`,
      sessionIds,
    );
    return rows.map((r) => ({ sessionId: String(r.session_id), personNo: String(r.person_no) }));
  }

  async sessionRows(sessionIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    if (sessionIds.length === 0) return new Map();
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, kind, title, location, starts_at_ms, ends_at_ms, sign_in_from_ms, sign_in_until_ms FROM attendance_sessions WHERE id IN (${sessionIds.map(() => '?').join(', ')})`,
      sessionIds,
    );
    return new Map(rows.map((r) => [String(r.id), r]));
  }

  /** Writes one course's sessions and roster changes in one transaction. */
  async applyCourse(change: {
    term: string;
    courseCode: string;
    upsertSessions: readonly {
      id: string;
      kind: 'class' | 'exam';
      title: string;
      location: string;
      startsAtMs: number;
      endsAtMs: number;
      signInFromMs: number;
      signInUntilMs: number;
      sourceUpdatedAtMs: number;
      exists: boolean;
    }[];
    deleteSessions: readonly string[];
    addRoster: readonly { sessionId: string; personNo: string }[];
    removeRoster: readonly { sessionId: string; personNo: string }[];
  }): Promise<void> {
    const now = Date.now();
    // The attendance tables are the attendance domain's (devices/attendance-writes.ts); sync_sessions is ours.
    const statements: Statement[] = [...attendanceWrites.deleteSessions(change.deleteSessions)];
    if (change.deleteSessions.length > 0) {
      statements.push({
        sql: `DELETE FROM sync_sessions WHERE session_id IN (${change.deleteSessions.map(() => '?').join(', ')})`,
        params: change.deleteSessions,
      });
    }
    for (const s of change.upsertSessions) {
      if (s.exists) {
        statements.push(attendanceWrites.updateSession(s), {
          sql: 'UPDATE sync_sessions SET source_updated_at_ms = ? WHERE session_id = ?',
          params: [s.sourceUpdatedAtMs, s.id],
        });
      } else {
        statements.push(attendanceWrites.insertSession(s, now), {
          sql: 'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
          params: [s.id, change.term, change.courseCode, s.sourceUpdatedAtMs],
        });
      }
    }
    statements.push(
      ...attendanceWrites.removeFromRosters(change.removeRoster),
      ...attendanceWrites.addToRosters(change.addRoster),
    );
    if (statements.length === 0) return;
    await this.db.transaction((tx) => this.db.run(statements, tx, { commit: true }));
  }

  private upsertSyncPeople(params: Param[], count: number): Statement {
    const columns = [
      'person_no',
      'person_id',
      'source',
      'source_row_id',
      'dept_code',
      'class_code',
      'enrol_year',
      'source_status',
      'digest',
      'source_updated_at_ms',
      'synced_at_ms',
    ];
    const values = Array.from({ length: count }, () => `(${columns.map(() => '?').join(', ')})`).join(', ');
    const updated = columns.slice(1);
    const onConflict =
      this.db.dialect === 'mysql'
        ? `ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c} = VALUES(${c})`).join(', ')}`
        : `ON CONFLICT (person_no) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    return { sql: `INSERT INTO sync_people (${columns.join(', ')}) VALUES ${values} ${onConflict}`, params };
  }
}

function syncPeopleRow(p: ValidPerson, personId: string, now: number): Param[] {
  return [
    p.personNo,
    personId,
    p.stream === 'hr.staff' ? 'hr' : 'academic',
    p.rowId,
    p.deptCode,
    p.classCode,
    p.enrolYear,
    p.status,
    p.digest,
    p.updatedAtMs,
    now,
  ];
}
