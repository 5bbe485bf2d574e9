import { type AdminAccount, type CoreClient, CoreError, totpRequiredRoles } from '@campus-card/core/client';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { AdminSession, AdminSessions } from './admin-sessions.ts';
import type { AuditTrail } from './services/audit-trail.ts';

/**
 * Failed sign-ins one client address may make in its window, whatever names it tries, before each
 * further attempt from it is delayed (1 s, 2 s, 4 s … up to addressDelayMsMax after the one before):
 * the per-account delay (in the core) slows guessing one password, this slows trying one password
 * on many accounts, and neither locks anybody out for long.
 */
export const loginFailuresPerAddressMax = 10;
const addressWindowMs = 15 * 60_000;
const addressDelayMsMax = 5 * 60_000;

export type LoginStep =
  | { status: 'signed_in'; token: string; admin: AdminSession }
  | { status: 'totp_required'; challenge: string }
  /** A role that must have a second factor and has none: scan, then answer a code from it. */
  | { status: 'totp_enrolment_required'; challenge: string; totpSecret: string; totpUri: string };

/** A challenge's holder: the admin, and whether the code proves a live factor or enrols a new one. */
const enrolMark = 'enrol:';
/** And whether the first factor was the campus single sign-on rather than the password. */
const ssoMark = 'sso:';

/** How the first factor was proven: the password here, or the campus identity provider (admin-sso.ts). */
export type LoginMethod = 'password' | 'sso';

/**
 * Admin sign-in: the password (checked and counted by the core), then the TOTP code when the
 * account has one, or the enrolment of one when its role requires it. Every outcome is audited; a
 * refusal names no reason beyond wrong or wait.
 */
export class AdminLogin {
  constructor(
    private readonly core: CoreClient,
    private readonly sessions: AdminSessions,
    private readonly audit: AuditTrail,
    private readonly kv: Kv,
  ) {}

  async password(username: string, password: string, address: string): Promise<LoginStep> {
    const account = await this.attempt(
      () => this.core.checkAdminPassword(username, password),
      username,
      address,
    );
    return this.firstFactorPassed(account, 'password');
  }

  /**
   * The first factor is proven (the password, or the campus identity provider): the TOTP code when
   * the account has one, its enrolment when its role requires one, else the session.
   */
  async firstFactorPassed(account: AdminAccount, method: LoginMethod): Promise<LoginStep> {
    const mark = method === 'sso' ? ssoMark : '';
    if (account.totpEnabled)
      return {
        status: 'totp_required',
        challenge: await this.sessions.openChallenge(`${mark}${account.id}`),
      };
    if (totpRequiredRoles.includes(account.role)) {
      const enrolment = await this.core.enrolAdminTotp(account.id);
      await this.audit.record(
        { adminId: account.id, username: account.username },
        'admin.totp_enrol',
        'admin',
        account.id,
      );
      return {
        status: 'totp_enrolment_required',
        challenge: await this.sessions.openChallenge(`${mark}${enrolMark}${account.id}`),
        ...enrolment,
      };
    }
    return this.signIn(account, method);
  }

  async totp(challenge: string, code: string, address: string): Promise<LoginStep> {
    const holder = await this.sessions.challenge(challenge);
    if (!holder) throw new BffError('LOGIN_FAILED', 'the sign-in has expired; enter the password again');
    const method: LoginMethod = holder.startsWith(ssoMark) ? 'sso' : 'password';
    const rest = method === 'sso' ? holder.slice(ssoMark.length) : holder;
    const enrolling = rest.startsWith(enrolMark);
    const adminId = enrolling ? rest.slice(enrolMark.length) : rest;
    const account = await this.attempt(
      () => (enrolling ? this.core.confirmAdminTotp(adminId, code) : this.core.checkAdminTotp(adminId, code)),
      adminId,
      address,
    );
    await this.sessions.endChallenge(challenge);
    if (enrolling)
      await this.audit.record(
        { adminId: account.id, username: account.username },
        'admin.totp_enable',
        'admin',
        account.id,
      );
    return this.signIn(account, method);
  }

  async logout(token: string, admin: AdminSession): Promise<void> {
    await this.sessions.end(token);
    await this.audit.record(admin, 'session.logout', 'admin', admin.adminId);
  }

  private async signIn(account: AdminAccount, method: LoginMethod): Promise<LoginStep> {
    const { token, session } = await this.sessions.open(account);
    await this.audit.record(session, 'session.login', 'admin', account.id, { method });
    return { status: 'signed_in', token, admin: session };
  }

  /**
   * One attempt from an address: reserved before anything is checked (the count goes up first, so a
   * burst cannot all pass a read), and once the address is past its free attempts, let through only
   * if no other attempt from it is waiting out its delay (one key set only if absent). An attempt
   * that turns out right, or never reaches a check, gives its count back; wrong ones keep it.
   */
  private async attempt(
    check: () => Promise<AdminAccount>,
    who: string,
    address: string,
  ): Promise<AdminAccount> {
    const countKey = `admin:fail:addr:${address}`;
    const attemptNo = await this.kv.increment(countKey, addressWindowMs);
    if (attemptNo > loginFailuresPerAddressMax) {
      const delayMs = Math.min(
        1000 * 2 ** Math.min(attemptNo - loginFailuresPerAddressMax - 1, 30),
        addressDelayMsMax,
      );
      const retryAtMs = Date.now() + delayMs;
      if (!(await this.kv.setIfAbsent(`admin:wait:addr:${address}`, String(retryAtMs), delayMs))) {
        await this.kv.increment(countKey, addressWindowMs, -1);
        const waiting = Number((await this.kv.get(`admin:wait:addr:${address}`)) ?? Date.now() + 1000);
        throw new BffError(
          'RATE_LIMITED',
          'too many failed sign-ins from this address; wait before trying again',
          {
            retryAfterMs: Math.max(waiting - Date.now(), 1),
          },
        );
      }
    }
    try {
      const account = await check();
      await this.kv.increment(countKey, addressWindowMs, -1);
      return account;
    } catch (error) {
      // Only a wrong password or code keeps its count; anything else was no guess.
      if (!(error instanceof CoreError) || error.code !== 'ADMIN_LOGIN_FAILED')
        await this.kv.increment(countKey, addressWindowMs, -1);
      if (!(error instanceof CoreError)) throw error;
      if (error.code === 'ADMIN_LOGIN_FAILED' || error.code === 'ADMIN_LOCKED_OUT') {
        const locked = error.code === 'ADMIN_LOCKED_OUT';
        await this.audit.record(
          { adminId: '', username: who },
          locked ? 'session.locked_out' : 'session.login_failed',
          'admin',
          who,
        );
        throw locked
          ? new BffError('LOCKED_OUT', 'too many failed sign-ins; wait before trying again', error.details)
          : new BffError('LOGIN_FAILED', 'wrong username, password or code');
      }
      throw error;
    }
  }
}
