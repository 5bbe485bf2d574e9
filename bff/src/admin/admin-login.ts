import { type AdminAccount, type CoreClient, CoreError } from '@campus-card/core/client';
import { BffError } from '../errors.ts';
import type { AdminSession, AdminSessions } from './admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

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
  ) {}

  async password(username: string, password: string): Promise<LoginStep> {
    const account = await this.refusals(() => this.core.checkAdminPassword(username, password), username);
    if (account.totpEnabled)
      return { status: 'totp_required', challenge: await this.sessions.openChallenge(account.id) };
    return this.signIn(account);
  }

  async totp(challenge: string, code: string): Promise<LoginStep> {
    const adminId = await this.sessions.challenge(challenge);
    if (!adminId) throw new BffError('LOGIN_FAILED', 'the sign-in has expired; enter the password again');
    const account = await this.refusals(() => this.core.checkAdminTotp(adminId, code), adminId);
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
  private async refusals(check: () => Promise<AdminAccount>, who: string): Promise<AdminAccount> {
    try {
      return await check();
    } catch (error) {
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
          ? new BffError('LOCKED_OUT', 'too many failed sign-ins; try again later', error.details)
          : new BffError('LOGIN_FAILED', 'wrong username, password or code');
      }
      throw error;
    }
  }
}
