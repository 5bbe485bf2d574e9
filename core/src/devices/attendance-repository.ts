import type { AttendanceRecordView, AttendanceSession } from '../contract/attendance.ts';
import type { Database } from '../db/database.ts';
import { attendanceWrites } from './attendance-writes.ts';

/** A session's sign-in window. */
export interface SignInWindow {
  signInFromMs: number;
  signInUntilMs: number;
}

/** A person's recorded sign-in at a session: which reader took it, and when. */
export interface RecordedSignIn {
  deviceId: string;
  sequence: number;
  recordedAtMs: number;
}

export interface NewSignIn {
  sessionId: string;
  personNo: string;
  cardNo: string;
  deviceId: string;
  sequence: number;
  source: 'online' | 'offline';
  atMs: number;
}

/** The attendance tables: sessions, their rosters and the sign-ins recorded at them. */
export class AttendanceRepository {
  constructor(private readonly db: Database) {}

  /** Replaces a session and its roster in one transaction. */
  async putSession(s: AttendanceSession, nowMs: number): Promise<void> {
    const people = [...new Set(s.roster)];
    await this.db.transaction((tx) =>
      this.db.run(
        [
          ...attendanceWrites.deleteSessions([s.id]),
          attendanceWrites.insertSession(s, nowMs),
          ...attendanceWrites.addToRosters(people.map((personNo) => ({ sessionId: s.id, personNo }))),
        ],
        tx,
        { commit: true },
      ),
    );
  }

  async window(sessionId: string): Promise<SignInWindow | undefined> {
    const rows = await this.db.select<{ sign_in_from_ms: number; sign_in_until_ms: number }>(
      'SELECT sign_in_from_ms, sign_in_until_ms FROM attendance_sessions WHERE id = ?',
      [sessionId],
    );
    const r = rows[0];
    return r && { signInFromMs: Number(r.sign_in_from_ms), signInUntilMs: Number(r.sign_in_until_ms) };
  }

  async onRoster(sessionId: string, personNo: string): Promise<boolean> {
    const rows = await this.db.select<{ n: number }>(
      'SELECT COUNT(*) AS n FROM attendance_roster WHERE session_id = ? AND person_no = ?',
      [sessionId, personNo],
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async recorded(sessionId: string, personNo: string): Promise<RecordedSignIn | undefined> {
    const rows = await this.db.select<{ device_id: string; sequence: number; recorded_at_ms: number }>(
      'SELECT device_id, sequence, recorded_at_ms FROM attendance_records WHERE session_id = ? AND person_no = ?',
      [sessionId, personNo],
    );
    const r = rows[0];
    return (
      r && {
        deviceId: String(r.device_id),
        sequence: Number(r.sequence),
        recordedAtMs: Number(r.recorded_at_ms),
      }
    );
  }

  /** The sign-in a reader recorded under (device, sequence) at a session, if any. */
  async recordedUnder(
    sessionId: string,
    deviceId: string,
    sequence: number,
  ): Promise<{ personNo: string; recordedAtMs: number } | undefined> {
    const rows = await this.db.select<{ person_no: string; recorded_at_ms: number }>(
      'SELECT person_no, recorded_at_ms FROM attendance_records WHERE session_id = ? AND device_id = ? AND sequence = ?',
      [sessionId, deviceId, sequence],
    );
    const r = rows[0];
    return r && { personNo: String(r.person_no), recordedAtMs: Number(r.recorded_at_ms) };
  }

  /** Records a sign-in; a second one for the same person and session fails on the unique key. */
  async record(s: NewSignIn): Promise<void> {
    await this.db.execute(
      'INSERT INTO attendance_records (session_id, person_no, card_no, device_id, sequence, source, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [s.sessionId, s.personNo, s.cardNo, s.deviceId, s.sequence, s.source, s.atMs],
    );
  }

  /** A person's sign-ins before a time, newest first. */
  async recordsOf(personNo: string, limit: number, beforeAtMs: number): Promise<AttendanceRecordView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT r.session_id, s.kind, s.title, s.starts_at_ms, r.device_id, r.source, r.recorded_at_ms
         FROM attendance_records r
         JOIN attendance_sessions s ON s.id = r.session_id
        WHERE r.person_no = ? AND r.recorded_at_ms < ?
        ORDER BY r.recorded_at_ms DESC LIMIT ?`,
      [personNo, beforeAtMs, limit],
    );
    return rows.map((r) => ({
      sessionId: String(r.session_id),
      kind: String(r.kind),
      title: String(r.title),
      startsAtMs: Number(r.starts_at_ms),
      deviceId: String(r.device_id),
      source: String(r.source),
      recordedAtMs: Number(r.recorded_at_ms),
    }));
  }
}
