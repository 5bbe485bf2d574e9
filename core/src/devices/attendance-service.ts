// Attendance: sessions (a class meeting, a meeting, an exam sitting) with a roster and a sign-in window,
// filled by the identity sync from the academic-affairs database; readers sign people in through the
// gateway. The first sign-in of a person at a session is the record; later scans answer already_recorded.

import type {
  AttendanceRecordView,
  AttendanceSession,
  SignInInput,
  SignInResult,
} from '../contract/attendance.ts';
import type { CardView } from '../contract/cards.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { AttendanceRepository } from './attendance-repository.ts';

/** What attendance asks the cards domain: the card's holder, status and version. */
export interface CardLookup {
  get(cardNo: string): Promise<Pick<CardView, 'personNo' | 'status' | 'version'>>;
}

/**
 * What attendance asks the meetings domain: whether a session is a meeting open to anyone who comes, and a
 * person's seat at an exam.
 */
export interface OpenRosters {
  isOpen(sessionId: string): Promise<boolean>;
  seatOf(sessionId: string, personNo: string): Promise<string | null>;
}

export class AttendanceService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly cards: CardLookup,
    private readonly meetings: OpenRosters,
  ) {}

  /** Creates or replaces a session and its roster (the sync runs again and again). */
  async putSession(s: AttendanceSession): Promise<void> {
    await this.repository.putSession(s, Date.now());
  }

  /** Signs the card's holder in at a session; a retry of the same (device, sequence) answers recorded again. */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const result = await this.decide(input);
    if (input.withSeat !== true) return result;
    const recorded = result.status === 'recorded' || result.status === 'already_recorded';
    const personNo = recorded ? (await this.cards.get(input.cardNo)).personNo : undefined;
    return {
      ...result,
      seat: personNo === undefined ? null : await this.meetings.seatOf(input.sessionId, personNo),
    };
  }

  /**
   * The sign-in recorded under this reader's (device, sequence), answered as its first answer was, or null:
   * the same frame retried at another gateway, whose replay guard finds the code used by the first try.
   */
  async answered(
    q: { sessionId: string; deviceId: string; sequence: number },
    withSeat: boolean,
  ): Promise<SignInResult | null> {
    const found = await this.repository.recordedUnder(q.sessionId, q.deviceId, q.sequence);
    if (!found) return null;
    const result: SignInResult = { status: 'recorded', recordedAtMs: found.recordedAtMs };
    return withSeat ? { ...result, seat: await this.meetings.seatOf(q.sessionId, found.personNo) } : result;
  }

  private async decide(input: SignInInput): Promise<SignInResult> {
    const window = await this.repository.window(input.sessionId);
    if (!window) return { status: 'session_not_found', recordedAtMs: null };
    const card = await this.cards.get(input.cardNo);
    if (input.cardVersion !== undefined) {
      if (card.status === 'lost') throw new CoreError('CARD_LOST', 'the card is reported lost');
      if (card.status === 'frozen') throw new CoreError('CARD_FROZEN', 'the card is frozen');
      if (card.status === 'cancelled') throw new CoreError('CARD_CANCELLED', 'the card is cancelled');
      if (card.version !== input.cardVersion)
        throw new CoreError('CARD_VERSION_STALE', 'the code is for another version of the card');
    }
    const earlier = await this.repository.recorded(input.sessionId, card.personNo);
    if (earlier) {
      const same = earlier.deviceId === input.deviceId && earlier.sequence === input.sequence;
      return { status: same ? 'recorded' : 'already_recorded', recordedAtMs: earlier.recordedAtMs };
    }
    // An open meeting (sql/052, docs/visitors-meetings-bus.md) takes anyone who comes.
    if (
      !(await this.repository.onRoster(input.sessionId, card.personNo)) &&
      !(await this.meetings.isOpen(input.sessionId))
    )
      return { status: 'not_on_roster', recordedAtMs: null };
    if (input.atMs < window.signInFromMs || input.atMs >= window.signInUntilMs) {
      return { status: 'outside_window', recordedAtMs: null };
    }
    try {
      await this.repository.record({ ...input, personNo: card.personNo });
      return { status: 'recorded', recordedAtMs: input.atMs };
    } catch (error) {
      // Two readers at once: the other one recorded first.
      if (!isDuplicateKey(error)) throw error;
      const first = await this.repository.recorded(input.sessionId, card.personNo);
      return { status: 'already_recorded', recordedAtMs: first?.recordedAtMs ?? input.atMs };
    }
  }

  /** A person's sign-ins, newest first; none for an unknown card. */
  async recordsOf(cardNo: string, limit: number, beforeAtMs?: number): Promise<AttendanceRecordView[]> {
    const card = await this.cards.get(cardNo).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'CARD_NOT_FOUND') return undefined;
      throw error;
    });
    if (!card) return [];
    return this.repository.recordsOf(card.personNo, limit, beforeAtMs ?? Number.MAX_SAFE_INTEGER);
  }
}
