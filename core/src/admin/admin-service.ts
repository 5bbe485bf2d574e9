import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { type AdminChange, departmentScopedRoles, type NewAdmin } from '../contract/admin.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Pii } from '../pii.ts';
import {
  type AdminAccount,
  type AdminRepository,
  type Approval,
  type StoredAdmin,
  totpRequiredRoles,
} from './admin-repository.ts';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt cost: N = 2^15, r = 8 (about 32 MiB and tens of ms per check: slow for a guesser). */
const scryptParams = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const passwordBytesMax = 128;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, scryptParams);
  return `scrypt$${scryptParams.N}$${scryptParams.r}$${scryptParams.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: scryptParams.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/** Compared against when the username is unknown, so a miss costs what a wrong password costs. */
const decoyHash = hashPassword(randomBytes(12).toString('hex'));

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A 26-character id derived from a key, in the same alphabet as newId, so a retry lands on one row. */
function idOfKey(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let id = '';
  for (let i = 0; i < 26; i++) id += crockford[(digest[i] as number) % 32];
  return id;
}

export interface AdminOptions {
  /** Attempts (passwords and codes) an account may fail before each further one is delayed. */
  loginFailuresMax: number;
  /** The longest delay between two attempts once they are delayed (it doubles from 1 s up to this). */
  lockoutMs: number;
  /** The first wait once the free attempts are used; doubled by each further failure. */
  loginDelayMs: number;
}

function publicAdmin(a: StoredAdmin): AdminAccount {
  const { passwordHash: _hash, totpSecretEnc: _secret, totpPendingEnc: _pending, ...rest } = a;
  return rest;
}

function checkPasswordRule(password: string): void {
  if (password.length < 10 || password.length > passwordBytesMax)
    throw new CoreError('VALIDATION_FAILED', 'a password is 10 to 128 characters');
}

export type { AdminChange, NewAdmin };

/**
 * Admin accounts: passwords checked against slow hashes, failed logins counted by the database and
 * locked out after failuresMax, the optional TOTP second factor with replay refused; and the
 * maker–checker approvals.
 */
export class AdminService {
  constructor(
    private readonly repo: AdminRepository,
    private readonly pii: Pii,
    private readonly options: AdminOptions,
  ) {}

  async create(input: NewAdmin): Promise<AdminAccount & { totpSecret?: string; totpUri?: string }> {
    checkPasswordRule(input.password);
    const scoped = departmentScopedRoles.includes(input.role);
    if (scoped && !input.department) throw new CoreError('VALIDATION_FAILED', 'this role needs a department');
    if (input.role === 'super_admin' && input.campusId)
      throw new CoreError('VALIDATION_FAILED', 'a super admin is not scoped to a campus');
    const secret = input.totpSecret ?? (input.totp ? newTotpSecret() : undefined);
    const id = newId();
    try {
      await this.repo.insertAdmin({
        id,
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        department: scoped ? input.department : null,
        campusId: input.campusId ?? null,
        passwordHash: await hashPassword(input.password),
        totpSecretEnc: secret ? this.pii.encrypt(secret) : null,
        createdAtMs: Date.now(),
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('ALREADY_EXISTS', 'this username is taken');
      throw error;
    }
    const created = publicAdmin((await this.repo.adminById(id)) as StoredAdmin);
    return secret
      ? {
          ...created,
          totpSecret: secret,
          totpUri: otpauthUri('校园一卡通', input.username, secret),
        }
      : created;
  }

  async get(id: string): Promise<AdminAccount> {
    const a = await this.repo.adminById(id);
    if (!a) throw new CoreError('ADMIN_NOT_FOUND', 'no such admin');
    return publicAdmin(a);
  }

  async list(): Promise<AdminAccount[]> {
    return (await this.repo.admins()).map(publicAdmin);
  }

  /**
   * The password step. A wrong password, an unknown name and a disabled account all answer
   * ADMIN_LOGIN_FAILED; an account whose attempts are being delayed answers ADMIN_LOCKED_OUT with
   * retryAfterMs without its password being tried, even a right one.
   */
  async checkPassword(username: string, password: string): Promise<AdminAccount> {
    const account = await this.repo.adminByUsername(username);
    if (account?.status !== 'active' || password.length > passwordBytesMax) {
      await verifyPassword(password.slice(0, passwordBytesMax), await decoyHash);
      throw new CoreError('ADMIN_LOGIN_FAILED', 'wrong username or password');
    }
    const attemptNo = await this.reserveAttempt(account.id);
    if (!(await verifyPassword(password, account.passwordHash)))
      throw new CoreError('ADMIN_LOGIN_FAILED', 'wrong username or password');
    // With a second factor (or one to enrol) the count is cleared only when the code is right.
    if (!account.totpSecretEnc && !totpRequiredRoles.includes(account.role))
      await this.repo.clearFailuresAfter(account.id, attemptNo);
    return publicAdmin(account);
  }

  /** The TOTP step, after checkPassword; a code is accepted once. */
  async checkTotp(id: string, code: string): Promise<AdminAccount> {
    const account = await this.repo.adminById(id);
    if (account?.status !== 'active' || !account.totpSecretEnc)
      throw new CoreError('ADMIN_LOGIN_FAILED', 'wrong code');
    const attemptNo = await this.reserveAttempt(id);
    const step = matchTotp(this.pii.decrypt(account.totpSecretEnc), code, Date.now());
    if (step === undefined || !(await this.repo.takeTotpStep(id, step)))
      throw new CoreError('ADMIN_LOGIN_FAILED', 'wrong code');
    await this.repo.clearFailuresAfter(id, attemptNo);
    return publicAdmin(account);
  }

  /**
   * Disables or enables, moves role or department, sets a new password (clearing failures and any
   * lockout), or turns the second factor off so its owner can enrol a new one.
   */
  async change(id: string, change: AdminChange): Promise<AdminAccount> {
    if ('role' in change && departmentScopedRoles.includes(change.role) && !change.department)
      throw new CoreError('VALIDATION_FAILED', 'this role needs a department');
    if ('password' in change) checkPasswordRule(change.password);
    if ('campusId' in change && change.campusId !== null && (await this.get(id)).role === 'super_admin')
      throw new CoreError('VALIDATION_FAILED', 'a super admin is not scoped to a campus');
    const stored =
      'password' in change
        ? { passwordHash: await hashPassword(change.password) }
        : 'role' in change
          ? {
              role: change.role,
              department: departmentScopedRoles.includes(change.role) ? change.department : null,
            }
          : change;
    if (!(await this.repo.change(id, stored))) throw new CoreError('ADMIN_NOT_FOUND', 'no such admin');
    return this.get(id);
  }

  /**
   * Starts enrolling a second factor for an account that has none: a new secret, answered once
   * (as text and as an otpauth URI for a QR code), live only after confirmTotp.
   */
  async enrolTotp(id: string): Promise<{ totpSecret: string; totpUri: string }> {
    const account = await this.repo.adminById(id);
    if (account?.status !== 'active') throw new CoreError('ADMIN_NOT_FOUND', 'no such admin');
    if (account.totpSecretEnc)
      throw new CoreError('TOTP_ALREADY_ENABLED', 'this account already has a second factor');
    const secret = newTotpSecret();
    await this.repo.change(id, { totpPendingEnc: this.pii.encrypt(secret) });
    return { totpSecret: secret, totpUri: otpauthUri('校园一卡通', account.username, secret) };
  }

  /** The owner's code from the new secret turns it on; a wrong code counts as a failed login. */
  async confirmTotp(id: string, code: string): Promise<AdminAccount> {
    const account = await this.repo.adminById(id);
    if (account?.status !== 'active' || !account.totpPendingEnc)
      throw new CoreError('TOTP_NOT_ENROLLING', 'start enrolling a second factor first');
    const attemptNo = await this.reserveAttempt(id);
    const step = matchTotp(this.pii.decrypt(account.totpPendingEnc), code, Date.now());
    if (step === undefined) throw new CoreError('ADMIN_LOGIN_FAILED', 'wrong code');
    if (!(await this.repo.confirmTotp(id, account.totpPendingEnc, step)))
      throw new CoreError('TOTP_NOT_ENROLLING', 'the enrolment was started again; use the newest code');
    await this.repo.clearFailuresAfter(id, attemptNo);
    return this.get(id);
  }

  async unlock(id: string): Promise<AdminAccount> {
    await this.get(id);
    await this.repo.clearFailures(id);
    return this.get(id);
  }

  /**
   * Takes one attempt before anything is checked (repo.reserveAttempt): after loginFailuresMax
   * attempts without a success, each further one waits 1 s, 2 s, 4 s … up to lockoutMs after the
   * one before, and one that comes too early is refused with when to come back. A success clears
   * the count (clearFailuresAfter). Nobody can lock an account for long, and a guesser gets a few
   * tries a minute at most.
   */
  private async reserveAttempt(id: string): Promise<number> {
    const { loginFailuresMax: free, lockoutMs, loginDelayMs } = this.options;
    const nowMs = Date.now();
    const reserved = await this.repo.reserveAttempt(
      id,
      free,
      (attemptNo) => Math.min(loginDelayMs * 2 ** Math.min(attemptNo - free, 30), lockoutMs),
      nowMs,
    );
    // The wait is counted from now, after the reservation: the lock may have been set by a racer that
    // read the clock after this attempt did, and its wait must not look longer than the delay.
    if ('retryAtMs' in reserved)
      throw new CoreError('ADMIN_LOCKED_OUT', 'too many failed sign-ins; wait before trying again', {
        lockedUntilMs: reserved.retryAtMs,
        retryAfterMs: Math.max(1, reserved.retryAtMs - Date.now()),
      });
    return reserved.attemptNo;
  }

  // Maker–checker.

  async propose(input: {
    kind: Approval['kind'];
    payload: Record<string, unknown>;
    amount: number;
    reason: string;
    targetId: string | null;
    makerId: string;
    /** The caller's idempotency key: the same key proposes once and answers the same approval. */
    key?: string | undefined;
  }): Promise<Approval> {
    const { key, ...fields } = input;
    const approval: Approval = {
      ...fields,
      id: key === undefined ? newId() : idOfKey(`${input.makerId}:${key}`),
      status: 'pending',
      checkerId: null,
      createdAtMs: Date.now(),
      decidedAtMs: null,
      failure: null,
    };
    try {
      await this.repo.insertApproval(approval);
      return approval;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const earlier = await this.approval(approval.id);
      if (
        earlier.makerId !== approval.makerId ||
        JSON.stringify(earlier.payload) !== JSON.stringify(approval.payload)
      )
        throw new CoreError('ID_REUSED', 'this key was used for a different proposal');
      return earlier;
    }
  }

  /**
   * Decides once. Rejecting ends it; approving claims it (approving) for the caller to carry out,
   * then settleApproval says how that went: it reads approved only once its action was done. A
   * repeat by the same checker with the same decision answers it again with changed = false (so the
   * caller can finish what the first call started: an approving one is carried out again under the
   * same ledger id, which posts once).
   */
  async decide(
    id: string,
    checkerId: string,
    decision: 'approved' | 'rejected',
  ): Promise<Approval & { changed: boolean }> {
    const changed = await this.repo.decideApproval(
      id,
      checkerId,
      decision === 'approved' ? 'approving' : 'rejected',
    );
    const approval = await this.repo.approval(id);
    if (!approval) throw new CoreError('APPROVAL_NOT_FOUND', 'no such approval');
    if (changed) return { ...approval, changed };
    if (approval.makerId === checkerId)
      throw new CoreError('MAKER_CANNOT_CHECK', 'a second admin must decide what you proposed');
    const same =
      decision === 'approved'
        ? approval.status === 'approving' || approval.status === 'approved' || approval.status === 'failed'
        : approval.status === 'rejected';
    if (same && approval.checkerId === checkerId) return { ...approval, changed };
    throw new CoreError('APPROVAL_DECIDED', `this approval is already ${approval.status}`);
  }

  /**
   * The outcome of an approving approval's action, by the checker who claimed it: approved when it
   * was carried out, failed with the refusal's code when it was refused for good.
   */
  async settle(id: string, checkerId: string, failure: string | null): Promise<Approval> {
    await this.repo.settleApproval(id, checkerId, failure);
    const approval = await this.approval(id);
    if (approval.status === 'approving' || approval.checkerId !== checkerId)
      throw new CoreError('APPROVAL_DECIDED', `this approval is ${approval.status}`);
    return approval;
  }

  async approval(id: string): Promise<Approval> {
    const a = await this.repo.approval(id);
    if (!a) throw new CoreError('APPROVAL_NOT_FOUND', 'no such approval');
    return a;
  }

  approvals(status: Approval['status'] | undefined, limit: number): Promise<Approval[]> {
    return this.repo.approvals(status, limit);
  }

  searchPeople(q: string, department: string | null, limit: number) {
    return this.repo.searchPeople(q, department, limit);
  }

  pendingHolds(cardNo: string) {
    return this.repo.pendingHolds(cardNo);
  }

  async walletAccounts(cardNo: string): Promise<{ main: string; subsidy: string }> {
    const accounts = await this.repo.walletAccounts(cardNo);
    if (!accounts) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    return accounts;
  }
}
