import { Op } from 'sequelize';
import {
  type AdminAccount,
  type AdminRole,
  type Approval,
  adminRoles,
  approvalKinds,
  approvalStatuses,
  type PendingHold,
  type PersonHit,
  totpRequiredRoles,
} from '../contract/admin.ts';
import type { Database, Param } from '../db/database.ts';
import { type Models, updateMatched } from '../db/models.ts';

export type { AdminAccount, Approval, PendingHold, PersonHit };
export { type AdminRole, adminRoles, approvalKinds, approvalStatuses, totpRequiredRoles };

export interface StoredAdmin extends AdminAccount {
  passwordHash: string;
  totpSecretEnc: string | null;
  /** A second factor being enrolled, until its owner proves it with a code. */
  totpPendingEnc: string | null;
}

type Row = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** An admin_accounts row as the model reads it. */
function toAdmin(r: Row): StoredAdmin {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.displayName),
    role: String(r.role) as AdminRole,
    department: str(r.department),
    campusId: str(r.campusId),
    totpEnabled: r.totpSecretEnc !== null,
    status: String(r.status) as StoredAdmin['status'],
    lockedUntilMs: num(r.lockedUntilMs),
    createdAtMs: Number(r.createdAtMs),
    passwordHash: String(r.passwordHash),
    totpSecretEnc: str(r.totpSecretEnc),
    totpPendingEnc: str(r.totpPendingEnc),
  };
}

function toApproval(r: Row): Approval {
  return {
    id: String(r.id),
    kind: String(r.kind) as Approval['kind'],
    payload: JSON.parse(String(r.payload)) as Record<string, unknown>,
    amount: Number(r.amount),
    reason: String(r.reason),
    targetId: str(r.target_id),
    status: String(r.status) as Approval['status'],
    makerId: String(r.maker_id),
    checkerId: str(r.checker_id),
    createdAtMs: Number(r.created_at_ms),
    decidedAtMs: num(r.decided_at_ms),
    failure: str(r.failure),
  };
}

/**
 * Admin accounts through the Sequelize model (a plain CRUD domain, docs/architecture.md), except the
 * sign-in lockout's reservation, a guarding counter that keeps its row-locked SQL transaction; approvals
 * and the backoffice's read-only lookups of cards, people and holds in SQL.
 */
