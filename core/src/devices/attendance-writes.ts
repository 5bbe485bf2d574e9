import type { Statement } from '../db/database.ts';

/** A session as the attendance tables keep it. */
export interface SessionRow {
  id: string;
  kind: string;
  title: string;
  location: string | null;
  startsAtMs: number;
  endsAtMs: number;
  signInFromMs: number;
  signInUntilMs: number;
}

/** Roster rows per statement: bounded so one statement stays small. */
const rosterRowsPerStatementMax = 1_000;

/**
 * The attendance domain's writes of sessions and rosters, as statements the caller runs in its own
 * transaction: the identity sync applies a course's whole change (its sessions, their rosters and the
 * sync's own bookkeeping) all or none, in one round trip on MySQL.
 */
export const attendanceWrites = {
  /** Removes sessions with their rosters. */
  deleteSessions(ids: readonly string[]): Statement[] {
    if (ids.length === 0) return [];
    const list = ids.map(() => '?').join(', ');
    return [
      { sql: `DELETE FROM attendance_roster WHERE session_id IN (${list})`, params: ids },
      { sql: `DELETE FROM attendance_sessions WHERE id IN (${list})`, params: ids },
    ];
  },

  insertSession(s: SessionRow, nowMs: number): Statement {
    return {
      sql: 'INSERT INTO attendance_sessions (id, kind, title, location, starts_at_ms, ends_at_ms, sign_in_from_ms, sign_in_until_ms, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      params: [
        s.id,
        s.kind,
        s.title,
        s.location,
        s.startsAtMs,
        s.endsAtMs,
        s.signInFromMs,
        s.signInUntilMs,
        nowMs,
      ],
    };
  },

  updateSession(s: SessionRow): Statement {
    return {
      sql: 'UPDATE attendance_sessions SET kind = ?, title = ?, location = ?, starts_at_ms = ?, ends_at_ms = ?, sign_in_from_ms = ?, sign_in_until_ms = ? WHERE id = ?',
      params: [s.kind, s.title, s.location, s.startsAtMs, s.endsAtMs, s.signInFromMs, s.signInUntilMs, s.id],
    };
  },

  removeFromRosters(rows: readonly { sessionId: string; personNo: string }[]): Statement[] {
    const out: Statement[] = [];
    for (let i = 0; i < rows.length; i += rosterRowsPerStatementMax) {
      const part = rows.slice(i, i + rosterRowsPerStatementMax);
      out.push({
        sql: `DELETE FROM attendance_roster WHERE ${part.map(() => '(session_id = ? AND person_no = ?)').join(' OR ')}`,
        params: part.flatMap((r) => [r.sessionId, r.personNo]),
      });
    }
    return out;
  },

  addToRosters(rows: readonly { sessionId: string; personNo: string }[]): Statement[] {
    const out: Statement[] = [];
    for (let i = 0; i < rows.length; i += rosterRowsPerStatementMax) {
      const part = rows.slice(i, i + rosterRowsPerStatementMax);
      out.push({
        sql: `INSERT INTO attendance_roster (session_id, person_no) VALUES ${part.map(() => '(?, ?)').join(', ')}`,
        params: part.flatMap((r) => [r.sessionId, r.personNo]),
      });
    }
    return out;
  },
};
