import type { MeetingView } from '../contract/meetings.ts';
import type { Database } from '../db/database.ts';

export interface MeetingRow {
  sessionId: string;
  organiser: string;
  openRoster: boolean;
  lateAfterMs: number;
  readers: string[];
  seats: Record<string, string>;
}

/** The meetings, meeting_readers and exam_seats tables (sql/052), read with their attendance session. */
export class MeetingRepository {
  constructor(private readonly db: Database) {}

  /** Replaces the meeting's own rows (the attendance session is put by the attendance service). */
  async put(row: MeetingRow): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const table of ['meetings', 'meeting_readers', 'exam_seats'])
        await this.db.execute(`DELETE FROM ${table} WHERE session_id = ?`, [row.sessionId], tx);
      await this.db.execute(
        'INSERT INTO meetings (session_id, organiser, open_roster, late_after_ms, created_at_ms) VALUES (?, ?, ?, ?, ?)',
        [row.sessionId, row.organiser, row.openRoster ? 1 : 0, row.lateAfterMs, Date.now()],
        tx,
      );
      for (const deviceId of new Set(row.readers))
        await this.db.execute(
          'INSERT INTO meeting_readers (session_id, device_id) VALUES (?, ?)',
          [row.sessionId, deviceId],
          tx,
        );
      const seats = Object.entries(row.seats);
      for (let i = 0; i < seats.length; i += 500) {
        const part = seats.slice(i, i + 500);
        await this.db.execute(
          `INSERT INTO exam_seats (session_id, person_no, seat) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
          part.flatMap(([personNo, seat]) => [row.sessionId, personNo, seat]),
          tx,
        );
      }
    });
  }

  /** Active people of a department, by person number (a roster made from the HR/academic sync's data). */
  async departmentPeople(department: string, limit: number): Promise<string[]> {
    const rows = await this.db.select<{ person_no: string }>(
      "SELECT person_no FROM persons WHERE department = ? AND status = 'active' ORDER BY person_no LIMIT ?",
      [department, limit],
    );
    return rows.map((r) => r.person_no);
  }

  async get(sessionId: string): Promise<MeetingView | undefined> {
    return (await this.list('m.session_id = ?', [sessionId]))[0];
  }

  /** Meetings starting in [fromMs, toMs), earliest first. */
  between(fromMs: number, toMs: number): Promise<MeetingView[]> {
    return this.list('s.starts_at_ms >= ? AND s.starts_at_ms < ?', [fromMs, toMs]);
  }

  /** The meeting a reader serves now: assigned to it, its sign-in window open. */
  async forReader(deviceId: string, nowMs: number): Promise<MeetingView | undefined> {
    const rows = await this.db.select<{ session_id: string }>(
      `SELECT r.session_id FROM meeting_readers r JOIN attendance_sessions s ON s.id = r.session_id
        WHERE r.device_id = ? AND s.sign_in_from_ms <= ? AND s.sign_in_until_ms > ?
        ORDER BY s.starts_at_ms LIMIT 1`,
      [deviceId, nowMs, nowMs],
    );
    const first = rows[0];
    return first ? this.get(first.session_id) : undefined;
  }

  /** The person's rostered sessions starting in [fromMs, toMs), with the lateness rule and their sign-in. */
  async sessionsOf(
    personNo: string,
    fromMs: number,
    toMs: number,
  ): Promise<
    { startsAtMs: number; endsAtMs: number; lateAfterMs: number | null; recordedAtMs: number | null }[]
  > {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT s.starts_at_ms, s.ends_at_ms, m.late_after_ms, r.recorded_at_ms
         FROM attendance_roster a JOIN attendance_sessions s ON s.id = a.session_id
         LEFT JOIN meetings m ON m.session_id = s.id
         LEFT JOIN attendance_records r ON r.session_id = s.id AND r.person_no = a.person_no
        WHERE a.person_no = ? AND s.starts_at_ms >= ? AND s.starts_at_ms < ?`,
      [personNo, fromMs, toMs],
    );
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return rows.map((r) => ({
      startsAtMs: Number(r.starts_at_ms),
      endsAtMs: Number(r.ends_at_ms),
      lateAfterMs: n(r.late_after_ms),
      recordedAtMs: n(r.recorded_at_ms),
    }));
  }

  /** People on the roster of any session starting in [fromMs, toMs). */
  async rosteredBetween(fromMs: number, toMs: number): Promise<string[]> {
    const rows = await this.db.select<{ person_no: string }>(
      `SELECT DISTINCT a.person_no FROM attendance_roster a JOIN attendance_sessions s ON s.id = a.session_id
        WHERE s.starts_at_ms >= ? AND s.starts_at_ms < ? ORDER BY a.person_no`,
      [fromMs, toMs],
    );
    return rows.map((r) => r.person_no);
  }

  /** Readers of sessions whose sign-in opened or closed in (fromMs, toMs]. */
  async readersOfWindowsMoved(fromMs: number, toMs: number): Promise<string[]> {
    const rows = await this.db.select<{ device_id: string }>(
      `SELECT DISTINCT r.device_id FROM meeting_readers r JOIN attendance_sessions s ON s.id = r.session_id
        WHERE (s.sign_in_from_ms > ? AND s.sign_in_from_ms <= ?) OR (s.sign_in_until_ms > ? AND s.sign_in_until_ms <= ?)`,
      [fromMs, toMs, fromMs, toMs],
    );
    return rows.map((r) => r.device_id);
  }

  private async list(where: string, params: (string | number)[]): Promise<MeetingView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT m.session_id, m.organiser, m.open_roster, m.late_after_ms, s.kind, s.title, s.location,
              s.starts_at_ms, s.ends_at_ms, s.sign_in_from_ms,
              (SELECT COUNT(*) FROM attendance_roster a WHERE a.session_id = m.session_id) AS roster_size
         FROM meetings m JOIN attendance_sessions s ON s.id = m.session_id
        WHERE ${where} ORDER BY s.starts_at_ms, m.session_id LIMIT 500`,
      params,
    );
    const out: MeetingView[] = [];
    for (const r of rows) {
      const readers = await this.db.select<{ device_id: string }>(
        'SELECT device_id FROM meeting_readers WHERE session_id = ? ORDER BY device_id',
        [String(r.session_id)],
      );
      out.push({
        id: String(r.session_id),
        kind: String(r.kind) as MeetingView['kind'],
        title: String(r.title),
        location: r.location === null ? null : String(r.location),
        startsAtMs: Number(r.starts_at_ms),
        endsAtMs: Number(r.ends_at_ms),
        signInFromMs: Number(r.sign_in_from_ms),
        lateAfterMs: Number(r.late_after_ms),
        openRoster: Number(r.open_roster) === 1,
        organiser: String(r.organiser),
        readers: readers.map((x) => x.device_id),
        rosterSize: Number(r.roster_size),
      });
    }
    return out;
  }

  /** Everyone expected or signed in, with their sign-in, name, department and seat. */
  async boardRows(sessionId: string): Promise<
    {
      personNo: string;
      name: string | null;
      department: string | null;
      seat: string | null;
      recordedAtMs: number | null;
      personId: string | null;
    }[]
  > {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT x.person_no, p.id AS person_id, p.name, p.department, e.seat, rec.recorded_at_ms
         FROM (SELECT person_no FROM attendance_roster WHERE session_id = ?
               UNION SELECT person_no FROM attendance_records WHERE session_id = ?) x
         LEFT JOIN attendance_records rec ON rec.session_id = ? AND rec.person_no = x.person_no
         LEFT JOIN persons p ON p.person_no = x.person_no
         LEFT JOIN exam_seats e ON e.session_id = ? AND e.person_no = x.person_no
        ORDER BY x.person_no`,
      [sessionId, sessionId, sessionId, sessionId],
    );
    return rows.map((r) => ({
      personNo: String(r.person_no),
      name: r.name === null || r.name === undefined ? null : String(r.name),
      department: r.department === null || r.department === undefined ? null : String(r.department),
      seat: r.seat === null || r.seat === undefined ? null : String(r.seat),
      personId: r.person_id === null || r.person_id === undefined ? null : String(r.person_id),
      recordedAtMs:
        r.recorded_at_ms === null || r.recorded_at_ms === undefined ? null : Number(r.recorded_at_ms),
    }));
  }

  /** A person's seat at an exam session, or null (no exam, or no seat on its roster). */
  async seatOf(sessionId: string, personNo: string): Promise<string | null> {
    const rows = await this.db.select<{ seat: string }>(
      'SELECT seat FROM exam_seats WHERE session_id = ? AND person_no = ?',
      [sessionId, personNo],
    );
    return rows[0] === undefined ? null : String(rows[0].seat);
  }

  async isOpen(sessionId: string): Promise<boolean> {
    const rows = await this.db.select<{ open_roster: number }>(
      'SELECT open_roster FROM meetings WHERE session_id = ?',
      [sessionId],
    );
    return Number(rows[0]?.open_roster ?? 0) === 1;
  }
}
