// Closing an offline exception (docs/admin.md, "Offline exceptions"). An offline payment the wallets
// could not pay in full left its shortfall as a debt on SYS-OFFLINE-RECEIVABLE; an administrator either
// recovers it from the card's main wallet, writes it off as a loss, or (when nothing is owed) dismisses
// the exception. Each is one transaction: a conditional UPDATE ... WHERE status = 'open' closes the
// exception, and the money moves beside it, so an exception is closed once and its money moves once.
// The wallet's CHECK (no negative balance) decides whether the card can pay: nothing is read first.

import type {
  OfflineResolution as Resolution,
  OfflineResolutionAction as ResolutionAction,
  OfflineResolutionInput as ResolutionInput,
  ResolvedException,
} from '../contract/devices.ts';
import { type Database, isDuplicateKey, isRetryable, type Param, type Tx } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { systemAccounts } from '../ledger/operations.ts';
import { shanghaiDay } from '../time.ts';

/** The loss account a written-off receivable moves to (sql/013_offline_resolution.sql). */
export const offlineWriteOffAccount = 'SYS-OFFLINE-WRITE-OFF';

export type { OfflineResolutionAction as ResolutionAction } from '../contract/devices.ts';
export { offlineResolutionActions as resolutionActions } from '../contract/devices.ts';

const resolutionOf: Record<ResolutionAction, Resolution> = {
  recover: 'recovered',
  write_off: 'written_off',
  dismiss: 'dismissed',
};

export type {
  OfflineResolutionInput as ResolutionInput,
  ResolvedException,
} from '../contract/devices.ts';
export { offlineResolutionSchema as resolutionInput } from '../contract/devices.ts';

const attemptsMax = 5;

export const exceptionColumns =
  'id, device_id, offline_no, sequence, card_no, amount, receivable_amount, reason, operation_id, status, taken_at_ms, created_at_ms, resolution, resolved_by, resolved_at_ms, resolution_note, resolution_request_id, resolution_operation_id, centre_id, centre_card_no';

export class OfflineResolutions {
  constructor(private readonly db: Database) {}

  /**
   * A page of exceptions, newest first; `before` is the last row's (createdAtMs, id) of the page before;
   * `deviceIds`, only those devices' (one campus's).
   */
  async list(
    status: 'open' | 'closed',
    limit: number,
    before?: { atMs: number; id: string },
    deviceIds?: readonly string[],
  ): Promise<ResolvedException[]> {
    if (deviceIds?.length === 0) return [];
    const params: Param[] = [status];
    let where = 'status = ?';
    if (deviceIds) {
      where += ` AND device_id IN (${deviceIds.map(() => '?').join(', ')})`;
      params.push(...deviceIds);
    }
    if (before) {
      where += ' AND (created_at_ms < ? OR (created_at_ms = ? AND id < ?))';
      params.push(before.atMs, before.atMs, before.id);
    }
    params.push(limit);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${exceptionColumns} FROM offline_exceptions WHERE ${where} ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(toException);
  }

