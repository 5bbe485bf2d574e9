import type { AdminAccount, CoreClient } from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import type { AdminSession, AdminSessions } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Admin accounts: a super admin makes, unlocks, disables, moves and resets them; every admin changes
// their own password and enrols their own second factor. A change that alters what a person may do
// (disabled, role, password, second factor reset) ends that person's sessions on every BFF instance,
// so the next request signs in again under the new terms. Passwords and TOTP secrets never reach the
// audit.

/** One change of an account from the list (the route's schema). */
export type AccountChange =
  | { status: 'active' | 'disabled' }
  | { role: AdminAccount['role']; department: string | null }
  | { password: string }
  | { totpReset: true }
  | { campusId: string | null };

/** What the audit says of a change: its kind and new values, never a password. */
function describe(c: AccountChange, account: AdminAccount): [string, Record<string, unknown>] {
  if ('status' in c) return [c.status === 'disabled' ? 'admin.disable' : 'admin.enable', {}];
  if ('role' in c) return ['admin.role_change', { role: account.role, department: account.department }];
  if ('password' in c) return ['admin.password_reset', {}];
  if ('campusId' in c) return ['admin.campus_change', { campusId: account.campusId }];
  return ['admin.totp_reset', {}];
}

export class AccountAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
    private readonly sessions: AdminSessions,
  ) {}

  list() {
    return this.core.admins();
  }

  async create(admin: AdminSession, input: Parameters<CoreClient['createAdmin']>[0]) {
    await this.knownCampus(input.campusId ?? null);
    const created = await this.core.createAdmin(input);
    await this.audit.record(admin, 'admin.create', 'admin', created.id, {
      username: created.username,
      role: created.role,
      totp: created.totpEnabled,
    });
    return created;
  }

  /** A campus scope must name a campus the core knows (CAMPUS_NOT_FOUND), so no account is scoped to nothing. */
  private async knownCampus(campusId: string | null): Promise<void> {
    if (campusId === null) return;
    if (!(await this.core.campuses()).items.some((c) => c.id === campusId))
      throw new BffError('CAMPUS_NOT_FOUND', 'no such campus');
  }

  async unlock(admin: AdminSession, id: string) {
    const unlocked = await this.core.unlockAdmin(id);
    await this.audit.record(admin, 'admin.unlock', 'admin', id, { username: unlocked.username });
    return unlocked;
  }

  /** Another admin's account changed from the list; that person's sessions end. */
  async change(admin: AdminSession, id: string, body: AccountChange) {
    // One's own account changes under /me, with the current password: a super admin cannot lock
    // themselves out or strip their own rights by a slip of the mouse.
    if (id === admin.adminId)
      throw new BffError('FORBIDDEN', 'change your own account under 我的账号, not from the list');
    if ('campusId' in body) await this.knownCampus(body.campusId);
    const account = await this.core.changeAdmin(id, body);
    await this.sessions.endAll(id);
    const [action, detail] = describe(body, account);
    await this.audit.record(admin, action, 'admin', id, { username: account.username, ...detail });
    return account;
  }

  /** One's own password: the current one is checked like a sign-in (wrong guesses count towards the lockout). */
  async changeOwnPassword(admin: AdminSession, currentPassword: string, newPassword: string) {
    await this.core.checkAdminPassword(admin.username, currentPassword);
    await this.core.changeAdmin(admin.adminId, { password: newPassword });
    await this.sessions.endAll(admin.adminId);
    await this.audit.record(admin, 'admin.password_change', 'admin', admin.adminId);
    return { changed: true, signedOut: true };
  }

  async enrolTotp(admin: AdminSession) {
    const secret = await this.core.enrolAdminTotp(admin.adminId);
    await this.audit.record(admin, 'admin.totp_enrol', 'admin', admin.adminId);
    return secret;
  }

  async confirmTotp(admin: AdminSession, code: string) {
    const account = await this.core.confirmAdminTotp(admin.adminId, code);
    await this.audit.record(admin, 'admin.totp_enable', 'admin', admin.adminId);
    return account;
  }
}
