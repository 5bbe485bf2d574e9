import type { CoreClient } from '@campus-card/core/client';
import { type SsoFailure, SsoLoginError, type SsoService } from '../services/sso.ts';
import type { AdminLogin, LoginStep } from './admin-login.ts';
import type { AuditTrail } from './services/audit-trail.ts';

/**
 * Staff sign in to the backoffice through the campus identity provider (docs/sso.md): the provider
 * proves the person (SsoService, the same OIDC and CAS code as the H5 sign-in), whose staff number must
 * be the username of an active admin account (none is ever created here); then the same second factor
 * as after the password (AdminLogin), and the backoffice trades a one-use code for the step.
 */
export class AdminSso {
  constructor(
    private readonly sso: SsoService,
    private readonly core: CoreClient,
    private readonly login: AdminLogin,
    private readonly audit: AuditTrail,
  ) {}

  providers(): { id: string; kind: string; label: string }[] {
    return this.sso.providers();
  }

  start(providerId: string): Promise<{ location: string; state: string }> {
    return this.sso.start(providerId, 'admin');
  }

  /** Checks the provider's answer and leaves the sign-in's next step under a one-use code. */
  async callback(
    providerId: string,
    query: URLSearchParams,
    cookieState: string | undefined,
  ): Promise<string> {
    const staffNo = await this.sso.identify(providerId, 'admin', query, cookieState);
    const account = staffNo
      ? (await this.core.admins()).items.find((a) => a.username === staffNo && a.status === 'active')
      : undefined;
    if (!account) {
      await this.audit.record(
        { adminId: '', username: staffNo },
        'session.login_failed',
        'admin',
        staffNo || null,
        {
          method: 'sso',
        },
      );
      throw new SsoLoginError('ADMIN_NOT_FOUND', 'no active backoffice account has this staff number');
    }
    if (account.lockedUntilMs !== null && account.lockedUntilMs > Date.now())
      throw new SsoLoginError('LOCKED_OUT', 'this account is locked after failed sign-ins');
    return this.sso.handOff('admin', await this.login.firstFactorPassed(account, 'sso'));
  }

  /** Trades the callback's one-use code for the sign-in's next step (a session, or the TOTP challenge). */
  exchange(code: string): Promise<LoginStep> {
    return this.sso.takeHandoff<LoginStep>('admin', code);
  }

  landing(result: { code: string } | { failure: SsoFailure }): string {
    return this.sso.landing(result, 'admin');
  }
}
