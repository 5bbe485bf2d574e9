// Attendance: sessions (a class meeting, a meeting, an exam sitting) with a roster and a sign-in window,
// filled by the identity sync from the academic-affairs database; readers sign people in through the
// gateway. The first sign-in of a person at a session is the record; later scans answer already_recorded.

import { z } from 'zod';
import { attendanceKinds } from '../contract/attendance.ts';
import { attendanceSessionId, cardNo, deviceRef } from '../contract/fields.ts';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { attendanceWrites } from './attendance-writes.ts';

export { attendanceKinds } from '../contract/attendance.ts';
export type AttendanceStatus =
  | 'recorded'
  | 'already_recorded'
  | 'not_on_roster'
  | 'outside_window'
  | 'session_not_found';

const sessionId = attendanceSessionId;
const personNo = z.string().regex(/^[A-Za-z0-9]{1,32}$/);
const ms = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Rosters are bounded so one request cannot hold the database for long. */
export const rosterSizeMax = 2_000;

export const attendanceSessionInput = z
  .strictObject({
    id: sessionId,
    kind: z.enum(attendanceKinds),
    title: z.string().min(1).max(128),
    location: z.string().max(64).nullable().default(null),
    startsAtMs: ms,
    endsAtMs: ms,
    signInFromMs: ms,
    signInUntilMs: ms,
    roster: z.array(personNo).max(rosterSizeMax),
  })
  .refine(
    (s) => s.signInFromMs < s.signInUntilMs && s.startsAtMs <= s.endsAtMs,
    'the times are out of order',
  );
export type AttendanceSessionInput = z.input<typeof attendanceSessionInput>;

export const signInInput = z.strictObject({
  sessionId,
  cardNo,
  /** The device id, `-<keyVersion>` after a re-key (sequences restart with each key). */
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  /** When the person was at the reader: now for online sign-ins, the record's time for offline ones. */
  atMs: ms,
  source: z.enum(['online', 'offline']),
  /**
   * Online: the version the scanned code's certificate names. Then only an active card at exactly that
   * version signs in (CARD_LOST … or CARD_VERSION_STALE otherwise): a superseded phone, or a certificate
   * for a version never issued, signs nobody in. Offline records are judged as of when they were taken.
   */
  cardVersion: z.number().int().min(1).max(0xffff_ffff).optional(),
});
export type SignInInput = z.infer<typeof signInInput>;

export interface SignInResult {
  status: AttendanceStatus;
  /** When the person was (first) recorded; null unless recorded or already_recorded. */
  recordedAtMs: number | null;
}

export interface AttendanceRecordView {
  sessionId: string;
  kind: string;
  title: string;
  startsAtMs: number;
  deviceId: string;
  source: string;
  recordedAtMs: number;
}

export class AttendanceService {
  constructor(private readonly db: Database) {}

  /** Creates or replaces a session and its roster (the sync runs again and again). */
  async putSession(s: z.output<typeof attendanceSessionInput>): Promise<void> {
    const people = [...new Set(s.roster)];
    await this.db.transaction((tx) =>
      this.db.run(
        [
          ...attendanceWrites.deleteSessions([s.id]),
          attendanceWrites.insertSession(s, Date.now()),
          ...attendanceWrites.addToRosters(people.map((personNo) => ({ sessionId: s.id, personNo }))),
        ],
        tx,
        { commit: true },
      ),
    );
  }

  private async openToAll(sessionId: string): Promise<boolean> {
    const rows = await this.db.select<{ open_roster: number }>(
      'SELECT open_roster FROM meetings WHERE session_id = ?',
      [sessionId],
    );
    return Number(rows[0]?.open_roster ?? 0) === 1;
  }

  /** Signs the card's holder in at a session; a retry of the same (device, sequence) answers recorded again. */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const sessions = await this.db.select<{ sign_in_from_ms: number; sign_in_until_ms: number }>(
      'SELECT sign_in_from_ms, sign_in_until_ms FROM attendance_sessions WHERE id = ?',
      [input.sessionId],
    );
    const session = sessions[0];
    if (!session) return { status: 'session_not_found', recordedAtMs: null };
    const people = await this.db.select<{ person_no: string; status: string; version: number }>(
      'SELECT p.person_no, c.status, c.version FROM cards c JOIN persons p ON p.id = c.person_id WHERE c.card_no = ?',
      [input.cardNo],
    );
    const person = people[0];
    if (!person) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    if (input.cardVersion !== undefined) {
      if (person.status === 'lost') throw new CoreError('CARD_LOST', 'the card is reported lost');
      if (person.status === 'frozen') throw new CoreError('CARD_FROZEN', 'the card is frozen');
      if (person.status === 'cancelled') throw new CoreError('CARD_CANCELLED', 'the card is cancelled');
      if (Number(person.version) !== input.cardVersion)
        throw new CoreError('CARD_VERSION_STALE', 'the code is for another version of the card');
    }
    const earlier = await this.record(input.sessionId, person.person_no);
    if (earlier) {
      const same = earlier.device_id === input.deviceId && Number(earlier.sequence) === input.sequence;
      return { status: same ? 'recorded' : 'already_recorded', recordedAtMs: Number(earlier.recorded_at_ms) };
    }
    const listed = await this.db.select<{ n: number }>(
      'SELECT COUNT(*) AS n FROM attendance_roster WHERE session_id = ? AND person_no = ?',
      [input.sessionId, person.person_no],
    );
    // An open meeting (sql/052, docs/visitors-meetings-bus.md) takes anyone who comes.
    if (Number(listed[0]?.n ?? 0) === 0 && !(await this.openToAll(input.sessionId)))
      return { status: 'not_on_roster', recordedAtMs: null };
    if (input.atMs < Number(session.sign_in_from_ms) || input.atMs >= Number(session.sign_in_until_ms)) {
      return { status: 'outside_window', recordedAtMs: null };
    }
    try {
      await this.db.execute(
        'INSERT INTO attendance_records (session_id, person_no, card_no, device_id, sequence, source, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          input.sessionId,
          person.person_no,
          input.cardNo,
          input.deviceId,
          input.sequence,
          input.source,
          input.atMs,
        ],
      );
      return { status: 'recorded', recordedAtMs: input.atMs };
    } catch (error) {
      // Two readers at once: the other one recorded first.
      if (!isDuplicateKey(error)) throw error;
      const first = await this.record(input.sessionId, person.person_no);
      return { status: 'already_recorded', recordedAtMs: Number(first?.recorded_at_ms ?? input.atMs) };
    }
  }

  /** A person's sign-ins, newest first. */
  async recordsOf(cardNo: string, limit: number, beforeAtMs?: number): Promise<AttendanceRecordView[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT r.session_id, s.kind, s.title, s.starts_at_ms, r.device_id, r.source, r.recorded_at_ms
         FROM cards c JOIN persons p ON p.id = c.person_id
         JOIN attendance_records r ON r.person_no = p.person_no
         JOIN attendance_sessions s ON s.id = r.session_id
        WHERE c.card_no = ? AND r.recorded_at_ms < ?
        ORDER BY r.recorded_at_ms DESC LIMIT ?`,
      [cardNo, beforeAtMs ?? Number.MAX_SAFE_INTEGER, limit],
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

  private async record(
    session: string,
    person: string,
  ): Promise<{ device_id: string; sequence: number; recorded_at_ms: number } | undefined> {
    const rows = await this.db.select<{ device_id: string; sequence: number; recorded_at_ms: number }>(
      'SELECT device_id, sequence, recorded_at_ms FROM attendance_records WHERE session_id = ? AND person_no = ?',
      [session, person],
    );
    return rows[0];
  }
}
