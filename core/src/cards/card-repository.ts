import type { CardEvent, CardStatus, CardView } from '../contract/cards.ts';
import type { Database, Tx } from '../db/database.ts';
import type { Models } from '../db/models.ts';
import { shanghaiDay } from '../time.ts';
import { insertCardEvents } from './card-events.ts';
import { openingStatements } from './card-opening.ts';

export type { CardEvent, CardStatus, CardView };

export interface NewPerson {
  personNo: string;
  name: string;
  type: 'student' | 'staff' | 'parent' | 'visitor' | 'alumnus';
  department: string | null;
  idNumberEnc: string | null;
  phoneEnc: string | null;
}

export class CardRepository {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
  ) {}

  /** Creates the person, both wallets and the card in one transaction (the writes are the cards domain's, card-opening.ts). */
  async open(
    person: NewPerson,
    cardNo: string,
    limits: { dailyLimit: number; pinFreeLimit: number },
    actor: { type: string; id: string | null },
    expiresAtMs: number | null = null,
  ): Promise<void> {
    const { statements } = openingStatements(
      [{ ...person, status: 'active', cardNo }],
      limits,
      { ...actor, reason: null },
      Date.now(),
    );
    // A temporary or visitor card: its expiry is written in the opening's transaction.
    if (expiresAtMs !== null)
      statements.push({
        sql: 'UPDATE cards SET expires_at_ms = ? WHERE card_no = ?',
        params: [expiresAtMs, cardNo],
      });
    await this.db.transaction((tx) => this.db.run(statements, tx, { commit: true }));
  }

  async find(cardNo: string): Promise<CardView | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT c.card_no, c.person_id, p.person_no, p.name, p.type, p.department, c.status, c.version, c.daily_limit,
              c.pin_free_limit, c.pin_hash, c.spent_day, c.spent_day_amount, c.reissue_count, c.expires_at_ms,
              m.credits_posted - m.debits_posted - m.debits_pending AS main_available, m.debits_pending AS main_pending,
              s.credits_posted - s.debits_posted - s.debits_pending AS subsidy_available, s.debits_pending AS subsidy_pending
         FROM cards c
         JOIN persons p ON p.id = c.person_id
         JOIN accounts m ON m.id = c.main_account_id
         JOIN accounts s ON s.id = c.subsidy_account_id
        WHERE c.card_no = ?`,
      [cardNo],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      cardNo: String(r.card_no),
      personId: String(r.person_id),
      personNo: String(r.person_no),
      name: String(r.name),
      personType: String(r.type),
      department: r.department === null ? null : String(r.department),
      status: r.status as CardStatus,
      version: Number(r.version),
      dailyLimit: Number(r.daily_limit),
      pinFreeLimit: Number(r.pin_free_limit),
      pinSet: r.pin_hash !== null,
      spentToday: Number(r.spent_day) === shanghaiDay(Date.now()) ? Number(r.spent_day_amount) : 0,
      balance: {
        main: Number(r.main_available),
        subsidy: Number(r.subsidy_available),
        mainPending: Number(r.main_pending),
        subsidyPending: Number(r.subsidy_pending),
      },
      reissueCount: Number(r.reissue_count),
      expiresAtMs: r.expires_at_ms === null ? null : Number(r.expires_at_ms),
    };
  }

  async pinHash(cardNo: string): Promise<string | null | undefined> {
    const rows = await this.db.select<{ pin_hash: string | null }>(
      'SELECT pin_hash FROM cards WHERE card_no = ?',
      [cardNo],
    );
    return rows[0] ? rows[0].pin_hash : undefined;
  }

  /**
   * Takes one PIN check for the card before the PIN is compared, in one conditional UPDATE: allowed while
   * the window's checks are under `max` (a window that has ended starts again at this check). Answers
   * 'taken', 'locked' (no check left in this window) or 'missing' (no such card).
   */
  async takePinCheck(cardNo: string, max: number, windowMs: number, nowMs: number) {
    const fresh = 'pin_failures_until_ms IS NULL OR pin_failures_until_ms <= ?';
    const taken = await this.db.execute(
      `UPDATE cards SET pin_failures = CASE WHEN ${fresh} THEN 1 ELSE pin_failures + 1 END,
              pin_failures_until_ms = CASE WHEN ${fresh} THEN ? ELSE pin_failures_until_ms END
        WHERE card_no = ? AND (${fresh} OR pin_failures < ?)`,
      [nowMs, nowMs, nowMs + windowMs, cardNo, nowMs, max],
    );
    if (taken === 1) return 'taken' as const;
    return (await this.pinHash(cardNo)) === undefined ? ('missing' as const) : ('locked' as const);
  }

  /**
   * Settles a taken PIN check: a right PIN gives its slot back (never out of a lock); a wrong one keeps
   * it, and locks the PIN for the rest of the window once the window's checks reach `max`.
   */
  async settlePinCheck(cardNo: string, right: boolean, max: number): Promise<void> {
    if (right)
      await this.db.execute(
        'UPDATE cards SET pin_failures = pin_failures - 1 WHERE card_no = ? AND pin_failures > 0 AND pin_failures < ?',
        [cardNo, pinLockedCount],
      );
    else
      await this.db.execute('UPDATE cards SET pin_failures = ? WHERE card_no = ? AND pin_failures >= ?', [
        pinLockedCount,
        cardNo,
        max,
      ]);
  }

  /**
   * Moves the card from one of `from` to `to` and bumps its version, in one conditional UPDATE:
   * the row lock it takes orders it against payments of the same card, so no payment that starts
   * after it commits can pass with the old status.
   */
  async transition(
    cardNo: string,
    from: readonly CardStatus[],
    to: CardStatus,
    event: Omit<CardEvent, 'fromStatus' | 'toStatus' | 'version'>,
    reissue: boolean,
  ): Promise<{ version: number; fromStatus: CardStatus } | undefined> {
    return this.db.transaction(async (tx) => {
      const current = await this.db.select<{ status: CardStatus; version: number }>(
        `SELECT status, version FROM cards WHERE card_no = ?${this.db.forUpdate}`,
        [cardNo],
        tx,
      );
      const row = current[0];
      if (!row || !from.includes(row.status)) return undefined;
      const version = Number(row.version) + 1;
      const updated = await this.db.execute(
        `UPDATE cards SET status = ?, version = ?, reissue_count = reissue_count + ?, updated_at_ms = ? WHERE card_no = ? AND version = ?`,
        [to, version, reissue ? 1 : 0, Date.now(), cardNo, Number(row.version)],
        tx,
      );
      if (updated !== 1) throw new Error(`card ${cardNo} changed under its row lock`);
      await this.addEvent(cardNo, { ...event, fromStatus: row.status, toStatus: to, version }, tx);
      return { version, fromStatus: row.status };
    });
  }

  async setPinHash(
    cardNo: string,
    pinHash: string,
    actor: { type: string; id: string | null },
    kind: 'pin_set' | 'pin_reset' = 'pin_set',
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await this.db.execute(
        // A new PIN (set by the holder with the current PIN or the identity proof, or by the card
        // centre) starts with no wrong ones.
        'UPDATE cards SET pin_hash = ?, pin_failures = 0, pin_failures_until_ms = NULL, updated_at_ms = ? WHERE card_no = ?',
        [pinHash, Date.now(), cardNo],
        tx,
      );
      if (updated !== 1) return false;
      const status = await this.db.select<{ status: CardStatus; version: number }>(
        'SELECT status, version FROM cards WHERE card_no = ?',
        [cardNo],
        tx,
      );
      const s = status[0] as { status: CardStatus; version: number };
      await this.addEvent(
        cardNo,
        {
          kind,
          fromStatus: s.status,
          toStatus: s.status,
          version: Number(s.version),
          actorType: actor.type,
          actorId: actor.id,
          reason: null,
        },
        tx,
      );
      return true;
    });
  }

  /** Active cards whose expiry has passed, oldest expiry first, at most `limit`. */
  async dueToExpire(nowMs: number, limit: number): Promise<string[]> {
    const rows = await this.db.select<{ card_no: string }>(
      `SELECT card_no FROM cards WHERE expires_at_ms <= ? AND status = 'active' ORDER BY expires_at_ms LIMIT ${Number(limit)}`,
      [nowMs],
    );
    return rows.map((row) => String(row.card_no));
  }

  /** Both limits at once; false when there is no such card. */
  async setLimits(cardNo: string, limits: { dailyLimit: number; pinFreeLimit: number }): Promise<boolean> {
    return (
      (await this.db.execute(
        'UPDATE cards SET daily_limit = ?, pin_free_limit = ?, updated_at_ms = ? WHERE card_no = ?',
        [limits.dailyLimit, limits.pinFreeLimit, Date.now(), cardNo],
      )) === 1
    );
  }

  /** The holder's sealed ID number: undefined when there is no such card, null when none is on file. */
  async idNumberSealed(cardNo: string): Promise<string | null | undefined> {
    const rows = await this.db.select<{ id_number_enc: string | null }>(
      'SELECT p.id_number_enc FROM cards c JOIN persons p ON p.id = c.person_id WHERE c.card_no = ?',
      [cardNo],
    );
    const row = rows[0];
    return row ? row.id_number_enc : undefined;
  }

  async setDailyLimit(cardNo: string, dailyLimit: number): Promise<boolean> {
    return (
      (await this.db.execute('UPDATE cards SET daily_limit = ?, updated_at_ms = ? WHERE card_no = ?', [
        dailyLimit,
        Date.now(),
        cardNo,
      ])) === 1
    );
  }

  async events(cardNo: string): Promise<(CardEvent & { createdAtMs: number })[]> {
    const rows = await this.models.CardEvent.findAll({
      where: { cardNo },
      order: [
        ['createdAtMs', 'ASC'],
        ['id', 'ASC'],
      ],
      raw: true,
    });
    return rows.map((r) => {
      const e = r as unknown as CardEvent & { createdAtMs: number | string };
      return { ...e, version: Number(e.version), createdAtMs: Number(e.createdAtMs) };
    });
  }

  private async addEvent(cardNo: string, e: CardEvent, tx: Tx): Promise<void> {
    await this.db.run([insertCardEvents([{ ...e, cardNo, createdAtMs: Date.now() }])], tx);
  }
}

/** A locked PIN's count: far above any limit, so no right PIN in flight brings it back under. */
const pinLockedCount = 1_000_000;
