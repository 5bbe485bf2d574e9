import { createHash } from 'node:crypto';
import type { Forward } from '../contract/federation.ts';
import { type Database, isDuplicateKey, isRetryable, type Tx } from '../db/database.ts';
import { newId } from '../ids.ts';

/** A card's offline total would pass its cap: nothing was taken. */
export class CapExceeded extends Error {}

const attemptsMax = 5;

/** One offline exception about another centre, in the devices' offline-exception list (sql/004, sql/190). */
export interface CentreException {
  deviceId: string;
  operationId: string;
  /** Our card (at the card's centre), or null (at the device's centre: the card is another centre's). */
  cardNo: string | null;
  centreId: string;
  centreCardNo: string | null;
  amount: number;
  receivableAmount: number;
  reason: string;
  takenAtMs: number;
}

/**
 * Payments taken under another centre's offline policy and forwarded to it (sql/190): at the device's
 * centre the forwards and their cap totals, at the card's centre the forwards received and theirs, and on
 * both sides the offline exceptions a refusal becomes.
 */
export class ForwardsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores a forward and takes its amount from the card's total for the day in one transaction: the
   * conditional UPDATE (total + amount <= cap) is what makes a burst of one card's payments count one after
   * the other. Answers false when the id is stored already (nothing taken again); throws CapExceeded.
   */
  async insert(forward: Forward, cap: { day: number; capFen: number }): Promise<boolean> {
    await this.ensureTotal(forward.centreId, forward.cardNo, cap.day);
    return this.retried(() =>
      this.db.transaction(async (tx) => {
        try {
          await this.db.execute(
            `INSERT INTO federation_forwards (id, centre_id, card_no, card_version, code_id, merchant_id, device_id, amount, taken_at_ms, status, reason, attempts, next_attempt_at_ms, decided_at_ms, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, 0, ?, NULL, ?)`,
            [
              forward.id,
              forward.centreId,
              forward.cardNo,
              forward.cardVersion,
              forward.codeId,
              forward.merchantId,
              forward.deviceId,
              forward.amount,
              forward.takenAtMs,
              forward.nextAttemptAtMs,
              Date.now(),
            ],
            tx,
          );
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
        await this.take(forward.centreId, forward.cardNo, cap.day, forward.amount, cap.capFen, tx);
        return true;
      }),
    );
  }

  async get(id: string): Promise<Forward | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_forwards WHERE id = ?',
      [id],
    );
    return rows[0] === undefined ? undefined : toForward(rows[0]);
  }

  /** Pending forwards due now, oldest first. */
  async due(nowMs: number, limit: number): Promise<Forward[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      "SELECT * FROM federation_forwards WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT ?",
      [nowMs, limit],
    );
    return rows.map(toForward);
  }

  async list(status: Forward['status'], limit: number): Promise<Forward[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_forwards WHERE status = ? ORDER BY created_at_ms DESC, id LIMIT ?',
      [status, limit],
    );
    return rows.map(toForward);
  }

  /** The card centre's final answer; only a pending forward takes it (a decision never changes). */
  async decide(
    id: string,
    status: 'accepted' | 'refused',
    reason: string | null,
    nowMs: number,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      "UPDATE federation_forwards SET status = ?, reason = ?, decided_at_ms = ? WHERE id = ? AND status = 'pending'",
      [status, reason, nowMs, id],
    );
    return changed === 1;
  }

  async postpone(id: string, attempts: number, nextAttemptAtMs: number): Promise<void> {
    await this.db.execute(
      "UPDATE federation_forwards SET attempts = ?, next_attempt_at_ms = ? WHERE id = ? AND status = 'pending'",
      [attempts, nextAttemptAtMs, id],
    );
  }

  /** At the card's centre: a forward received before, if any. */
  async received(
    centreId: string,
    operationId: string,
  ): Promise<{ status: 'reserved' | 'refused'; reason: string | null } | undefined> {
    const rows = await this.db.select<{ status: 'reserved' | 'refused'; reason: string | null }>(
      'SELECT status, reason FROM federation_forwards_in WHERE centre_id = ? AND operation_id = ?',
      [centreId, operationId],
    );
    return rows[0];
  }

  /**
   * At the card's centre: a forward received, its amount taken from the card's total of all centres for
   * the day with the row. False when it was received before; throws CapExceeded.
   */
  async reserveReceived(
    ownCentreId: string,
    centreId: string,
    operationId: string,
    cardNo: string,
    amount: number,
    cap: { day: number; capFen: number },
  ): Promise<boolean> {
    await this.ensureTotal(ownCentreId, cardNo, cap.day);
    return this.retried(() =>
      this.db.transaction(async (tx) => {
        try {
          await this.insertReceived(centreId, operationId, cardNo, cap.day, amount, 'reserved', null, tx);
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
        await this.take(ownCentreId, cardNo, cap.day, amount, cap.capFen, tx);
        return true;
      }),
    );
  }

  /** At the card's centre: a forward refused before the ledger saw it, kept so that it stays refused. */
  async refuseReceived(
    centreId: string,
    operationId: string,
    cardNo: string,
    day: number,
    amount: number,
    reason: string,
  ): Promise<void> {
    try {
      await this.insertReceived(centreId, operationId, cardNo, day, amount, 'refused', reason);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** At the card's centre: the ledger refused a reserved forward; its amount goes back to the card's total. */
  async releaseReceived(
    ownCentreId: string,
    centreId: string,
    operationId: string,
    reason: string,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await this.db.select<{ card_no: string; settle_day: number; amount: unknown }>(
        `SELECT card_no, settle_day, amount FROM federation_forwards_in WHERE centre_id = ? AND operation_id = ? AND status = 'reserved'${this.db.forUpdate}`,
        [centreId, operationId],
        tx,
      );
      const row = rows[0];
      if (row === undefined) return;
      await this.db.execute(
        "UPDATE federation_forwards_in SET status = 'refused', reason = ? WHERE centre_id = ? AND operation_id = ?",
        [reason, centreId, operationId],
        tx,
      );
      await this.db.execute(
        'UPDATE federation_offline_totals SET total_fen = total_fen - ? WHERE centre_id = ? AND card_no = ? AND settle_day = ? AND total_fen >= ?',
        [Number(row.amount), ownCentreId, row.card_no, Number(row.settle_day), Number(row.amount)],
        tx,
      );
    });
  }

  /** Since when the card is lost, frozen or cancelled, if it is now: its blacklist entry, or its row. */
  async listedSince(cardNo: string): Promise<{ reason: string; atMs: number } | undefined> {
    const rows = await this.db.select<{ op: string; reason: string | null; created_at_ms: unknown }>(
      'SELECT op, reason, created_at_ms FROM blacklist_changes WHERE card_no = ? ORDER BY version DESC LIMIT 1',
      [cardNo],
    );
    const last = rows[0];
    if (last?.op === 'add' && last.reason !== null && last.reason !== 'reissued')
      return { reason: last.reason, atMs: Number(last.created_at_ms) };
    // The list follows the cards table in a transaction of its own, a moment after a card is blocked: a
    // card lost, frozen or cancelled and not listed yet was blocked at its row's last change.
    const cards = await this.db.select<{ status: string; updated_at_ms: unknown }>(
      'SELECT status, updated_at_ms FROM cards WHERE card_no = ?',
      [cardNo],
    );
    const card = cards[0];
    if (card === undefined || card.status === 'active') return undefined;
    return { reason: card.status, atMs: Number(card.updated_at_ms) };
  }

  /**
   * An offline exception for the administrators, once per operation: its record number is a negative
   * number drawn from the operation id (devices number their records from 1), so a repeat is a duplicate.
   */
  async insertException(e: CentreException): Promise<void> {
    const offlineNo = -Number.parseInt(
      createHash('sha256').update(e.operationId).digest('hex').slice(0, 12),
      16,
    );
    const sequence = Number(/:(\d+)$/.exec(e.operationId)?.[1] ?? 0);
    try {
      await this.db.execute(
        `INSERT INTO offline_exceptions (id, device_id, offline_no, sequence, card_no, amount, receivable_amount, reason, operation_id, status, taken_at_ms, created_at_ms, centre_id, centre_card_no)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
        [
          newId(),
          e.deviceId,
          offlineNo,
          Number.isSafeInteger(sequence) ? sequence : 0,
          e.cardNo,
          e.amount,
          e.receivableAmount,
          e.reason,
          e.operationId,
          e.takenAtMs,
          Date.now(),
          e.centreId,
          e.centreCardNo,
        ],
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  private async insertReceived(
    centreId: string,
    operationId: string,
    cardNo: string,
    day: number,
    amount: number,
    status: 'reserved' | 'refused',
    reason: string | null,
    tx?: Tx,
  ): Promise<void> {
    await this.db.execute(
      `INSERT INTO federation_forwards_in (centre_id, operation_id, card_no, settle_day, amount, status, reason, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [centreId, operationId, cardNo, day, amount, status, reason, Date.now()],
      tx,
    );
  }

  private async ensureTotal(centreId: string, cardNo: string, day: number): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(
      `${ignore} INTO federation_offline_totals (centre_id, card_no, settle_day, total_fen) VALUES (?, ?, ?, 0)`,
      [centreId, cardNo, day],
    );
  }

  private async take(
    centreId: string,
    cardNo: string,
    day: number,
    amount: number,
    capFen: number,
    tx: Tx,
  ): Promise<void> {
    const changed = await this.db.execute(
      'UPDATE federation_offline_totals SET total_fen = total_fen + ? WHERE centre_id = ? AND card_no = ? AND settle_day = ? AND total_fen + ? <= ?',
      [amount, centreId, cardNo, day, amount, capFen],
      tx,
    );
    if (changed !== 1) throw new CapExceeded();
  }

  /** A deadlock or lock wait among a burst of one card's payments: the transaction is run again. */
  private async retried<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= attemptsMax || !isRetryable(error)) throw error;
      }
    }
  }
}

function toForward(r: Record<string, unknown>): Forward {
  const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(r.id),
    centreId: String(r.centre_id),
    cardNo: String(r.card_no),
    cardVersion: numberOrNull(r.card_version),
    codeId: r.code_id === null || r.code_id === undefined ? null : String(r.code_id),
    merchantId: String(r.merchant_id),
    deviceId: r.device_id === null || r.device_id === undefined ? null : String(r.device_id),
    amount: Number(r.amount),
    takenAtMs: Number(r.taken_at_ms),
    status: r.status as Forward['status'],
    reason: r.reason === null || r.reason === undefined ? null : String(r.reason),
    attempts: Number(r.attempts),
    nextAttemptAtMs: Number(r.next_attempt_at_ms),
    decidedAtMs: numberOrNull(r.decided_at_ms),
  };
}