  /**
   * Closes an open exception the way `input.action` says. A retry of the same request answers the
   * same exception with replayed: true; any other attempt at a closed one is EXCEPTION_RESOLVED.
   */
  async resolve(id: string, input: ResolutionInput): Promise<ResolvedException & { replayed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const closed = await this.db.transaction((tx) => this.close(id, input, tx));
        if (closed) return { ...(await this.get(id)), replayed: false };
        return { ...(await this.whyNot(id, input)), replayed: true };
      } catch (error) {
        if (isCheckViolation(error)) {
          throw new CoreError('INSUFFICIENT_FUNDS', "the card's main wallet holds less than the receivable");
        }
        if (isDuplicateKey(error)) {
          throw new CoreError('ID_REUSED', `request ${input.requestId} already resolved another exception`);
        }
        if (attempt >= attemptsMax || !isRetryable(error)) throw error;
      }
    }
  }

  /** The transaction: answers false (and changes nothing) when the exception was not open for this action. */
  private async close(id: string, input: ResolutionInput, tx: Tx): Promise<boolean> {
    const db = this.db;
    const nowMs = Date.now();
    const operationId = input.action === 'dismiss' ? null : `offx:${id}:${input.action}`;
    const owed = input.action === 'dismiss' ? 'receivable_amount = 0' : 'receivable_amount > 0';
    const card = input.action === 'recover' ? ' AND card_no IS NOT NULL' : '';
    const changed = await db.execute(
      `UPDATE offline_exceptions
          SET status = 'closed', resolution = ?, resolved_by = ?, resolved_at_ms = ?, resolution_note = ?,
              resolution_request_id = ?, resolution_operation_id = ?
        WHERE id = ? AND status = 'open' AND ${owed}${card}`,
      [resolutionOf[input.action], input.actorId, nowMs, input.note, input.requestId, operationId, id],
      tx,
    );
    if (changed === 0) return false;
    if (operationId === null) return true;
    // The exception row is ours now; the card row is locked before its wallet, in the ledger's order.
    const rows = await db.select<{ receivable_amount: number | string; main_account_id: string | null }>(
      `SELECT e.receivable_amount, c.main_account_id
         FROM offline_exceptions e LEFT JOIN cards c ON c.card_no = e.card_no
        WHERE e.id = ?${db.forUpdate}`,
      [id],
      tx,
    );
    const row = rows[0];
    const amount = Number(row?.receivable_amount);
    const debit = input.action === 'recover' ? row?.main_account_id : offlineWriteOffAccount;
    if (!debit) throw new CoreError('CARD_NOT_FOUND', 'the exception names no card on record');
    const credit = systemAccounts.offlineReceivable;
    const request = {
      accountId: debit,
      amount: -amount,
      reason: `offline ${input.action} of exception ${id}: ${input.note}`,
    };
    const results = await db.run(
      [
        {
          // The journal's operation, in the shape of an adjustment (kept out of the card's bills, as
          // adjustments are); reference_id names the exception.
          sql: `INSERT INTO operations (id, kind, outcome, card_no, merchant_id, device_id, reference_id, amount, subsidy_amount,
                  refunded_amount, request_extra, main_after, subsidy_after, answer_extra, created_day, created_at_ms)
                VALUES (?, 'adjustment', 'ok', NULL, NULL, NULL, ?, ?, 0, 0, ?, NULL, NULL, NULL, ?, ?)`,
          params: [operationId, id, amount, JSON.stringify(request), shanghaiDay(nowMs), nowMs],
        },
        {
          sql: `INSERT INTO transfers (id, operation_id, debit_account_id, credit_account_id, amount, pending, created_at_ms)
                VALUES (?, ?, ?, ?, ?, 0, ?)`,
          params: [`${operationId}:0`, operationId, debit, credit, amount, nowMs],
        },
        // The wallet's CHECK refuses a balance below zero: then the whole transaction rolls back.
        {
          sql: 'UPDATE accounts SET debits_posted = debits_posted + ? WHERE id = ?',
          params: [amount, debit],
        },
        {
          sql: 'UPDATE accounts SET credits_posted = credits_posted + ? WHERE id = ?',
          params: [amount, credit],
        },
      ],
      tx,
    );
    if (results[2] !== 1 || results[3] !== 1) {
      throw new Error(
        `offline resolution of ${id} changed ${String(results[2])}/${String(results[3])} accounts`,
      );
    }
    return true;
  }

  /** After a close that changed nothing: the retry's answer, or why the exception cannot be closed so. */
  private async whyNot(id: string, input: ResolutionInput): Promise<ResolvedException> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${exceptionColumns} FROM offline_exceptions WHERE id = ?`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new CoreError('NOT_FOUND', 'no such offline exception');
    const exception = toException(row);
    if (exception.status === 'closed') {
      if (row.resolution_request_id === input.requestId) {
        if (exception.resolution !== resolutionOf[input.action]) {
          throw new CoreError('ID_REUSED', `request ${input.requestId} was made with another action`);
        }
        return exception;
      }
      throw new CoreError(
        'EXCEPTION_RESOLVED',
        `the exception was already ${exception.resolution ?? 'closed'}`,
        {
          resolution: exception.resolution,
        },
      );
    }
    if (input.action === 'dismiss') {
      throw new CoreError('RECEIVABLE_OUTSTANDING', 'a receivable is owed: recover it or write it off');
    }
    if (exception.receivableAmount === 0) {
      throw new CoreError('NOTHING_RECEIVABLE', 'nothing is owed on this exception: dismiss it');
    }
    throw new CoreError('CARD_NOT_FOUND', 'the exception names no card to recover from');
  }

  private async get(id: string): Promise<ResolvedException> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${exceptionColumns} FROM offline_exceptions WHERE id = ?`,
      [id],
    );
    if (!rows[0]) throw new CoreError('NOT_FOUND', 'no such offline exception');
    return toException(rows[0]);
  }
}

export function toException(r: Record<string, unknown>): ResolvedException {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(r.id),
    deviceId: String(r.device_id),
    offlineNo: Number(r.offline_no),
    sequence: Number(r.sequence),
    cardNo: text(r.card_no),
    amount: Number(r.amount),
    receivableAmount: Number(r.receivable_amount),
    reason: String(r.reason),
    operationId: text(r.operation_id),
    status: r.status as 'open' | 'closed',
    takenAtMs: Number(r.taken_at_ms),
    createdAtMs: Number(r.created_at_ms),
    resolution: text(r.resolution) as Resolution | null,
    resolvedBy: text(r.resolved_by),
    resolvedAtMs:
      r.resolved_at_ms === null || r.resolved_at_ms === undefined ? null : Number(r.resolved_at_ms),
    resolutionNote: text(r.resolution_note),
    resolutionOperationId: text(r.resolution_operation_id),
    centreId: text(r.centre_id),
    centreCardNo: text(r.centre_card_no),
  };
}

interface DriverError {
  errno?: number;
  code?: string;
  message?: string;
  parent?: DriverError;
}

/** A CHECK constraint refused the write: MariaDB 4025, MySQL 3819, SQLite's constraint error. */
function isCheckViolation(error: unknown): boolean {
  const e = error as DriverError;
  const cause = e.parent ?? e;
  return (
    cause.errno === 4025 ||
    cause.errno === 3819 ||
    (cause.code === 'SQLITE_CONSTRAINT' && /CHECK constraint failed/.test(cause.message ?? ''))
  );
}