export class AdminRepository {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
  ) {}

  async insertAdmin(
    a: Omit<StoredAdmin, 'totpEnabled' | 'lockedUntilMs' | 'status' | 'totpPendingEnc'>,
  ): Promise<void> {
    await this.models.AdminAccount.create({
      id: a.id,
      username: a.username,
      displayName: a.displayName,
      role: a.role,
      department: a.department,
      campusId: a.campusId,
      passwordHash: a.passwordHash,
      totpSecretEnc: a.totpSecretEnc,
      failedLogins: 0,
      status: 'active',
      createdAtMs: a.createdAtMs,
      updatedAtMs: a.createdAtMs,
    });
  }

  async adminByUsername(username: string): Promise<StoredAdmin | undefined> {
    const r = (await this.models.AdminAccount.findOne({ where: { username }, raw: true })) as Row | null;
    return r ? toAdmin(r) : undefined;
  }

  async adminById(id: string): Promise<StoredAdmin | undefined> {
    const r = (await this.models.AdminAccount.findByPk(id, { raw: true })) as Row | null;
    return r ? toAdmin(r) : undefined;
  }

  async admins(): Promise<StoredAdmin[]> {
    const rows = (await this.models.AdminAccount.findAll({
      order: [['username', 'ASC']],
      raw: true,
    })) as unknown as Row[];
    return rows.map(toAdmin);
  }

  /**
   * Reserves one sign-in attempt (a password or a code) before it is checked, in one transaction
   * holding the account's row: the first freeAttempts go through at once; from then on an attempt
   * goes through only once the previous one's delay has passed, and sets the next delay (delayMsOf
   * the attempt's number). A refused attempt changes nothing and answers when to try again. So a
   * burst of concurrent guesses gets freeAttempts checks, whatever their order.
   */
  async reserveAttempt(
    id: string,
    freeAttempts: number,
    delayMsOf: (attemptNo: number) => number,
    nowMs: number,
  ): Promise<{ attemptNo: number } | { retryAtMs: number }> {
    // A guarding counter: the row lock of the Database layer's transaction (its write queue on SQLite),
    // as before the accounts moved onto the model, so a burst of guesses queues instead of racing.
    return this.db.transaction(async (tx) => {
      const rows = await this.db.select<Row>(
        `SELECT failed_logins, locked_until_ms FROM admin_accounts WHERE id = ?${this.db.forUpdate}`,
        [id],
        tx,
      );
      const row = rows[0];
      if (!row) return { attemptNo: 0 };
      const count = Number(row.failed_logins);
      const until = num(row.locked_until_ms);
      if (count >= freeAttempts && until !== null && until > nowMs) return { retryAtMs: until };
      const attemptNo = count + 1;
      const next = attemptNo >= freeAttempts ? nowMs + delayMsOf(attemptNo) : null;
      await this.db.execute(
        'UPDATE admin_accounts SET failed_logins = ?, locked_until_ms = ?, updated_at_ms = ? WHERE id = ?',
        [attemptNo, next, nowMs, id],
        tx,
      );
      return { attemptNo };
    });
  }

  /**
   * A right answer clears the count and the delay, but only if no other attempt was reserved after
   * this one (attemptNo): a success never lifts a delay that a concurrent wrong guess set.
   */
  async clearFailuresAfter(id: string, attemptNo: number): Promise<boolean> {
    return updateMatched(
      this.models.AdminAccount,
      { failedLogins: 0, lockedUntilMs: null, updatedAtMs: Date.now() },
      { id, failedLogins: attemptNo },
    );
  }

  async clearFailures(id: string): Promise<void> {
    await this.models.AdminAccount.update(
      { failedLogins: 0, lockedUntilMs: null, updatedAtMs: Date.now() },
      { where: { id } },
    );
  }

  /** One change to an account's own columns; answers whether the account exists. */
  async change(
    id: string,
    change:
      | { status: 'active' | 'disabled' }
      | { role: AdminRole; department: string | null }
      | { passwordHash: string }
      | { totpPendingEnc: string }
      | { totpReset: true }
      | { campusId: string | null },
  ): Promise<boolean> {
    const values: Record<string, unknown> =
      'status' in change
        ? { status: change.status }
        : 'campusId' in change
          ? { campusId: change.campusId }
          : 'role' in change
            ? // A super admin is never campus-scoped (sql/110): the move to it drops the scope.
              {
                role: change.role,
                department: change.department,
                ...(change.role === 'super_admin' ? { campusId: null } : {}),
              }
            : 'passwordHash' in change
              ? { passwordHash: change.passwordHash, failedLogins: 0, lockedUntilMs: null }
              : 'totpPendingEnc' in change
                ? { totpPendingEnc: change.totpPendingEnc }
                : { totpSecretEnc: null, totpPendingEnc: null, totpLastStep: null };
    return updateMatched(this.models.AdminAccount, { ...values, updatedAtMs: Date.now() }, { id });
  }

  /**
   * Makes the pending second factor the live one, if it is still the one the code was checked
   * against (an enrolment started again meanwhile leaves it pending); the code's step is used up.
   */
  async confirmTotp(id: string, pendingEnc: string, step: number): Promise<boolean> {
    // The condition names the pending secret the update clears, so a matched row is a changed one.
    const [changed] = await this.models.AdminAccount.update(
      { totpSecretEnc: pendingEnc, totpPendingEnc: null, totpLastStep: step, updatedAtMs: Date.now() },
      { where: { id, totpPendingEnc: pendingEnc } },
    );
    return changed === 1;
  }

  /** Takes a TOTP step for this account; false when it (or a later one) was already used. */
  async takeTotpStep(id: string, step: number): Promise<boolean> {
    // The condition asks for a lower step than the one written, so a matched row is a changed one.
    const [changed] = await this.models.AdminAccount.update(
      { totpLastStep: step, updatedAtMs: Date.now() },
      { where: { id, [Op.or]: [{ totpLastStep: null }, { totpLastStep: { [Op.lt]: step } }] } },
    );
    return changed === 1;
  }

  async insertApproval(a: Approval): Promise<void> {
    await this.db.execute(
      `INSERT INTO admin_approvals (id, kind, payload, amount, reason, target_id, status, maker_id, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      [a.id, a.kind, JSON.stringify(a.payload), a.amount, a.reason, a.targetId, a.makerId, a.createdAtMs],
    );
  }

  /**
   * Decides a pending approval once, never by its maker: rejected, or approving (claimed for its
   * action); answers whether this call decided it.
   */
  async decideApproval(id: string, checkerId: string, status: 'approving' | 'rejected'): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE admin_approvals SET status = ?, checker_id = ?, decided_at_ms = ?
        WHERE id = ? AND status = 'pending' AND maker_id <> ?`,
      [status, checkerId, Date.now(), id, checkerId],
    );
    return changed === 1;
  }

  /** The claimed action's outcome, by the checker who claimed it; answers whether this call set it. */
  async settleApproval(id: string, checkerId: string, failure: string | null): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE admin_approvals SET status = ?, failure = ?, decided_at_ms = ?
        WHERE id = ? AND status = 'approving' AND checker_id = ?`,
      [failure === null ? 'approved' : 'failed', failure, Date.now(), id, checkerId],
    );
    return changed === 1;
  }

  async approval(id: string): Promise<Approval | undefined> {
    const rows = await this.db.select<Row>('SELECT * FROM admin_approvals WHERE id = ?', [id]);
    return rows[0] ? toApproval(rows[0]) : undefined;
  }

  async approvals(status: Approval['status'] | undefined, limit: number): Promise<Approval[]> {
    const params: Param[] = status ? [status, limit] : [limit];
    const rows = await this.db.select<Row>(
      `SELECT * FROM admin_approvals ${status ? 'WHERE status = ?' : ''} ORDER BY created_at_ms DESC LIMIT ?`,
      params,
    );
    return rows.map(toApproval);
  }

  /** People by exact number, card number, or name prefix; within one department when given. */
  async searchPeople(q: string, department: string | null, limit: number): Promise<PersonHit[]> {
    const params: Param[] = [q, q, `${q.replace(/[!%_]/g, (c) => `!${c}`)}%`];
    let scope = '';
    if (department !== null) {
      scope = ' AND p.department = ?';
      params.push(department);
    }
    params.push(limit);
    const rows = await this.db.select<Row>(
      `SELECT p.person_no, p.name, p.type, p.department, c.card_no, c.status
         FROM persons p JOIN cards c ON c.person_id = p.id
        WHERE (p.person_no = ? OR c.card_no = ? OR p.name LIKE ? ESCAPE '!')${scope}
        ORDER BY p.person_no LIMIT ?`,
      params,
    );
    return rows.map((r) => ({
      personNo: String(r.person_no),
      name: String(r.name),
      personType: String(r.type),
      department: str(r.department),
      cardNo: String(r.card_no),
      cardStatus: String(r.status),
    }));
  }

  async pendingHolds(cardNo: string): Promise<PendingHold[]> {
    const rows = await this.db.select<Row>(
      `SELECT id, merchant_id, device_id, amount, expires_at_ms, created_at_ms FROM holds
        WHERE card_no = ? AND status = 'pending' ORDER BY created_at_ms DESC LIMIT 100`,
      [cardNo],
    );
    return rows.map((r) => ({
      id: String(r.id),
      merchantId: String(r.merchant_id),
      deviceId: str(r.device_id),
      amount: Number(r.amount),
      expiresAtMs: Number(r.expires_at_ms),
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  async walletAccounts(cardNo: string): Promise<{ main: string; subsidy: string } | undefined> {
    const rows = await this.db.select<Row>(
      'SELECT main_account_id, subsidy_account_id FROM cards WHERE card_no = ?',
      [cardNo],
    );
    const r = rows[0];
    return r ? { main: String(r.main_account_id), subsidy: String(r.subsidy_account_id) } : undefined;
  }
}
