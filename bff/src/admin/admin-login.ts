import { type AdminAccount, type CoreClient, CoreError } from '@campus-card/core/client';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { AdminSession, AdminSessions } from './admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/**
 * Failed sign-ins one client address may make in a window, whatever names it tries: the per-account
 * lockout stops guessing one password, this stops trying one password on many accounts.
 */
export const loginFailuresPerAddressMax = 30;
const addressWindowMs = 15 * 60_000;

export type LoginStep =
  | { status: 'signed_in'; token: string; admin: AdminSession }
  | { status: 'totp_required'; challenge: string };

/**
 * Admin sign-in: the password (checked and counted by the core), then the TOTP code when the
 * account has one. Every outcome is audited; a refusal names no reason beyond wrong or locked.
 */
export class AdminLogin {
  constructor(
    private readonly core: CoreClient,
    private readonly sessions: AdminSessions,
    private readonly audit: AuditTrail,
    private readonly kv: Kv,
  ) {}

  async password(username: string, password: string, address: string): Promise<LoginStep> {
    await this.refuseBusyAddress(address);
    const account = await this.refusals(
      () => this.core.checkAdminPassword(username, password),
      username,
      address,
    );
    if (account.totpEnabled)
      return { status: 'totp_required', challenge: await this.sessions.openChallenge(account.id) };
    return this.signIn(account);
  }

  async totp(challenge: string, code: string, address: string): Promise<LoginStep> {
    await this.refuseBusyAddress(address);
    const adminId = await this.sessions.challenge(challenge);
    if (!adminId) throw new BffError('LOGIN_FAILED', 'the sign-in has expired; enter the password again');
    const account = await this.refusals(() => this.core.checkAdminTotp(adminId, code), adminId, address);
    await this.sessions.endChallenge(challenge);
    return this.signIn(account);
  }

  async logout(token: string, admin: AdminSession): Promise<void> {
    await this.sessions.end(token);
    await this.audit.record(admin, 'session.logout', 'admin', admin.adminId);
  }

  private async signIn(account: AdminAccount): Promise<LoginStep> {
    const { token, session } = await this.sessions.open(account);
    await this.audit.record(session, 'session.login', 'admin', account.id);
    return { status: 'signed_in', token, admin: session };
  }

  /** The core's refusals as the BFF's codes, each one audited against the name that was tried. */
  private async refuseBusyAddress(address: string): Promise<void> {
    const failures = Number((await this.kv.get(this.addressKey(address))) ?? 0);
    if (failures >= loginFailuresPerAddressMax)
      throw new BffError('RATE_LIMITED', 'too many failed sign-ins from this address; try again later');
  }

  private addressKey(address: string): string {
    return `admin:fail:addr:${address}:${Math.floor(Date.now() / addressWindowMs)}`;
  }

  private async refusals(
    check: () => Promise<AdminAccount>,
    who: string,
    address: string,
  ): Promise<AdminAccount> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      if (error.code === 'ADMIN_LOGIN_FAILED' || error.code === 'ADMIN_LOCKED_OUT') {
        const locked = error.code === 'ADMIN_LOCKED_OUT';
        await this.kv.increment(this.addressKey(address), addressWindowMs + 1000);
        await this.audit.record(
          { adminId: '', username: who },
          locked ? 'session.locked_out' : 'session.login_failed',
          'admin',
          who,
        );
        throw locked
          ? new BffError('LOCKED_OUT', 'too many failed sign-ins; try again later', error.details)
          : new BffError('LOGIN_FAILED', 'wrong username, password or code');
      }
      throw error;
    }
  }
}
