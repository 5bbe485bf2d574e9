import type { OperationView } from '../contract/ledger.ts';
import type { Database } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { parseDeviceRef } from './devices.ts';
import { type StoredOperation, storedOperationColumns, storedOutcome } from './operation-record.ts';
import { toHold } from './rows.ts';
import type { HoldRow } from './state.ts';

export type { OperationView };

/** Reads of the journal, and the one write that is not a transfer: a meter's usage report. */
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  async operation(id: string): Promise<OperationView | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(`${selectOperations} WHERE id = ?`, [id]);
    return rows[0] ? toOperation(rows[0]) : undefined;
  }

  /** A card's accepted operations, newest first, paged by (created_at_ms, id). */
  async cardOperations(
    cardNo: string,
    before: { atMs: number; id: string } | undefined,
    limit: number,
  ): Promise<OperationView[]> {
    const params: (string | number)[] = [cardNo];
    let where = "card_no = ? AND outcome = 'ok'";
    if (before) {
      where += ' AND (created_at_ms < ? OR (created_at_ms = ? AND id < ?))';
      params.push(before.atMs, before.atMs, before.id);
    }
    params.push(limit);
    const rows = await this.db.select<Record<string, unknown>>(
      `${selectOperations} WHERE ${where} ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(toOperation);
  }

  async hold(id: string): Promise<HoldRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>('SELECT * FROM holds WHERE id = ?', [id]);
    return rows[0] ? toHold(rows[0]) : undefined;
  }

  /**
   * Raises a pending hold's reported usage. Usage only grows and never passes the held amount;
   * the condition in the UPDATE decides, so concurrent or repeated reports are safe. A report from a
   * disabled or re-keyed device changes nothing (the same UPDATE reads the device) and is
   * DEVICE_DISABLED: the hold then expires at the usage reported before the disable.
   */
  async reportUsage(holdId: string, usageAmount: number, deviceId?: string): Promise<boolean> {
    const device = deviceId === undefined ? undefined : parseDeviceRef(deviceId);
    const updated = await this.db.execute(
      `UPDATE holds SET usage_amount = ? WHERE id = ? AND status = 'pending' AND usage_amount <= ? AND amount >= ?${
        deviceId === undefined ? '' : ' AND device_id = ?'
      }${device === undefined ? '' : ` AND NOT EXISTS (${deviceRefusedSql})`}`,
      [
        usageAmount,
        holdId,
        usageAmount,
        usageAmount,
        ...(deviceId === undefined ? [] : [deviceId]),
        ...(device === undefined ? [] : [device.deviceId, device.keyVersion]),
      ],
    );
    if (updated === 1) return true;
    if (device !== undefined) {
      const refused = await this.db.select(deviceRefusedSql, [device.deviceId, device.keyVersion]);
      if (refused.length > 0)
        throw new CoreError('DEVICE_DISABLED', 'the device is disabled or was re-keyed');
    }
    return false;
  }

  /**
   * Opens a system account (a trusted centre's receivable, docs/federation.md) unless it exists; the ledger
   * is the one writer of accounts. Overdraft allowed: it mirrors what that centre's cards spent here.
   */
  async openSystemAccount(id: string, code: string): Promise<void> {
    await this.db.execute(
      `INSERT INTO accounts (id, kind, owner_id, code, allow_overdraft, created_at_ms)
       SELECT ?, 'system', NULL, ?, 1, ? WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE id = ?)`,
      [id, code, Date.now(), id],
    );
  }

  /** Forgets consumed codes used before the retention; returns how many. */
  async forgetCodeUses(retentionMs: number): Promise<number> {
    return this.db.execute(`DELETE FROM code_uses WHERE used_at_ms < ${this.db.nowMsSql} - ?`, [retentionMs]);
  }

  /** Pending holds whose time ran out on the database clock. */
  async expiredHoldIds(limit: number): Promise<string[]> {
    const rows = await this.db.select<{ id: string }>(
      `SELECT id FROM holds WHERE status = 'pending' AND expires_at_ms <= ${this.db.nowMsSql} ORDER BY expires_at_ms LIMIT ?`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}

/** A row when the device named (id, key version) is registered and disabled, or under another key. */
const deviceRefusedSql =
  "SELECT 1 FROM devices d WHERE d.id = ? AND (d.status <> 'active' OR d.key_version <> ?)";

const selectOperations = `SELECT ${storedOperationColumns}, refunded_amount FROM operations`;

function toOperation(r: Record<string, unknown>): OperationView {
  return {
    id: String(r.id),
    kind: String(r.kind),
    outcome: String(r.outcome),
    cardNo: r.card_no === null ? null : String(r.card_no),
    merchantId: r.merchant_id === null ? null : String(r.merchant_id),
    deviceId: r.device_id === null ? null : String(r.device_id),
    referenceId: r.reference_id === null ? null : String(r.reference_id),
    amount: Number(r.amount),
    subsidyAmount: Number(r.subsidy_amount),
    refundedAmount: Number(r.refunded_amount),
    createdAtMs: Number(r.created_at_ms),
    result: storedOutcome(r as unknown as StoredOperation),
  };
}
